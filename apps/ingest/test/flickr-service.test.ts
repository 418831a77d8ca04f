import { flickrIncrementalSchedule, ingestRequested } from '@photospots/contracts';
import { MessagePublisher } from '@photospots/queue';
import {
  createTestEnv,
  generateFlickrPopulation,
  queueDepth,
  startFakeFlickr,
  waitFor,
  type FakeFlickr,
  type TestEnv,
} from '@photospots/test-harness';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIngest, type Ingest } from '../src/app.ts';
import { INCREMENTAL_OVERLAP_SECONDS } from '../src/flickr/harvest-window.ts';
import { capturingLogger, CC_LICENCES, flickrConfig, seconds, storedFlickrIds } from './flickr-fixture.ts';

const BBOX = { minLng: 13.72, minLat: 51.04, maxLng: 13.76, maxLat: 51.06 };
const SINCE = new Date('2019-01-01T00:00:00Z');
const UNTIL = new Date('2020-06-30T23:59:59Z');

let env: TestEnv;
let flickr: FakeFlickr;
let ingest: Ingest | undefined;
const captured = capturingLogger();

beforeAll(async () => {
  env = await createTestEnv();
  flickr = await startFakeFlickr({ photos: generateFlickrPopulation({ count: 20_000, seed: 11 }) });
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
  await flickr.stop();
  await env.close();
  expect(captured.text()).not.toContain(flickr.apiKey);
});

function start(extra: Record<string, string> = {}): Ingest {
  ingest = buildIngest(flickrConfig(env, flickr, { SQS_WAIT_TIME_SECONDS: '1', ...extra }), {
    database: env.database,
    sqs: env.sqs,
    queues: env.queues,
    log: captured.log,
  });
  ingest.start();
  return ingest;
}

const publisher = () =>
  new MessagePublisher({ sqs: env.sqs, queueUrls: env.queues.url, producer: 'test', log: captured.log });
const expectedIds = (since: Date, until: Date) =>
  flickr
    .expected({ bbox: BBOX, minUpload: seconds(since), maxUpload: seconds(until), licences: CC_LICENCES })
    .map((p) => p.id)
    .sort();

describe('the ingest service and Flickr', () => {
  it('harvests when an ingest.requested flickr-harvest message arrives', async () => {
    start();
    await publisher().publish(ingestRequested, {
      kind: 'flickr-harvest',
      bbox: BBOX,
      since: SINCE.toISOString(),
      until: UNTIL.toISOString(),
      incremental: false,
    });
    const expected = expectedIds(SINCE, UNTIL);
    expect(expected.length).toBeGreaterThan(100);
    await waitFor(async () => (await storedFlickrIds(env.database.sql)).length === expected.length, {
      timeoutMs: 60_000,
      message: 'the harvest',
    });
    expect(await storedFlickrIds(env.database.sql)).toEqual(expected);
    await waitFor(async () => (await queueDepth(env.sqs, env.queues.url.ingest)) === 0, {
      message: 'the request acknowledged',
    });
  });

  it('the scheduled flickr-incremental message harvests only what was uploaded since the last run of each region', async () => {
    const service = start();
    await service.harvestFlickr({ bbox: BBOX, since: SINCE, until: UNTIL });
    const before = (await storedFlickrIds(env.database.sql)).length;
    expect(before).toBe(expectedIds(SINCE, UNTIL).length);
    // New uploads after the first harvest ended.
    const later = seconds(UNTIL) + 86_400 * 10;
    const template = flickr.photos.find((p) => p.license === '4')!;
    for (let i = 0; i < 30; i++) {
      flickr.photos.push({
        ...template,
        id: String(8_000_000_000 + i),
        dateupload: later + i,
        latitude: 51.05,
        longitude: 13.74 + i * 1e-4,
      });
    }
    flickr.reset();

    // What the hourly schedule sends (EventBridge in AWS, ingest's own timer locally).
    await publisher().publish(flickrIncrementalSchedule.contract, flickrIncrementalSchedule.payload);
    // The incremental run reads up to now: everything uploaded after the first run, the new photos included.
    const end = new Date();
    const expected = expectedIds(SINCE, end);
    expect(expected.length).toBeGreaterThan(before + 30);
    await waitFor(async () => (await storedFlickrIds(env.database.sql)).length === expected.length, {
      timeoutMs: 60_000,
      message: 'the incremental harvest',
    });
    expect(await storedFlickrIds(env.database.sql)).toEqual(expected);
    const first = flickr.calls[0]!;
    expect(Number(first.params.min_upload_date)).toBe(seconds(UNTIL) - INCREMENTAL_OVERLAP_SECONDS);
    expect(Number(first.params.max_upload_date)).toBeGreaterThanOrEqual(later + 29);
    // Only the new window (plus the hour of overlap) was read: its pages, nothing before.
    const window = flickr.expected({
      bbox: BBOX,
      minUpload: seconds(UNTIL) - INCREMENTAL_OVERLAP_SECONDS,
      maxUpload: seconds(end),
      licences: CC_LICENCES,
    });
    expect(flickr.calls).toHaveLength(Math.ceil(window.length / 250));
  });

  it('acknowledges a harvest request it can never run (rejected key) instead of retrying it', async () => {
    const logs = captured.text().length;
    start({ FLICKR_API_KEY: 'revoked-key-000000' });
    await publisher().publish(ingestRequested, {
      kind: 'flickr-harvest',
      bbox: BBOX,
      since: SINCE.toISOString(),
      incremental: false,
    });
    await waitFor(() => captured.text().slice(logs).includes('Flickr harvest refused'), {
      timeoutMs: 30_000,
      message: 'the refusal logged',
    });
    await waitFor(async () => (await queueDepth(env.sqs, env.queues.url.ingest)) === 0, {
      message: 'the request acknowledged',
    });
    expect(flickr.calls).toHaveLength(1);
    const line = JSON.parse(
      captured
        .text()
        .slice(logs)
        .split('\n')
        .find((l) => l.includes('Flickr harvest refused'))!,
    ) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 50,
      code: 'FLICKR_INVALID_KEY',
      msg: 'Flickr harvest refused: fix FLICKR_API_KEY and request it again',
    });
    expect(captured.text()).not.toContain('revoked-key-000000');
  });
});
