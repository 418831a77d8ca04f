import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ingestRequested } from '@photospots/contracts';
import { MessagePublisher } from '@photospots/queue';
import {
  createTestEnv,
  generateFlickrPopulation,
  startFakeFlickr,
  startService,
  waitFor,
  type FakeFlickr,
  type ServiceProcess,
  type TestEnv,
} from '@photospots/test-harness';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BBOX = { minLng: 13.735, minLat: 51.048, maxLng: 13.745, maxLat: 51.054 };
const CC = ['1', '2', '3', '4', '5', '6', '9', '11', '12', '13', '14', '15', '16'];

let env: TestEnv;
let flickr: FakeFlickr;
let s3: S3Client;
let ingest: ServiceProcess | undefined;
const bucket = `t${randomBytes(4).toString('hex')}-thumbnails`;

beforeAll(async () => {
  env = await createTestEnv();
  flickr = await startFakeFlickr({ photos: generateFlickrPopulation({ count: 20_000, seed: 5 }) });
  s3 = new S3Client({
    region: env.region,
    endpoint: env.awsEndpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(async () => {
  await ingest?.stop('SIGKILL');
  s3.destroy();
  await flickr.stop();
  await env.close();
});

describe('the ingest service harvesting Flickr', () => {
  it('harvests on a message, stores thumbnails in S3, never logs the key and stops cleanly', async () => {
    ingest = startService(
      'ingest',
      env.serviceEnv({
        LOG_LEVEL: 'debug',
        SQS_WAIT_TIME_SECONDS: '1',
        FLICKR_API_KEY: flickr.apiKey,
        FLICKR_API_URL: flickr.url,
        FLICKR_RATE_PER_HOUR: '36000',
        THUMBNAIL_BUCKET: bucket,
      }),
    );
    const publisher = new MessagePublisher({
      sqs: env.sqs,
      queueUrls: env.queues.url,
      producer: 'test',
      log: pino({ level: 'silent' }),
    });
    await publisher.publish(ingestRequested, {
      kind: 'flickr-harvest',
      bbox: BBOX,
      since: '2010-01-01T00:00:00Z',
      until: '2019-12-31T23:59:59Z',
      incremental: false,
    });

    const expected = flickr.expected({
      bbox: BBOX,
      minUpload: Date.UTC(2010, 0, 1) / 1000,
      maxUpload: Date.UTC(2019, 11, 31, 23, 59, 59) / 1000,
      licences: CC,
    });
    const withImage = expected.filter((p) => !p.noSmallImage).length;
    expect(expected.length).toBeGreaterThan(300);
    await waitFor(
      async () => {
        const [row] = await env.database.sql<{ photos: number; thumbnails: number }[]>`
        select count(*)::int as photos, count(thumbnail_key)::int as thumbnails from photos where source = 'flickr'`;
        return row!.photos === expected.length && row!.thumbnails === withImage ? row : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 250, message: 'every photo and thumbnail stored' },
    );
    let objects = 0;
    for (let token: string | undefined, first = true; first || token; first = false) {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'flickr/', ContinuationToken: token }),
      );
      objects += page.KeyCount ?? 0;
      token = page.NextContinuationToken;
    }
    expect(objects).toBe(withImage);

    expect(await ingest.stop('SIGTERM')).toBe(0);
    const output = ingest.output();
    expect(output).toContain('"msg":"Flickr harvest request done"');
    expect(output).not.toContain(flickr.apiKey);
  }, 120_000);
});
