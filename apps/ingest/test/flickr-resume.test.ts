import path from 'node:path';
import { photosIngested } from '@photospots/contracts';
import {
  createTestEnv,
  FAKE_FLICKR_BBOX,
  generateFlickrPopulation,
  REPO_ROOT,
  startFakeFlickr,
  startProcess,
  waitFor,
  type FakeFlickr,
  type TestEnv,
} from '@photospots/test-harness';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIngest } from '../src/app.ts';
import {
  callKeys,
  CC_LICENCES,
  flickrConfig,
  receiveAll,
  seconds,
  SINCE,
  storedFlickrIds,
  UNTIL,
} from './flickr-fixture.ts';

let env: TestEnv;
let flickr: FakeFlickr;
const log = pino({ level: 'silent' });
const CLI = path.join(REPO_ROOT, 'apps', 'ingest', 'src', 'cli.ts');
const BBOX_ARG = `${FAKE_FLICKR_BBOX.minLng},${FAKE_FLICKR_BBOX.minLat},${FAKE_FLICKR_BBOX.maxLng},${FAKE_FLICKR_BBOX.maxLat}`;

beforeAll(async () => {
  env = await createTestEnv();
  flickr = await startFakeFlickr({ photos: generateFlickrPopulation({ count: 20_000, seed: 7 }) });
});
beforeEach(async () => {
  await env.truncate();
  await receiveAll(env.sqs, env.queues.url.photosIngested, photosIngested);
  flickr.reset();
  flickr.setLatency(0);
});
afterAll(async () => {
  await flickr.stop();
  await env.close();
});

const expectedIds = () =>
  flickr
    .expected({ bbox: FAKE_FLICKR_BBOX, minUpload: seconds(SINCE), maxUpload: seconds(UNTIL), licences: CC_LICENCES })
    .map((p) => p.id)
    .sort();

/** Pages stored before an interruption, per the checkpoints: "bbox@min-max#page". */
async function committedPages(): Promise<string[]> {
  const rows = await env.database.sql<{ key: string; page: number }[]>`
    select key, (state->>'page')::int as page from ingest_checkpoints where job = 'flickr-query' and state->>'kind' = 'leaf'`;
  return rows.flatMap((r) => {
    const q = r.key.slice(r.key.indexOf('|') + 1);
    return Array.from({ length: r.page }, (_, i) => `${q}#${i + 1}`);
  });
}

/**
 * What the photos.ingested messages announced in total, counting each batch
 * once: the outbox delivers at least once, so a process killed between
 * sending and deleting a row has it sent again, as the same batch.
 */
async function announcedPhotos(): Promise<number> {
  const messages = await receiveAll(env.sqs, env.queues.url.photosIngested, photosIngested);
  const batches = new Map(messages.map((m) => [m.payload.batchId, m.payload.photoCount]));
  return [...batches.values()].reduce((sum, n) => sum + n, 0);
}

describe('resuming an interrupted harvest', () => {
  it('after an injected failure, a second run resumes at the next unstored page: nothing lost, nothing twice', async () => {
    const ingest = buildIngest(flickrConfig(env, flickr, { FLICKR_CONCURRENCY: '2' }), {
      database: env.database,
      sqs: env.sqs,
      queues: env.queues,
      log,
      flickrRetry: { maxAttempts: 2, baseMs: 1, capMs: 2 },
    });
    try {
      let injected = false;
      const failure = await ingest
        .harvestFlickr(
          { bbox: FAKE_FLICKR_BBOX, since: SINCE, until: UNTIL },
          {
            // After ten pages Flickr fails for good (for this run): every retry of the next calls gets a 500.
            onProgress: (p) => {
              if (p.pagesThisRun >= 10 && !injected) {
                injected = true;
                flickr.injectFaults(...Array.from({ length: 4 }, () => ({ kind: 'http' as const, status: 500 })));
              }
            },
          },
        )
        .catch((err: unknown) => err as { code: string });
      expect(failure).toMatchObject({ code: 'FLICKR_CALL_FAILED' });
      const storedBefore = (await storedFlickrIds(env.database.sql)).length;
      expect(storedBefore).toBeGreaterThanOrEqual(10 * 250);
      expect(storedBefore).toBeLessThan(expectedIds().length);
      const done = await committedPages();
      flickr.reset();

      const report = await ingest.harvestFlickr({ bbox: FAKE_FLICKR_BBOX, since: SINCE, until: UNTIL });
      expect(report.resumed).toBe(true);
      expect(await storedFlickrIds(env.database.sql)).toEqual(expectedIds());
      // Totals over both runs: every photo inserted exactly once.
      expect(report).toMatchObject({ inserted: expectedIds().length, updated: 0, unchanged: 0 });
      // No page stored before the failure was asked for again.
      const again = callKeys(flickr).filter((k) => done.includes(k));
      expect(again).toEqual([]);
      await ingest.flushOutbox();
      expect(await announcedPhotos()).toBe(expectedIds().length);
    } finally {
      await ingest.stop();
    }
  });

  it('a CLI harvest SIGKILLed mid-way and run again with the same arguments ends with every photo once', async () => {
    // Small batches, so several commits happen before the kill.
    const processEnv = env.serviceEnv({
      FLICKR_API_KEY: flickr.apiKey,
      FLICKR_API_URL: flickr.url,
      FLICKR_RATE_PER_HOUR: '0',
      INGEST_BATCH_SIZE: '1000',
      LOG_LEVEL: 'warn',
    });
    // Slow enough that the kill lands mid-harvest, not after it.
    flickr.setLatency(40);
    const args = [CLI, 'flickr', '--bbox', BBOX_ARG, '--since', '2008-01-01', '--until', '2020-12-31'];
    const first = startProcess('ingest-cli', process.execPath, args, processEnv);
    await waitFor(async () => (await storedFlickrIds(env.database.sql)).length >= 3_000, {
      timeoutMs: 60_000,
      message: '3,000 photos stored',
    });
    expect(await first.stop('SIGKILL')).toBe('SIGKILL');
    const storedBefore = (await storedFlickrIds(env.database.sql)).length;
    expect(storedBefore).toBeLessThan(expectedIds().length);
    const done = await committedPages();
    const callsBefore = flickr.calls.length;

    flickr.setLatency(0);
    const second = startProcess('ingest-cli', process.execPath, [...args, '--json'], processEnv);
    const code = await waitFor(() => second.child.exitCode ?? undefined, {
      timeoutMs: 120_000,
      message: 'the second run to finish',
    });
    expect(code, second.output()).toBe(0);
    const report = JSON.parse(second.output().slice(second.output().indexOf('{'))) as {
      resumed: boolean;
      inserted: number;
      updated: number;
    };
    expect(report).toMatchObject({ resumed: true, inserted: expectedIds().length, updated: 0 });
    expect(await storedFlickrIds(env.database.sql)).toEqual(expectedIds());
    expect(callKeys(flickr, callsBefore).filter((k) => done.includes(k))).toEqual([]);
    // Both processes relayed their outbox: each photo was announced once.
    await waitFor(
      async () => {
        const [{ n }] = await env.database.sql<{ n: number }[]>`select count(*)::int as n from outbox`;
        return n === 0;
      },
      { message: 'outbox drained' },
    );
    expect(await announcedPhotos()).toBe(expectedIds().length);
  }, 180_000);

  it('the CLI refuses a bad key with a clear message and exit code 1, and never prints the key', async () => {
    const badKey = 'definitely-not-valid-0001';
    const run = startProcess(
      'ingest-cli',
      process.execPath,
      [CLI, 'flickr', '--bbox', BBOX_ARG, '--since', '2019-01-01'],
      env.serviceEnv({ FLICKR_API_KEY: badKey, FLICKR_API_URL: flickr.url, LOG_LEVEL: 'debug' }),
    );
    const code = await waitFor(() => run.child.exitCode ?? undefined, {
      timeoutMs: 60_000,
      message: 'the CLI to exit',
    });
    expect(code).toBe(1);
    expect(run.output()).toContain(
      'ingest: Flickr rejected the API key (code 100: Invalid API Key (Key not found)). Set FLICKR_API_KEY',
    );
    expect(run.output()).not.toContain(badKey);
    expect(flickr.calls).toHaveLength(1);
  });

  it('the CLI explains a bad --bbox without touching Flickr', async () => {
    const run = startProcess(
      'ingest-cli',
      process.execPath,
      [CLI, 'flickr', '--bbox', '13.9,51,13.6,51.1', '--since', '2019-01-01'],
      env.serviceEnv({ FLICKR_API_KEY: flickr.apiKey, FLICKR_API_URL: flickr.url }),
    );
    const code = await waitFor(() => run.child.exitCode ?? undefined, {
      timeoutMs: 60_000,
      message: 'the CLI to exit',
    });
    expect(code).toBe(2);
    expect(run.output()).toContain('ingest: --bbox 13.9,51,13.6,51.1: min must be below max');
    expect(flickr.calls).toHaveLength(0);
  });
});
