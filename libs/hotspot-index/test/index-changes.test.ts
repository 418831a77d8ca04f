import { createTestEnv, waitFor, type TestEnv } from '@photospots/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HotspotIndexReader,
  HotspotIndexWriter,
  indexKeys,
  parseIndexChange,
  type HotspotSummary,
  type IndexChange,
} from '../src/index.ts';

let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

const spot = (id: number, score: number): HotspotSummary => ({
  id,
  label: `S${id}`,
  lat: 51.05,
  lng: 13.74 + id / 1000,
  score,
  photoCount: 5,
  userCount: 3,
  tags: [],
});

describe('the changes channel', () => {
  it('announces every apply and full sync with a version that only grows, in the same round trip as the writes', async () => {
    const keys = indexKeys(env.redisPrefix);
    const subscriber = env.redis.duplicate();
    const received: IndexChange[] = [];
    subscriber.on('message', (_channel: string, message: string) => received.push(parseIndexChange(message)!));
    await subscriber.subscribe(keys.changes);
    try {
      const writer = new HotspotIndexWriter(env.redis, env.redisPrefix);
      await writer.replaceAll(
        (async function* () {
          yield [spot(1, 10), spot(2, 20)];
        })(),
      );
      await writer.apply([spot(3, 30)], [1]);
      await waitFor(() => received.length === 2, { timeoutMs: 3000, message: 'two announcements' });
      expect(received).toEqual([
        { full: true, version: 1 },
        { upserted: [3], removed: [1], version: 2 },
      ]);
      expect(await env.redis.get(keys.version)).toBe('2');
      expect((await new HotspotIndexReader(env.redis, env.redisPrefix).top(5))!.map((h) => h.id)).toEqual([3, 2]);
    } finally {
      subscriber.disconnect();
    }
  });

  it('parses what writers publish and rejects anything else as null', () => {
    expect(parseIndexChange('{"upserted":[1,2],"removed":[],"version":7}')).toEqual({
      upserted: [1, 2],
      removed: [],
      version: 7,
    });
    expect(parseIndexChange('{"full":true}')).toEqual({ full: true });
    // Messages from writers before versions existed still parse.
    expect(parseIndexChange('{"upserted":[1],"removed":[2]}')).toEqual({ upserted: [1], removed: [2] });
    for (const bad of ['', 'nope', '{"upserted":["1"],"removed":[]}', '{"upserted":[1]}', '[]', 'null'])
      expect(parseIndexChange(bad)).toBeNull();
  });
});
