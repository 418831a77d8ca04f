import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { hotspotsChanged, ingestRequested, photosIngested } from '@photospots/contracts';
import { HotspotIndexReader } from '@photospots/hotspot-index';
import { MessagePublisher } from '@photospots/queue';
import {
  createTestEnv,
  DRESDEN_SAMPLE_CSV,
  LBSN_HEADER,
  lbsnRow,
  queueDepth,
  REPO_ROOT,
  waitFor,
  type TestEnv,
} from '@photospots/test-harness';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reconcile, settled, STACK_SECRETS, startLocalStack, type LocalStack } from './support/local-stack.ts';

const run = promisify(execFile);
const SAMPLE_PHOTOS = 17_879;
let env: TestEnv;
let stack: LocalStack | undefined;

const publisher = () =>
  new MessagePublisher({ sqs: env.sqs, queueUrls: env.queues.url, producer: 'test', log: pino({ level: 'silent' }) });
const requestImport = (location = DRESDEN_SAMPLE_CSV) =>
  publisher().publish(ingestRequested, { kind: 'file-import', location, format: 'lbsn-csv' });
const photoCount = async () => (await env.database.sql<{ n: number }[]>`select count(*)::int as n from photos`)[0]!.n;

/**
 * The Dresden sample `copies` times over, each copy's photos under ids of their own: an import long enough
 * (at small batches) that a fault injected once some photos are stored surely lands mid-import.
 */
function repeatedSampleFile(copies: number): string {
  const [header, ...rows] = readFileSync(DRESDEN_SAMPLE_CSV, 'utf8').trimEnd().split('\n');
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'faults-')), 'repeated.csv');
  // The guid is the fourth field: "origin",lat,lng,"guid",…
  const copy = (i: number) => rows.map((r) => r.replace(/^("[^"]*",[^,]*,[^,]*,")/, `$1copy${i}-`));
  writeFileSync(file, `${[header, ...Array.from({ length: copies }, (_, i) => copy(i)).flat()].join('\n')}\n`);
  return file;
}

/** A small file with a new place: `users` photographers at one spot, tagged `tag`. */
function newPlaceFile(tag: string, lat: number, lng: number, users = 12): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'faults-'));
  const file = path.join(dir, `${tag}.csv`);
  const rows = Array.from({ length: users * 2 }, (_, i) =>
    lbsnRow({
      guid: `${tag}-${i}`,
      user: `${tag}-user-${i % users}`,
      lat: lat + (i % 5) * 1e-5,
      lng: lng + (i % 7) * 1e-5,
      tags: [tag],
    }),
  );
  writeFileSync(file, `${[LBSN_HEADER, ...rows].join('\n')}\n`);
  return file;
}

async function nearby(lat: number, lng: number) {
  const res = await fetch(`${stack!.api}/v1/hotspots/nearby?lat=${lat}&lng=${lng}&radius=200`);
  return {
    status: res.status,
    source: res.headers.get('x-data-source'),
    items: ((await res.json()) as { items: { tags: string[] }[] }).items,
  };
}

beforeEach(async () => {
  env = await createTestEnv();
});
afterEach(async () => {
  if (stack) {
    const exitCodes = await stack.stopAll();
    // What each service wrote last, shutdown included: the story of a failure.
    const outputs = [...stack.services.values()].map((s) => `--- ${s.name}\n${s.output().slice(-6000)}`).join('\n');
    // Every service stops cleanly on SIGTERM, even after the faults it went through…
    expect(exitCodes, outputs).toEqual([0, 0, 0, 0]);
    // …and no secret it was given appears in anything it wrote, errors included.
    for (const svc of stack.services.values()) {
      for (const secret of Object.values(STACK_SECRETS))
        expect(svc.output().includes(secret), `${secret} in ${svc.name}'s output`).toBe(false);
    }
  }
  stack = undefined;
  await env.close();
});

describe('faults', () => {
  it('ingest killed (SIGKILL) mid-import: after restart every photo is stored exactly once and hotspots are consistent', async () => {
    stack = await startLocalStack(env, { INGEST_BATCH_SIZE: '1000', SQS_VISIBILITY_TIMEOUT_SECONDS: '4' });
    await requestImport();
    await waitFor(async () => (await photoCount()) >= 3000, { timeoutMs: 60_000, message: 'some batches to commit' });
    expect(await stack.services.get('ingest')!.stop('SIGKILL')).toBe('SIGKILL');
    expect(await photoCount()).toBeLessThan(SAMPLE_PHOTOS);
    await stack.start('ingest');
    await settled(env, SAMPLE_PHOTOS);
    expect(await reconcile(env)).toMatchObject({
      photos: SAMPLE_PHOTOS,
      distinct_sources: SAMPLE_PHOTOS,
      count_mismatches: 0,
      orphan_memberships: 0,
    });
    const r = await reconcile(env);
    expect(r.distinct_members).toBe(r.memberships);
    const [checkpoint] = await env.database.sql<
      { done: boolean }[]
    >`select done from ingest_checkpoints where key = ${DRESDEN_SAMPLE_CSV}`;
    expect(checkpoint).toEqual({ done: true });
  });

  it('ingest stopped (SIGTERM) mid-import exits 0 after its current batch, and the import resumes where it stopped', async () => {
    stack = await startLocalStack(env, { INGEST_BATCH_SIZE: '1000' });
    await requestImport();
    await waitFor(async () => (await photoCount()) >= 2000, { timeoutMs: 60_000, message: 'some batches to commit' });
    const started = Date.now();
    expect(await stack.services.get('ingest')!.stop('SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeLessThan(25_000);
    const stoppedAt = await photoCount();
    expect(stoppedAt % 1000).toBe(0); // whole batches only: nothing half-written
    await stack.start('ingest');
    await settled(env, SAMPLE_PHOTOS);
    const [checkpoint] = await env.database.sql<
      { state: { counters: { inserted: number } } }[]
    >`select state from ingest_checkpoints where key = ${DRESDEN_SAMPLE_CSV}`;
    expect(checkpoint!.state.counters.inserted).toBe(SAMPLE_PHOTOS);
    expect(await reconcile(env)).toMatchObject({ photos: SAMPLE_PHOTOS, count_mismatches: 0, orphan_memberships: 0 });
  });

  it('processing killed (SIGKILL) while re-clustering: nothing half-written, the work is redone after restart', async () => {
    stack = await startLocalStack(env, { SQS_VISIBILITY_TIMEOUT_SECONDS: '4', INGEST_BATCH_SIZE: '2000' });
    await requestImport();
    await waitFor(async () => (await photoCount()) >= 6000, { timeoutMs: 60_000, message: 'photos to arrive' });
    expect(await stack.services.get('processing')!.stop('SIGKILL')).toBe('SIGKILL');
    await waitFor(async () => (await photoCount()) === SAMPLE_PHOTOS, {
      timeoutMs: 60_000,
      message: 'the import to finish',
    });
    await stack.start('processing');
    await settled(env, SAMPLE_PHOTOS);
    const r = await reconcile(env);
    expect(r).toMatchObject({ photos: SAMPLE_PHOTOS, count_mismatches: 0, orphan_memberships: 0 });
    expect(r.distinct_members).toBe(r.memberships);
    expect((await nearby(51.0519, 13.7416)).items.length).toBeGreaterThan(0);
  });

  // Closed (FIN, a restart) or reset (RST, as a failover or a load balancer drops them): both must be survived.
  it.each([
    { how: 'closed', reset: false },
    { how: 'reset', reset: true },
  ])(
    'Postgres unreachable mid-run, connections $how: /readyz says not ready, services reconnect, no message or photo is lost',
    async ({ reset }) => {
      // Debug logs: a failure then shows how far the import got and what each retry did.
      stack = await startLocalStack(env, {
        INGEST_BATCH_SIZE: '2000',
        SQS_VISIBILITY_TIMEOUT_SECONDS: '5',
        LOG_LEVEL: 'debug',
      });
      await requestImport();
      await waitFor(async () => (await photoCount()) >= 2000, { timeoutMs: 60_000, message: 'photos to arrive' });
      stack.proxies.postgres.cut({ reset });
      const ready = await waitFor(
        async () => {
          const res = await fetch(`${stack!.healthUrl('ingest')}/readyz`);
          return res.status === 503
            ? ((await res.json()) as { checks: Record<string, { status: string }> })
            : undefined;
        },
        { timeoutMs: 15_000, message: 'ingest to report not ready' },
      );
      expect(ready.checks.database?.status).toBe('down');
      await new Promise((r) => setTimeout(r, 3_000));
      stack.proxies.postgres.restore();
      await settled(env, SAMPLE_PHOTOS);
      expect(await reconcile(env)).toMatchObject({
        photos: SAMPLE_PHOTOS,
        distinct_sources: SAMPLE_PHOTOS,
        count_mismatches: 0,
        orphan_memberships: 0,
      });
      expect((await fetch(`${stack.healthUrl('ingest')}/readyz`)).status).toBe(200);
    },
  );

  it('Postgres partitioned mid-import (replies lost, nothing closed): the batch is given up, the message retried, the import completes once it heals', async () => {
    stack = await startLocalStack(env, {
      INGEST_BATCH_SIZE: '500',
      SQS_VISIBILITY_TIMEOUT_SECONDS: '5',
      INGEST_BATCH_TIMEOUT_SECONDS: '3',
      SQS_HANDLER_STALL_SECONDS: '5',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'debug',
    });
    const ingest = stack.services.get('ingest')!;
    await requestImport(repeatedSampleFile(3));
    await waitFor(async () => (await photoCount()) >= 2000, { timeoutMs: 60_000, message: 'photos to arrive' });
    stack.proxies.postgres.partition();
    // A wait on a reply that never comes is bounded: the batch gives up (or, on a pooled connection gone
    // silent, the handler's stall watchdog does) and the message goes back for a retry.
    await waitFor(() => /BATCH_TIMEOUT|HANDLER_STALLED/.test(ingest.output()), {
      timeoutMs: 20_000,
      message: 'the stuck batch to be given up',
    });
    stack.proxies.postgres.restore();
    await settled(env, 3 * SAMPLE_PHOTOS);
    expect(await reconcile(env)).toMatchObject({
      photos: 3 * SAMPLE_PHOTOS,
      distinct_sources: 3 * SAMPLE_PHOTOS,
      count_mismatches: 0,
      orphan_memberships: 0,
    });
  });

  it('SIGTERM while a handler is stuck on a partitioned Postgres: exit 0 within the grace period, the message released at once', async () => {
    // A visibility far longer than the test: only a release makes the message visible again.
    stack = await startLocalStack(env, {
      INGEST_BATCH_SIZE: '500',
      SQS_VISIBILITY_TIMEOUT_SECONDS: '300',
      LOG_LEVEL: 'debug',
    });
    await requestImport(repeatedSampleFile(3));
    await waitFor(async () => (await photoCount()) >= 2000, { timeoutMs: 60_000, message: 'photos to arrive' });
    stack.proxies.postgres.partition();
    await new Promise((r) => setTimeout(r, 500));
    const stopping = Date.now();
    expect(await stack.services.get('ingest')!.stop('SIGTERM')).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(25_000);
    const visible = await env.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: env.queues.url.ingest,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    expect(Number(visible.Attributes?.ApproximateNumberOfMessages)).toBe(1);
    stack.proxies.postgres.restore();
    await stack.start('ingest');
    await settled(env, 3 * SAMPLE_PHOTOS);
    expect(await reconcile(env)).toMatchObject({
      photos: 3 * SAMPLE_PHOTOS,
      distinct_sources: 3 * SAMPLE_PHOTOS,
      count_mismatches: 0,
      orphan_memberships: 0,
    });
  });

  it('Redis down: the API keeps answering, the pipeline goes on, and the Redis index is rebuilt when Redis returns', async () => {
    stack = await startLocalStack(env);
    const index = new HotspotIndexReader(env.redis, env.redisPrefix);
    await requestImport();
    await settled(env, SAMPLE_PHOTOS);
    await waitFor(async () => ((await index.top(1)) ?? []).length > 0, { message: 'the Redis index' });

    stack.proxies.redis.cut();
    const during = await nearby(51.0519, 13.7416);
    expect(during.status).toBe(200);
    expect(during.items.length).toBeGreaterThan(0);
    const ready = await fetch(`${stack.api}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: { redis: { status: string } } }).checks.redis.status).toBe('down');

    // New photos while Redis is down still become a hotspot the API serves (from Postgres).
    await requestImport(newPlaceFile('redisoutageplace', 51.1, 13.65));
    await settled(env, SAMPLE_PHOTOS + 24);
    await waitFor(async () => (await nearby(51.1, 13.65)).items.some((h) => h.tags.includes('redisoutageplace')), {
      timeoutMs: 30_000,
      message: 'the API to serve the place built while Redis was down',
    });
    const missed = await index.nearby(51.1, 13.65, 200, 10);
    expect(missed?.some((h) => h.tags.includes('redisoutageplace')) ?? false).toBe(false);

    // Scoring notices the index missed updates and rebuilds it once Redis is back.
    stack.proxies.redis.restore();
    await waitFor(
      async () => (await index.nearby(51.1, 13.65, 200, 10))?.some((h) => h.tags.includes('redisoutageplace')),
      {
        timeoutMs: 30_000,
        message: 'the rebuilt Redis index to hold the new place',
      },
    );
    expect((await nearby(51.1, 13.65)).items.some((h) => h.tags.includes('redisoutageplace'))).toBe(true);
  });

  it('SQS unreachable: the import stores its photos, says loudly that announcements wait, and they are sent once SQS is back', async () => {
    stack = await startLocalStack(env);
    stack.proxies.sqs.cut();
    const file = newPlaceFile('sqsoutageplace', 51.09, 13.66);
    const cli = await run(process.execPath, [path.join(REPO_ROOT, 'apps/ingest/src/cli.ts'), 'import', file], {
      cwd: REPO_ROOT,
      env: { ...stack.env, DATABASE_URL: env.databaseUrl, PATH: process.env.PATH ?? '' },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
    expect(cli.code).toBe(3);
    expect(cli.stderr).toContain('could not be sent to SQS yet');
    expect(await photoCount()).toBe(24);
    stack.proxies.sqs.restore();
    // The running ingest service's outbox relay sends what the CLI could not.
    await settled(env, 24);
    // Settled is the database and the queues; the API's index takes scoring's announcement a moment later.
    await waitFor(async () => (await nearby(51.09, 13.66)).items.some((h) => h.tags.includes('sqsoutageplace')), {
      timeoutMs: 30_000,
      message: 'the API to serve the place whose announcements waited for SQS',
    });
  });

  it('the same messages again, out of order and late change nothing', async () => {
    stack = await startLocalStack(env);
    await requestImport();
    await settled(env, SAMPLE_PHOTOS);
    // Scores are left out: recency depends on the clock, so a rescore minutes later differs in the 8th digit.
    const snapshot = () =>
      env.database
        .sql`select id, status, lat, lng, label, top_tags, photo_count, user_count, user_days, successor_id from hotspots order by id`;
    const scores = async () =>
      new Map(
        (await env.database.sql<{ id: number; score: number }[]>`select id, score from hotspots`).map((r) => [
          r.id,
          r.score,
        ]),
      );
    const scoresBefore = await scores();
    const before = await snapshot();
    const tiles = (await env.database.sql<{ tile: number }[]>`select distinct tile from photos order by tile`).map(
      (r) => r.tile,
    );
    const ids = before.map((h) => (h as { id: number }).id);
    const p = publisher();
    // A late duplicate of an import announcement, twice, and old hotspot changes in reverse order.
    await p.publish(photosIngested, { batchId: 'replayed', source: 'lbsn', photoCount: SAMPLE_PHOTOS, tiles });
    await p.publish(hotspotsChanged, {
      createdIds: [],
      changedIds: ids.slice().reverse(),
      retiredIds: [],
      merges: [],
      splits: [],
    });
    await p.publish(photosIngested, {
      batchId: 'replayed',
      source: 'lbsn',
      photoCount: SAMPLE_PHOTOS,
      tiles: tiles.slice().reverse(),
    });
    await requestImport();
    await waitFor(
      async () =>
        (await queueDepth(env.sqs, env.queues.url.photosIngested)) +
          (await queueDepth(env.sqs, env.queues.url.ingest)) ===
        0,
      { message: 'replays consumed' },
    );
    await settled(env, SAMPLE_PHOTOS);
    expect(await snapshot()).toEqual(before);
    for (const [id, score] of await scores()) expect(Math.abs(score - scoresBefore.get(id)!)).toBeLessThan(0.01);
  });

  it('poison messages go to the dead-letter queue while the consumers keep serving', async () => {
    stack = await startLocalStack(env);
    for (const url of Object.values(env.queues.url)) {
      await env.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"not": "a contract"' }));
      await env.sqs.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: JSON.stringify({ type: 'photos.ingested', schemaVersion: 99, payload: {}, metadata: {} }),
        }),
      );
    }
    await requestImport(newPlaceFile('afterpoison', 51.08, 13.67));
    await settled(env, 24);
    for (const [key, url] of Object.entries(env.queues.deadLetterUrl)) {
      const dead = await waitFor(
        async () => {
          const out = await env.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: url!,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
              MessageAttributeNames: ['All'],
              VisibilityTimeout: 30,
            }),
          );
          return (out.Messages?.length ?? 0) >= 2 ? out.Messages : undefined;
        },
        { message: `${key} dead letters` },
      );
      expect(dead!.map((m) => m.MessageAttributes?.errorCode?.StringValue).sort()).toEqual([
        'INVALID_JSON',
        key === 'photosIngested' ? 'UNSUPPORTED_VERSION' : 'UNKNOWN_TYPE',
      ]);
    }
  });
});
