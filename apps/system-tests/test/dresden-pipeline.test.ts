import { spawnSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import { haversineMeters } from '@photospots/geo';
import {
  createTestEnv,
  DRESDEN_SAMPLE_CSV,
  freePort,
  openEventStream,
  pipelineState,
  requestFileImport,
  startService,
  waitFor,
  waitForHttpOk,
  type ServiceProcess,
  type TestEnv,
} from '@photospots/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let env: TestEnv;
let services: ServiceProcess[] = [];
let api: string;

interface NearbyItem {
  id: number;
  label: string | null;
  lat: number;
  lng: number;
  distanceM: number;
  score: number;
  photoCount: number;
  userCount: number;
  tags: string[];
}

async function settled() {
  const urls = Object.values(env.queues.url);
  return waitFor(
    async () => {
      const s = await pipelineState(env.database.sql, env.sqs, urls);
      if (!s.settled || s.photos !== 17_879) return undefined;
      // …and scoring has synced the Redis index (its meta key exists only after a complete sync).
      return (await env.redis.exists(`${env.redisPrefix}hotspots:meta`)) === 1 ? s : undefined;
    },
    { timeoutMs: 150_000, intervalMs: 500, message: 'the pipeline to settle' },
  );
}

async function snapshot() {
  return env.database.sql<
    { id: number; label: string | null; photo_count: number; user_count: number; score: number }[]
  >`
    select id, label, photo_count, user_count, score from hotspots where status = 'active' order by id`;
}

beforeAll(async () => {
  env = await createTestEnv();
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  const common = env.serviceEnv({ LOG_LEVEL: 'warn', SQS_WAIT_TIME_SECONDS: '1', RESCORE_INTERVAL_MINUTES: '0' });
  services = [
    startService('ingest', common),
    startService('processing', common),
    startService('scoring', common),
    startService('query-api', { ...common, PORT: String(port) }),
  ];
  await waitForHttpOk(`${api}/readyz`);
});

afterAll(async () => {
  const codes = await Promise.all(services.map((s) => s.stop('SIGTERM')));
  await env.close();
  // Every service stops cleanly on SIGTERM.
  expect(codes).toEqual([0, 0, 0, 0]);
});

describe('the Dresden sample through the four services over SQS', () => {
  it('finds the Frauenkirche, streams its creation, and keeps one-person places out of the top 10', async () => {
    // A map open on the Neumarkt while the photos are imported.
    const changes = await openEventStream(`${api}/v1/hotspots/changes?bbox=13.735,51.049,13.748,51.056`);
    expect(changes.status).toBe(200);
    await requestFileImport(env.sqs, env.queues.url);
    const state = await settled();
    expect(state.activeHotspots).toBeGreaterThan(100);

    const res = await fetch(`${api}/v1/hotspots/nearby?lat=51.0519&lng=13.7416&radius=300&limit=20`);
    expect(res.status).toBe(200);
    // The query API answers from its in-process index, kept in step by scoring's Redis change feed.
    expect(res.headers.get('x-data-source')).toBe('memory');
    const { items } = (await res.json()) as { items: NearbyItem[] };
    const frauenkirche = items.find(
      (h) => h.distanceM <= 100 && (h.label?.toLowerCase().includes('frauenkirche') || h.tags.includes('frauenkirche')),
    );
    expect(frauenkirche).toBeDefined();
    expect(haversineMeters(frauenkirche!.lat, frauenkirche!.lng, 51.0519, 13.7416)).toBeLessThan(100);
    // The stream announced it as created, and its last event for it shows what nearby serves now.
    const { distanceM: _, ...served } = frauenkirche!;
    const eventsFor = () =>
      changes.events
        .map((e) => ({ type: e.event, data: JSON.parse(e.data) as NearbyItem }))
        .filter((e) => e.data.id === served.id);
    await waitFor(() => isDeepStrictEqual(eventsFor().at(-1)?.data, served), {
      timeoutMs: 10_000,
      message: "the stream's last event for the Frauenkirche to match nearby",
    });
    expect(eventsFor()[0]!.type).toBe('hotspot.created');
    changes.close();
    expect(items.map((h) => h.distanceM)).toEqual([...items.map((h) => h.distanceM)].sort((a, b) => a - b));

    // No hotspot whose photos come almost all (≥ 80%) from one photographer is in the top 10.
    const top = await env.database.sql<{ id: number; label: string; top_share: number }[]>`
      select h.id, h.label,
             (select max(c)::float8 / h.photo_count from (
                select count(*) as c from hotspot_photos hp join photos p on p.id = hp.photo_id
                where hp.hotspot_id = h.id group by p.owner_id) s) as top_share
      from hotspots h where h.status = 'active' order by h.score desc limit 10`;
    expect(top).toHaveLength(10);
    for (const h of top) expect(h.top_share, `${h.label} (${h.id})`).toBeLessThan(0.8);

    // The bridge's English name is one tag with its German one, which names it; the English stays searchable.
    const search = await fetch(`${api}/v1/hotspots/search?q=${encodeURIComponent('blue wonder')}`);
    expect(search.status).toBe(200);
    const found = ((await search.json()) as { items: { label: string | null; tags: string[] }[] }).items;
    const bridge = found.find((h) => h.tags.includes('bluewonder'));
    expect(bridge?.label).toMatch(/Blaues Wunder/);
    expect(found.map((h) => h.label)).not.toContainEqual(expect.stringMatching(/Bluewonder/i));

    // The landmark evaluation (npm run eval:landmarks) on what the services built: it exits 0 when its targets hold.
    const evaluation = spawnSync(
      process.execPath,
      ['tools/eval/eval-landmarks.ts', '--hotspots-from', env.databaseUrl],
      {
        cwd: new URL('../../../', import.meta.url).pathname,
        env: { ...process.env, DATABASE_POOL_MODE: env.poolMode },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(evaluation.status, `${evaluation.stdout}${evaluation.stderr}`).toBe(0);
    expect(evaluation.stdout).toContain('ok   display names as written');
  });

  it('re-importing the same file adds no photo and leaves the hotspots the same', async () => {
    const before = await snapshot();
    const [{ updated_at: lastImport }] = await env.database.sql<{ updated_at: Date }[]>`
      select updated_at from ingest_checkpoints where key = ${DRESDEN_SAMPLE_CSV}`;
    await requestFileImport(env.sqs, env.queues.url);
    await waitFor(
      async () => {
        const [row] = await env.database.sql<{ updated_at: Date; done: boolean }[]>`
          select updated_at, done from ingest_checkpoints where key = ${DRESDEN_SAMPLE_CSV}`;
        return row && row.done && row.updated_at > lastImport;
      },
      { timeoutMs: 60_000, message: 'the second import to finish' },
    );
    await settled();
    expect(await snapshot()).toEqual(before);
  });
});
