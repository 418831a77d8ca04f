import { get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { HotspotIndexWriter, type HotspotSummary } from '@photospots/hotspot-index';
import {
  createTestEnv,
  openEventStream,
  waitFor,
  type EventStream,
  type ServerSentEvent,
  type TestEnv,
} from '@photospots/test-harness';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ChangeLog, type ChangeBatch } from '../src/changes/change-log.ts';
import { buildTestApp, DRESDEN, insertHotspot } from './fixtures.ts';

let env: TestEnv;
const apps: FastifyInstance[] = [];
const streams: EventStream[] = [];

beforeAll(async () => {
  env = await createTestEnv();
});
beforeEach(() => env.truncate());
afterAll(async () => {
  for (const s of streams) s.close();
  for (const app of apps) await app.close();
  await env.close();
});

/** The old town of Dresden; the Blaues Wunder lies east of it. */
const OLD_TOWN = '13.70,51.03,13.78,51.07';

/** A query API listening on a free port (event streams need a real connection); closed after the file. */
async function serve(config: Record<string, string> = {}, deps: Parameters<typeof buildTestApp>[2] = {}) {
  const app = await buildTestApp(env, config, deps);
  apps.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const open = async (query = `?bbox=${OLD_TOWN}`, headers: Record<string, string> = {}) => {
    const stream = await openEventStream(`${base}/v1/hotspots/changes${query}`, { headers });
    streams.push(stream);
    return stream;
  };
  return { app, base, open };
}

async function summary(id: number): Promise<HotspotSummary> {
  const [row] = await env.database.sql<HotspotSummary[]>`
    select id, label, lat, lng, score, photo_count as "photoCount", user_count as "userCount", top_tags as tags
    from hotspots where id = ${id}`;
  return row!;
}

/** What scoring announces on Redis after processing changed these hotspots. */
async function announce(upserted: number[], removed: number[] = []): Promise<void> {
  const rows = await Promise.all(upserted.map(summary));
  await new HotspotIndexWriter(env.redis, env.redisPrefix).apply(rows, removed);
}

async function hotspotsVersion(): Promise<string> {
  const [row] = await env.database.sql<{ v: string }[]>`
    select (last_value - (not is_called)::int)::text as v from public.photospots_hotspots_version`;
  return row!.v;
}

function event(type: string, data: object, id: string): ServerSentEvent {
  return { event: type, data: JSON.stringify(data), id };
}

function eventsOf(stream: EventStream, count: number, message: string): Promise<ServerSentEvent[]> {
  return waitFor(() => stream.events.length >= count && stream.events, { timeoutMs: 5000, message });
}

describe('GET /v1/hotspots/changes', () => {
  it('streams a hotspot created inside the box, uncompressed, and not one created outside it', async () => {
    const { open } = await serve();
    const inBox = await open(`?bbox=${OLD_TOWN}`, { 'accept-encoding': 'gzip, br' });
    const world = await open('');
    expect(inBox.status).toBe(200);
    expect(inBox.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(inBox.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(inBox.headers.get('content-encoding')).toBeNull();
    expect(inBox.headers.get('x-request-id')).toMatch(/.+/);

    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    const bw = await insertHotspot(env, DRESDEN.blueWonder);
    await announce([fk, bw]);
    const version = await hotspotsVersion();
    const fkCreated = event('hotspot.created', await summary(fk), version);
    const bwCreated = event('hotspot.created', await summary(bw), version);
    expect(await eventsOf(world, 2, 'both creations on the world stream')).toEqual([fkCreated, bwCreated]);
    expect(await eventsOf(inBox, 1, 'the creation in the box')).toEqual([fkCreated]);
    expect(inBox.lastEventId).toBe(version);
    expect(fkCreated.data).toBe(
      JSON.stringify({
        id: fk,
        label: 'Frauenkirche',
        lat: 51.05193,
        lng: 13.74138,
        score: 640,
        photoCount: 20,
        userCount: 10,
        tags: ['frauenkirche', 'church', 'neumarkt'],
      }),
    );
  });

  it('streams updates (also of a hotspot leaving the box) and retirements with the successor', async () => {
    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    const sem = await insertHotspot(env, DRESDEN.semperoper);
    const zw = await insertHotspot(env, DRESDEN.zwinger);
    const bruehl = await insertHotspot(env, DRESDEN.bruehl);
    const { open } = await serve();
    const stream = await open();

    await env.database.sql`update hotspots set score = 700, user_count = 12 where id = ${fk}`;
    await announce([fk]);
    const v1 = await hotspotsVersion();
    const fkAfter = await summary(fk);
    expect(await eventsOf(stream, 1, 'the update')).toEqual([event('hotspot.updated', fkAfter, v1)]);

    // Processing merges the Semperoper into the Frauenkirche, retires the Zwinger and moves the Brühlsche Terrasse
    // out of the box (far east).
    await env.database.sql`update hotspots set status = 'retired', successor_id = ${fk} where id = ${sem}`;
    await env.database.sql`update hotspots set status = 'retired' where id = ${zw}`;
    await env.database.sql`update hotspots set lng = 13.9 where id = ${bruehl}`;
    const semBefore = await summary(sem);
    const zwBefore = await summary(zw);
    await announce([bruehl], [sem, zw]);
    const v2 = await hotspotsVersion();
    expect(await eventsOf(stream, 4, 'the merge, the retirement and the move')).toEqual([
      event('hotspot.updated', fkAfter, v1),
      event('hotspot.updated', await summary(bruehl), v2),
      event('hotspot.retired', { ...semBefore, successorId: fk }, v2),
      event('hotspot.retired', { ...zwBefore, successorId: null }, v2),
    ]);
  });

  it('replays what a reconnect with Last-Event-ID missed, and tells a client too far behind to reload', async () => {
    const before = await hotspotsVersion();
    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    await announce([fk]);
    const { open } = await serve();
    // Stays connected: tells when each change has been through the hub.
    const watcher = await open('');
    const first = await open();

    const sem = await insertHotspot(env, DRESDEN.semperoper);
    await announce([sem]);
    const v1 = await hotspotsVersion();
    const semCreated = event('hotspot.created', await summary(sem), v1);
    expect(await eventsOf(first, 1, 'the first creation')).toEqual([semCreated]);
    first.close();

    // While the client is away: an update and a creation.
    await env.database.sql`update hotspots set score = 900 where id = ${fk}`;
    await announce([fk]);
    await eventsOf(watcher, 2, 'the update to be through');
    const zw = await insertHotspot(env, DRESDEN.zwinger);
    await announce([zw]);
    await eventsOf(watcher, 3, 'the second creation to be through');
    const v2 = (await eventsOf(watcher, 3, ''))[1]!.id;
    const v3 = await hotspotsVersion();

    const again = await open(`?bbox=${OLD_TOWN}`, { 'last-event-id': first.lastEventId });
    expect(again.status).toBe(200);
    // The last event's version is sent again (at least once), then what was missed, in order.
    expect(await eventsOf(again, 3, 'the replay')).toEqual([
      semCreated,
      event('hotspot.updated', await summary(fk), v2),
      event('hotspot.created', await summary(zw), v3),
    ]);
    expect(again.lastEventId).toBe(v3);

    // Older than this server's log (the version before it started), not a version, or one still to come.
    for (const id of [before, 'not-a-version', String(Number(v3) + 1000)]) {
      const behind = await open(`?bbox=${OLD_TOWN}`, { 'last-event-id': id });
      expect(await eventsOf(behind, 1, `the reset for ${id}`)).toEqual([event('reset', { version: Number(v3) }, v3)]);
    }
  });

  it('follows the Postgres feed when there is no Redis', async () => {
    const { open } = await serve({ REDIS_URL: '' }, { redis: undefined });
    const stream = await open();
    const fk = await insertHotspot(env, DRESDEN.frauenkirche);
    const created = await eventsOf(stream, 1, 'the creation');
    expect(created).toEqual([event('hotspot.created', await summary(fk), created[0]!.id)]);
    await env.database.sql`update hotspots set status = 'retired', retired_at = now() where id = ${fk}`;
    const [, retired] = await eventsOf(stream, 2, 'the retirement');
    expect(retired).toEqual(event('hotspot.retired', { ...(await summary(fk)), successorId: null }, retired!.id));
    expect(Number(retired!.id)).toBeGreaterThan(Number(created[0]!.id));
  });

  it('sends a heartbeat comment on idle streams', async () => {
    const { open } = await serve({}, { streamHeartbeatMs: 50 });
    const stream = await open();
    await waitFor(() => stream.comments.includes('keep-alive'), { timeoutMs: 5000, message: 'a heartbeat' });
    expect(stream.events).toEqual([]);
  });

  it('allows STREAM_MAX_PER_CLIENT open streams per client, then answers 429 RATE_LIMITED', async () => {
    const { open } = await serve({ STREAM_MAX_PER_CLIENT: '2' });
    const [a, b] = [await open(), await open()];
    expect([a.status, b.status]).toEqual([200, 200]);
    const refused = await open();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(JSON.parse(refused.body)).toEqual({
      error: {
        code: 'RATE_LIMITED',
        message: 'At most 2 change streams per client may be open at once; close one first.',
        details: { maxStreams: 2 },
      },
    });
    a.close();
    // The slot is free once the server has seen the client go.
    const c = await waitFor(
      async () => {
        const s = await open();
        return s.status === 200 && s;
      },
      { timeoutMs: 5000, message: 'a slot to free up' },
    );
    expect(c.status).toBe(200);
  });

  it('rejects a malformed box (400) and answers 503 without the in-process index', async () => {
    const { app } = await serve({ MEMORY_INDEX: 'false' });
    const bad = await app.inject({ method: 'GET', url: '/v1/hotspots/changes?bbox=13.7,51.0,13.8' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      error: {
        code: 'INVALID_PARAMETER',
        message: "querystring parameter 'bbox' must be four numbers: minLng,minLat,maxLng,maxLat",
        details: [
          { parameter: 'bbox', in: 'querystring', problem: 'must be four numbers: minLng,minLat,maxLng,maxLat' },
        ],
      },
    });
    const off = await app.inject({ method: 'GET', url: `/v1/hotspots/changes?bbox=${OLD_TOWN}` });
    expect(off.statusCode).toBe(503);
    expect(off.json()).toEqual({
      error: {
        code: 'SERVICE_UNAVAILABLE',
        message: 'The change stream follows the in-process index, which this server runs without (MEMORY_INDEX=false).',
        details: null,
      },
    });
  });

  it('app.close() ends every open stream promptly', async () => {
    const app = await buildTestApp(env);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/hotspots/changes`;
    const open = await Promise.all([1, 2, 3].map(() => openEventStream(url)));
    expect(open.map((s) => s.status)).toEqual([200, 200, 200]);
    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await waitFor(() => closed, { timeoutMs: 5000, message: 'app.close() to return with streams open' });
    await closing;
    let ended = 0;
    for (const s of open) void s.ended.then(() => ended++);
    await waitFor(() => ended === 3, { timeoutMs: 5000, message: 'the streams to end' });
  });

  it('holds 500 idle streams in less than 100 MB', async () => {
    const { base } = await serve({ STREAM_MAX_PER_CLIENT: '1000', RATE_LIMIT_MAX: '100000' });
    const url = `${base}/v1/hotspots/changes?bbox=${OLD_TOWN}`;
    // Plain sockets, not fetch: the client's own cost is part of the measure, so keep it small.
    const connect = () =>
      new Promise<IncomingMessage>((resolve, reject) => get(url, { agent: false }, resolve).on('error', reject));
    (await connect()).destroy();
    // Collected before each reading, so the difference is what the streams hold, not garbage yet to go.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    const rssBefore = process.memoryUsage().rss;
    const responses: IncomingMessage[] = [];
    try {
      for (let i = 0; i < 500; i++) responses.push(await connect());
      expect(responses.every((r) => r.statusCode === 200)).toBe(true);
      gc();
      const grownMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
      expect(grownMb).toBeLessThan(100);
    } finally {
      for (const r of responses) r.destroy();
    }
  });
});

describe('the change log', () => {
  const batch = (version: number, at: number, changes = 1): ChangeBatch => ({
    version,
    at,
    changes: Array.from({ length: changes }, () => ({ type: 'hotspot.updated', lat: 0, lng: 0, frame: '' })),
  });

  it('keeps changes younger than minAgeMs or among the newest minChanges, whichever keeps more', () => {
    const log = new ChangeLog({ minAgeMs: 1000, minChanges: 3, maxChanges: 100 });
    log.advance(10);
    for (let v = 11; v <= 15; v++) log.record(batch(v, v * 100));
    // All younger than a second: every batch stays.
    expect(log.since(10)?.map((b) => b.version)).toEqual([11, 12, 13, 14, 15]);
    log.record(batch(16, 3000));
    // Older than a second now, but only as far as the newest three changes remain.
    expect(log.size).toBe(3);
    expect(log.since(14)?.map((b) => b.version)).toEqual([14, 15, 16]);
    expect(log.since(13)?.map((b) => b.version)).toEqual([14, 15, 16]);
    expect(log.since(12)).toBeUndefined();
    expect(log.since(17)).toBeUndefined();
  });

  it('drops the oldest batches beyond maxChanges, however young', () => {
    const log = new ChangeLog({ minAgeMs: 60_000, minChanges: 3, maxChanges: 5 });
    log.advance(1);
    log.record(batch(2, 0, 3));
    log.record(batch(3, 1, 3));
    expect(log.size).toBe(3);
    expect(log.since(1)).toBeUndefined();
    expect(log.since(2)?.map((b) => b.version)).toEqual([3]);
  });
});
