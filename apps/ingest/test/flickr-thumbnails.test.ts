import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { thumbnailsRequested } from '@photospots/contracts';
import {
  createTestEnv,
  generateFlickrPopulation,
  startFakeFlickr,
  startFauxqsServer,
  waitFor,
  type FakeFlickr,
  type TestEnv,
} from '@photospots/test-harness';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIngest, type Ingest } from '../src/app.ts';
import { connectIngestDeps } from '../src/connect.ts';
import { thumbnailKeyFor } from '../src/thumbnails/thumbnail-key.ts';
import { CC_LICENCES, flickrConfig, receiveAll, seconds } from './flickr-fixture.ts';

const BBOX = { minLng: 13.735, minLat: 51.048, maxLng: 13.745, maxLat: 51.056 };
const SINCE = new Date('2014-01-01T00:00:00Z');
const UNTIL = new Date('2016-12-31T23:59:59Z');

let env: TestEnv;
let flickr: FakeFlickr;
let s3: S3Client;
let bucket: string;
let ingest: Ingest | undefined;

beforeAll(async () => {
  env = await createTestEnv();
  flickr = await startFakeFlickr({ photos: generateFlickrPopulation({ count: 20_000, seed: 3 }) });
  s3 = new S3Client({
    region: env.region,
    endpoint: env.awsEndpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  bucket = `t${randomBytes(4).toString('hex')}-thumbnails`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
beforeEach(async () => {
  await env.truncate();
  flickr.reset();
});
afterEach(async () => {
  await ingest?.stop();
  ingest = undefined;
});
afterAll(async () => {
  s3.destroy();
  await flickr.stop();
  await env.close();
});

function start(extra: Record<string, string> = {}): Ingest {
  const config = flickrConfig(env, flickr, {
    THUMBNAIL_BUCKET: bucket,
    SQS_WAIT_TIME_SECONDS: '1',
    THUMBNAIL_CONCURRENCY: '4',
    ...extra,
  });
  ingest = buildIngest(config, {
    database: env.database,
    sqs: env.sqs,
    s3,
    queues: env.queues,
    log: pino({ level: 'silent' }),
  });
  ingest.start();
  return ingest;
}

const expectedPhotos = () =>
  flickr.expected({ bbox: BBOX, minUpload: seconds(SINCE), maxUpload: seconds(UNTIL), licences: CC_LICENCES });

async function thumbnailKeys(): Promise<Map<string, string | null>> {
  const rows = await env.database.sql<
    { source_id: string; thumbnail_key: string | null }[]
  >`select source_id, thumbnail_key from photos`;
  return new Map(rows.map((r) => [r.source_id, r.thumbnail_key]));
}

describe('thumbnails', () => {
  it("copies each new photo's url_q into S3 under a deterministic key and records the key", async () => {
    const service = start();
    const report = await service.harvestFlickr({ bbox: BBOX, since: SINCE, until: UNTIL });
    const withImage = expectedPhotos().filter((p) => !p.noSmallImage);
    expect(withImage.length).toBeGreaterThan(100);
    expect(expectedPhotos().length).toBeGreaterThan(withImage.length);
    expect(report.thumbnailsRequested).toBe(withImage.length);

    const keys = await waitFor(
      async () => {
        const k = await thumbnailKeys();
        return withImage.every((p) => k.get(p.id)) ? k : undefined;
      },
      { timeoutMs: 60_000, message: 'every thumbnail stored' },
    );
    for (const p of expectedPhotos().filter((q) => q.noSmallImage)) expect(keys.get(p.id)).toBeNull();

    const origin = new URL(flickr.url).origin;
    for (const p of withImage.slice(0, 5)) {
      const key = thumbnailKeyFor('flickr', p.id, `${origin}/images/${p.server}/${p.id}_${p.secret}_q.jpg`);
      expect(keys.get(p.id)).toBe(key);
      expect(key).toMatch(new RegExp(`^flickr/${p.id}/[0-9a-f]{12}\\.jpg$`));
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(object.ContentType).toBe('image/jpeg');
      expect(Buffer.from(await object.Body!.transformToByteArray())).toEqual(flickr.imageBytes(p.id));
    }
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'flickr/' }));
    expect(listed.KeyCount).toBe(withImage.length);
    // Each image was fetched once.
    expect(flickr.imageRequests.length).toBe(withImage.length);
  });

  it('stores them on an S3-compatible endpoint of their own (Supabase Storage), queues and imports staying put', async () => {
    // Another endpoint, with keys of its own, standing in for https://<project>.supabase.co/storage/v1/s3.
    const storage = await startFauxqsServer();
    const elsewhere = new S3Client({
      region: 'eu-central-1',
      endpoint: storage.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'storage-key', secretAccessKey: 'storage-secret' },
    });
    const storageBucket = `${bucket}-storage`;
    const config = flickrConfig(env, flickr, {
      THUMBNAIL_BUCKET: storageBucket,
      THUMBNAIL_S3_ENDPOINT_URL: storage.endpoint,
      THUMBNAIL_S3_REGION: 'eu-central-1',
      THUMBNAIL_S3_ACCESS_KEY_ID: 'storage-key',
      THUMBNAIL_S3_SECRET_ACCESS_KEY: 'storage-secret',
      SQS_WAIT_TIME_SECONDS: '1',
    });
    const deps = await connectIngestDeps(config, pino({ level: 'silent' }));
    try {
      await elsewhere.send(new CreateBucketCommand({ Bucket: storageBucket }));
      ingest = buildIngest(config, deps);
      ingest.start();
      const report = await ingest.harvestFlickr({ bbox: BBOX, since: SINCE, until: UNTIL });
      const withImage = expectedPhotos().filter((p) => !p.noSmallImage);
      expect(report.thumbnailsRequested).toBe(withImage.length);
      await waitFor(async () => [...(await thumbnailKeys()).values()].filter(Boolean).length === withImage.length, {
        timeoutMs: 60_000,
        message: 'every thumbnail stored',
      });
      const there = await elsewhere.send(new ListObjectsV2Command({ Bucket: storageBucket, Prefix: 'flickr/' }));
      expect(there.KeyCount).toBe(withImage.length);
      // The services' own S3 endpoint never saw the bucket.
      await expect(s3.send(new ListObjectsV2Command({ Bucket: storageBucket }))).rejects.toMatchObject({
        name: 'NoSuchBucket',
      });
    } finally {
      await ingest?.stop();
      ingest = undefined;
      await deps.close();
      elsewhere.destroy();
      await storage.stop();
    }
  });

  it('refuses a thumbnail endpoint of its own without its keys, naming what is missing', async () => {
    const config = flickrConfig(env, flickr, {
      THUMBNAIL_S3_ENDPOINT_URL: 'https://abcdefghijklmnop.supabase.co/storage/v1/s3',
    });
    await expect(connectIngestDeps(config, pino({ level: 'silent' }))).rejects.toThrow(
      'THUMBNAIL_S3_ENDPOINT_URL: needs THUMBNAIL_S3_ACCESS_KEY_ID and THUMBNAIL_S3_SECRET_ACCESS_KEY',
    );
  });

  it('retries failing images, dead-letters them without holding up photos, and skips images that are gone', async () => {
    const photos = expectedPhotos().filter((p) => !p.noSmallImage);
    const failing = photos.slice(0, 3).map((p) => p.id);
    const gone = photos.slice(3, 5).map((p) => p.id);
    flickr.failImages(failing, 500);
    flickr.failImages(gone, 404);
    const service = start({ THUMBNAIL_RETRY_SECONDS: '0' });

    // Photo ingestion completes whatever the images do.
    const report = await service.harvestFlickr({ bbox: BBOX, since: SINCE, until: UNTIL });
    expect(report.inserted).toBe(expectedPhotos().length);

    // The failing photos may sit in different messages; collect dead letters until all of them arrived.
    const idsOf = await env.database.sql<{ id: number }[]>`select id from photos where source_id = any(${failing})`;
    expect(idsOf).toHaveLength(3);
    const deadPhotoIds = new Set<number>();
    await waitFor(
      async () => {
        for (const m of await receiveAll(env.sqs, env.queues.deadLetterUrl.thumbnails!, thumbnailsRequested)) {
          for (const p of m.payload.photos) deadPhotoIds.add(p.photoId);
        }
        return idsOf.every(({ id }) => deadPhotoIds.has(id));
      },
      { timeoutMs: 60_000, message: "every failing photo's message in the dead-letter queue" },
    );
    // Five receives of the message, each asking for the failing images again.
    const requestsPerFailing = failing.map((id) => flickr.imageRequests.filter((r) => r.includes(`/${id}_`)).length);
    expect(requestsPerFailing).toEqual([5, 5, 5]);

    const keys = await waitFor(
      async () => {
        const k = await thumbnailKeys();
        return photos.filter((p) => !failing.includes(p.id) && !gone.includes(p.id)).every((p) => k.get(p.id))
          ? k
          : undefined;
      },
      { timeoutMs: 60_000, message: 'the other thumbnails stored' },
    );
    for (const id of [...failing, ...gone]) expect(keys.get(id)).toBeNull();
    // A gone image is not retried: one request each.
    expect(gone.map((id) => flickr.imageRequests.filter((r) => r.includes(`/${id}_`)).length)).toEqual([1, 1]);
  });
});
