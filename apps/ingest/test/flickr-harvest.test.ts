import { photosIngested } from '@photospots/contracts';
import {
  createTestEnv,
  FAKE_FLICKR_BBOX,
  FAKE_FLICKR_CAP,
  generateFlickrPopulation,
  startFakeFlickr,
  type FakeFlickr,
  type FakeFlickrPhoto,
  type TestEnv,
} from '@photospots/test-harness';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIngest, type Ingest } from '../src/app.ts';
import { flickrOwnerId } from '../src/flickr/flickr-photo.ts';
import {
  callKeys,
  capturingLogger,
  CC_LICENCES,
  FAST_RETRY,
  flickrConfig,
  receiveAll,
  seconds,
  SINCE,
  storedFlickrIds,
  UNTIL,
} from './flickr-fixture.ts';

/** A bulk upload: 6,000 photos of the centre in one second. No time split helps; the box must be split. */
const BURST_AT = Date.UTC(2015, 5, 1, 12, 0, 0) / 1000;
/** The root box's midlines, where its quadrants meet. */
const MID_LNG = 13.75;
const MID_LAT = 51.05;

function population(): FakeFlickrPhoto[] {
  const photos = generateFlickrPopulation({ count: 20_000, burst: { count: 6_000, at: BURST_AT } });
  // Photos exactly on the edges the quadrant split creates: in two (or four) quadrants' results, stored once.
  const onEdges = [
    [MID_LAT, 13.74],
    [MID_LAT, 13.76],
    [51.06, MID_LNG],
    [51.04, MID_LNG],
    [MID_LAT, MID_LNG],
  ] as const;
  onEdges.forEach(([lat, lng], i) =>
    photos.push({
      ...photos[0]!,
      id: String(9_000_000_000 + i),
      dateupload: BURST_AT,
      latitude: lat,
      longitude: lng,
      license: '4',
    }),
  );
  return photos;
}

let env: TestEnv;
let flickr: FakeFlickr;
const captured = capturingLogger();
let ingest: Ingest;

function build(extra: Record<string, string> = {}, apiKey?: string): Ingest {
  const config = flickrConfig(env, flickr, {
    FLICKR_CONCURRENCY: '2',
    ...extra,
    ...(apiKey ? { FLICKR_API_KEY: apiKey } : {}),
  });
  return buildIngest(config, {
    database: env.database,
    sqs: env.sqs,
    queues: env.queues,
    log: captured.log,
    flickrRetry: FAST_RETRY,
  });
}

beforeAll(async () => {
  env = await createTestEnv();
  flickr = await startFakeFlickr({ photos: population() });
  ingest = build();
});
beforeEach(async () => {
  await env.truncate();
  await receiveAll(env.sqs, env.queues.url.photosIngested, photosIngested);
  flickr.reset();
});
afterAll(async () => {
  await ingest.stop();
  await flickr.stop();
  await env.close();
  // Whatever happened above, with retries and failures logged at debug level, the key never reached a log line.
  expect(captured.text().length).toBeGreaterThan(0);
  expect(captured.text()).not.toContain(flickr.apiKey);
});

describe('harvesting Flickr', () => {
  it('harvests every photo of the window with the 4,000 cap in force, none twice', async () => {
    const expected = flickr.expected({
      bbox: FAKE_FLICKR_BBOX,
      minUpload: seconds(SINCE),
      maxUpload: seconds(UNTIL),
      licences: CC_LICENCES,
    });
    expect(expected.length).toBeGreaterThan(3 * FAKE_FLICKR_CAP);

    const report = await ingest.harvestFlickr({ bbox: FAKE_FLICKR_BBOX, since: SINCE, until: UNTIL });

    expect(await storedFlickrIds(env.database.sql)).toEqual(expected.map((p) => p.id).sort());
    expect(report).toMatchObject({
      expectedTotal: expected.length,
      inserted: expected.length,
      updated: 0,
      truncatedQueries: 0,
      photosBeyondCap: 0,
      resumed: false,
      alreadyComplete: false,
      skipped: {},
    });
    // The cap bit: queries over it were split by time, and the one-second burst by space.
    const over = flickr.calls.filter((c) => (c.total ?? 0) > FAKE_FLICKR_CAP);
    expect(over.length).toBe(report.splits);
    const splits = await env.database.sql<{ by: string; n: number }[]>`
      select state->>'by' as by, count(*)::int as n from ingest_checkpoints
      where job = 'flickr-query' and state->>'kind' = 'split' group by 1 order by 1`;
    expect(splits.map((s) => s.by)).toEqual(['space', 'time']);
    expect(new Set(flickr.calls.map((c) => c.params.bbox)).size).toBeGreaterThan(4);
    expect(
      flickr.calls.every((c) => Number(c.params.page) <= FAKE_FLICKR_CAP / 250 && c.params.per_page === '250'),
    ).toBe(true);
    // Every page was asked for once; the edge photos came back twice and were stored once.
    const keys = callKeys(flickr);
    expect(new Set(keys).size).toBe(keys.length);
    expect(report.photosSeen - report.inserted).toBe(report.unchanged);
    expect(report.unchanged).toBeGreaterThanOrEqual(5);

    // Announced in batches, each new photo once.
    await ingest.flushOutbox();
    const announced = await receiveAll(env.sqs, env.queues.url.photosIngested, photosIngested);
    expect(announced.every((m) => m.payload.source === 'flickr')).toBe(true);
    expect(announced.reduce((sum, m) => sum + m.payload.photoCount, 0)).toBe(expected.length);
    expect(announced.length).toBe(report.messagesQueued);
    expect(announced.length).toBeLessThanOrEqual(report.pages);

    // Stored like any other photo, with what attribution needs and no more.
    const sample = expected.find((p) => p.license === '4' && !p.noSmallImage && !p.datetakenunknown)!;
    const [row] = await env.database.sql`
      select source, owner_id, owner_name, lat, lng, extract(epoch from taken_at)::int8 as taken_at,
             extract(epoch from uploaded_at)::int8 as uploaded_at, tags, title, views, license, image_url, thumbnail_key
      from photos where source_id = ${sample.id}`;
    expect(row).toEqual({
      source: 'flickr',
      owner_id: flickrOwnerId(sample.owner),
      owner_name: sample.ownername,
      lat: sample.latitude,
      lng: sample.longitude,
      taken_at: Date.parse(`${sample.datetaken.replace(' ', 'T')}Z`) / 1000,
      uploaded_at: sample.dateupload,
      tags: sample.tags,
      title: sample.title || null,
      views: sample.views,
      license: 'CC-BY-2.0',
      image_url: `${new URL(flickr.url).origin}/images/${sample.server}/${sample.id}_${sample.secret}_q.jpg`,
      thumbnail_key: null,
    });
    const [{ nsids }] = await env.database.sql<
      { nsids: number }[]
    >`select count(*)::int as nsids from photos where owner_id like '%@N0%'`;
    expect(nsids).toBe(0);
  });

  it('does nothing for a harvest already complete, and re-reads it unchanged when asked to run fresh', async () => {
    const bbox = { minLng: 13.73, minLat: 51.045, maxLng: 13.75, maxLat: 51.06 };
    const window = { since: new Date('2012-01-01T00:00:00Z'), until: new Date('2013-12-31T23:59:59Z') };
    const first = await ingest.harvestFlickr({ bbox, ...window });
    expect(first.inserted).toBeGreaterThan(250);
    const calls = flickr.calls.length;

    const again = await ingest.harvestFlickr({ bbox, ...window });
    expect(again).toMatchObject({ alreadyComplete: true, inserted: first.inserted });
    expect(flickr.calls.length).toBe(calls);

    await ingest.flushOutbox();
    await receiveAll(env.sqs, env.queues.url.photosIngested, photosIngested);
    const fresh = await ingest.harvestFlickr({ bbox, ...window, fresh: true });
    expect(fresh).toMatchObject({
      alreadyComplete: false,
      inserted: 0,
      updated: 0,
      unchanged: first.inserted,
      messagesQueued: 0,
    });
    await ingest.flushOutbox();
    expect(await receiveAll(env.sqs, env.queues.url.photosIngested, photosIngested)).toEqual([]);
  });

  it('runs one of two identical harvests started at once; the other is refused at once (HARVEST_IN_PROGRESS)', async () => {
    const bbox = { minLng: 13.73, minLat: 51.045, maxLng: 13.75, maxLat: 51.06 };
    const window = { since: new Date('2012-01-01T00:00:00Z'), until: new Date('2013-12-31T23:59:59Z') };
    // Slow enough that the second starts while the first holds the harvest.
    flickr.setLatency(50);
    let results: PromiseSettledResult<Awaited<ReturnType<Ingest['harvestFlickr']>>>[];
    try {
      results = await Promise.allSettled([
        ingest.harvestFlickr({ bbox, ...window }),
        ingest.harvestFlickr({ bbox, ...window }),
      ]);
    } finally {
      flickr.setLatency(0);
    }
    const done = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error & { code?: string }] : []));
    expect(done).toHaveLength(1);
    expect(done[0]!.inserted).toBeGreaterThan(250);
    expect(refused.map((e) => e.code)).toEqual(['HARVEST_IN_PROGRESS']);
    // Only the one that ran searched: each query of the plan was asked once.
    const keys = callKeys(flickr);
    expect(new Set(keys).size).toBe(keys.length);
    // It let go of the harvest: the next request finds it complete.
    expect(await env.database.sql`select * from photospots_leases`).toEqual([]);
    await expect(ingest.harvestFlickr({ bbox, ...window })).resolves.toMatchObject({ alreadyComplete: true });
  });

  it('retries 5xx, stat fail 105, dropped connections and broken bodies, and still stores everything', async () => {
    const bbox = { minLng: 13.7, minLat: 51.03, maxLng: 13.78, maxLat: 51.07 };
    const window = { since: new Date('2016-01-01T00:00:00Z'), until: new Date('2017-12-31T23:59:59Z') };
    flickr.injectFaults(
      { kind: 'http', status: 503 },
      { kind: 'stat-fail', code: 105, message: 'Service currently unavailable' },
      { kind: 'drop' },
      { kind: 'malformed' },
      { kind: 'http', status: 502 },
      { kind: 'stat-fail', code: 999, message: 'Something new' },
    );
    const report = await ingest.harvestFlickr({ bbox, ...window });
    const expected = flickr.expected({
      bbox,
      minUpload: seconds(window.since),
      maxUpload: seconds(window.until),
      licences: CC_LICENCES,
    });
    expect(flickr.calls.filter((c) => c.fault).map((c) => c.fault)).toEqual([
      'http',
      'stat-fail',
      'drop',
      'malformed',
      'http',
      'stat-fail',
    ]);
    expect(report.retries).toBe(6);
    expect(await storedFlickrIds(env.database.sql)).toEqual(expected.map((p) => p.id).sort());
    expect(captured.text()).toContain('Flickr call failed; retrying');
  });

  it('backs off on 429 for as long as Retry-After says, then carries on', async () => {
    const slow = build({ FLICKR_CONCURRENCY: '1' });
    const bbox = { minLng: 13.74, minLat: 51.05, maxLng: 13.745, maxLat: 51.055 };
    flickr.injectFaults({ kind: 'rate-limit', retryAfterSeconds: 1 });
    try {
      const report = await slow.harvestFlickr({ bbox, since: SINCE, until: UNTIL });
      expect(report).toMatchObject({ throttled: 1, retries: 1 });
      const [throttled, next] = flickr.calls;
      expect(throttled?.fault).toBe('rate-limit');
      expect(next!.at - throttled!.at).toBeGreaterThanOrEqual(1000);
      expect(report.rateLimitWaits).toBeGreaterThanOrEqual(1);
      expect(await storedFlickrIds(env.database.sql)).toHaveLength(report.inserted);
    } finally {
      await slow.stop();
    }
  });

  it('holds the harvest to FLICKR_RATE_PER_HOUR: after a burst of ten, one call a second', async () => {
    const limited = build({ FLICKR_RATE_PER_HOUR: '3600' });
    const window = { since: new Date('2008-01-01T00:00:00Z'), until: new Date('2013-06-30T23:59:59Z') };
    try {
      const report = await limited.harvestFlickr({ bbox: FAKE_FLICKR_BBOX, ...window });
      const at = flickr.calls.map((c) => c.at - flickr.calls[0]!.at);
      expect(at.length).toBeGreaterThan(12);
      // Call k (0-based) cannot come before (k - 9) seconds: the bucket starts with ten tokens and refills one a second.
      for (const [k, t] of at.entries()) expect(t).toBeGreaterThanOrEqual(Math.max(0, k - 9) * 1000 - 20);
      expect(report.rateLimitWaits).toBeGreaterThanOrEqual(at.length - 10);
    } finally {
      await limited.stop();
    }
  }, 60_000);

  it('stops at once on an invalid key (code 100), with a clear message and without the key', async () => {
    const badKey = 'not-the-right-key-42';
    const wrong = build({}, badKey);
    try {
      const failure = (await wrong.harvestFlickr({ bbox: FAKE_FLICKR_BBOX, since: SINCE, until: UNTIL }).then(
        () => new Error('the harvest succeeded'),
        (err: unknown) => err as Error,
      )) as Error & { code?: string };
      expect(failure).toMatchObject({ code: 'FLICKR_INVALID_KEY' });
      expect(failure.message).toMatch(
        /^Flickr rejected the API key \(code 100: Invalid API Key \(Key not found\)\)\. Set FLICKR_API_KEY/,
      );
      expect(failure.message).not.toContain(badKey);
      expect(flickr.calls).toHaveLength(1);
      expect(await storedFlickrIds(env.database.sql)).toEqual([]);
      expect(captured.text()).not.toContain(badKey);
    } finally {
      await wrong.stop();
    }
  });

  it('stops without retrying when the key is revoked mid-harvest, keeping what it stored', async () => {
    let injected = false;
    const failure = await ingest
      .harvestFlickr(
        { bbox: FAKE_FLICKR_BBOX, since: SINCE, until: UNTIL },
        {
          onProgress: (p) => {
            if (p.pagesThisRun >= 3 && !injected) {
              injected = true;
              flickr.injectFaults({ kind: 'invalid-key' }, { kind: 'invalid-key' });
            }
          },
        },
      )
      .catch((err: unknown) => err as { code: string });
    expect(failure).toMatchObject({ code: 'FLICKR_INVALID_KEY' });
    expect(flickr.calls.filter((c) => c.fault === 'invalid-key').length).toBeGreaterThanOrEqual(1);
    // The pages read before are stored (and checkpointed), so a run with a good key carries on from there.
    expect((await storedFlickrIds(env.database.sql)).length).toBeGreaterThanOrEqual(3 * 250);
  });
});
