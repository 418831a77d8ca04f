import { lockTiles, markTilesDirty, tryLockTiles, type TilesHeld } from '@photospots/db';
import { influenceTiles, seededRandom, tileKeyFromXY, tileXYFromKey } from '@photospots/geo';
import { createTestEnv, readSamplePhotos, seedPhotos, type TestEnv } from '@photospots/test-harness';
import { pino } from 'pino';
import { buildProcessing } from '../src/app.ts';
import { loadProcessingConfig } from '../src/config.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chooseClaim, ClaimChooser, claimLocks, type ClaimReach } from '../src/dirty-tiles/claim.ts';
import { peekDirtyTiles } from '../src/dirty-tiles/dirty-tile-repository.ts';

/** Tiles near Dresden by column and row offset (z14 tiles there are ~1.5 km wide). */
const at = (x: number, y: number) => tileKeyFromXY(8800 + x, 5470 + y);
const offset = (key: number) => {
  const { x, y } = tileXYFromKey(key);
  return [x - 8800, y - 5470];
};
const REACH: ClaimReach = { areaM: 400, writesM: 300 }; // one ring of tiles each
/** Tiles another worker holds exclusively (its area) and shared (where its writes reach). */
const held = (area: number[], writes: number[] = []): TilesHeld => ({ any: [...area, ...writes], exclusive: area });
const NONE = held([]);

describe('choosing a claim', () => {
  it('takes the oldest tile and the tiles nearest to it, ring by ring, oldest first within a ring', () => {
    const eligible = [at(5, 5), at(9, 9), at(6, 5), at(0, 0), at(4, 4), at(7, 7)]; // oldest first
    expect(chooseClaim(eligible, NONE, 4, REACH).map(offset)).toEqual([
      [5, 5],
      [6, 5],
      [4, 4],
      [7, 7],
    ]);
  });

  it('keeps its area clear of tiles another worker holds, and starts at the oldest tile that is clear', () => {
    const eligible = [at(0, 0), at(1, 0), at(2, 0), at(3, 0), at(4, 0), at(5, 0)];
    const busy = held([at(-1, 0), at(0, 0), at(1, 0)]); // another worker's area (its claim and its ring)
    // at(2, 0) would lock a busy tile in its area, at(3, 0) one where its writes reach; at(4, 0) is clear.
    expect(chooseClaim(eligible, busy, 10, REACH).map(offset)).toEqual([
      [4, 0],
      [5, 0],
    ]);
  });

  it("lets the tiles its writes reach overlap those of another worker, but not that worker's area", () => {
    const eligible = [at(3, 0), at(4, 0), at(5, 0)];
    // Another worker re-clusters tiles -1–1 and writes into tile 2.
    const busy = held([at(-1, 0), at(0, 0), at(1, 0)], [at(2, 0)]);
    // at(3, 0) would re-cluster tile 2 and write into tile 1; at(4, 0) writes into tile 2 alongside it.
    expect(chooseClaim(eligible, busy, 10, REACH).map(offset)).toEqual([
      [4, 0],
      [5, 0],
    ]);
    expect(claimLocks([at(4, 0)], REACH)).toEqual({
      area: [at(3, -1), at(4, -1), at(5, -1), at(3, 0), at(4, 0), at(5, 0), at(3, 1), at(4, 1), at(5, 1)].sort(
        (a, b) => a - b,
      ),
      writes: expect.arrayContaining([at(2, 0), at(6, 0), at(2, -2), at(6, 2)]),
    });
    expect(claimLocks([at(4, 0)], REACH).writes).toHaveLength(25 - 9);
  });

  it('measures reach across the antimeridian: the tile beyond 180° in the same row is a neighbour, two rows up is not', () => {
    const SIDE = 2 ** 14;
    const west = tileKeyFromXY(0, 5470);
    const far = tileKeyFromXY(100, 5470);
    expect(chooseClaim([west, far], held([tileKeyFromXY(SIDE - 1, 5470)]), 10, REACH)).toEqual([far]);
    // Key arithmetic without wrapping would take x - 1 of column 0 for the last column one row up;
    // three rows up is beyond both the area (one ring) and the writes (two rings).
    expect(chooseClaim([west, far], held([tileKeyFromXY(SIDE - 1, 5467)]), 10, REACH)[0]).toBe(west);
  });

  it('takes the oldest tile when no tile is clear (its worker retries until the area is free): never an empty claim while tiles are dirty', () => {
    const eligible = [at(1, 0), at(0, 1)];
    expect(chooseClaim(eligible, held([at(0, 0)]), 10, REACH).map(offset)).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(chooseClaim([], held([at(0, 0)]), 10, REACH)).toEqual([]);
  });
});

/**
 * The claim as a sort of the whole backlog would choose it: the clear tiles (or all, if none is clear) by
 * ring around the oldest of them, oldest first within a ring.
 */
function claimBySortingEverything(eligible: number[], busy: TilesHeld, limit: number): number[] {
  const heldTiles = new Set(busy.any);
  const areas = new Set(busy.exclusive);
  const clear = (key: number) => {
    const { area, writes } = claimLocks([key], REACH);
    return !area.some((t) => heldTiles.has(t)) && !writes.some((t) => areas.has(t));
  };
  const free = eligible.filter(clear);
  const pool = free.length > 0 ? free : eligible;
  const s = tileXYFromKey(pool[0]!);
  const ring = (key: number) => {
    const { x, y } = tileXYFromKey(key);
    return Math.max(Math.abs(x - s.x), Math.abs(y - s.y));
  };
  return pool
    .map((tile, age) => ({ tile, age, ring: ring(tile) }))
    .sort((a, b) => a.ring - b.ring || a.age - b.age)
    .slice(0, limit)
    .map((c) => c.tile);
}

describe('claims from a large backlog', () => {
  /** `n` distinct dirty tiles in a square of `side` tiles, in a random order of age. */
  const backlog = (n: number, random: () => number, side = 30) => {
    const tiles = new Set<number>();
    while (tiles.size < n) tiles.add(at(Math.floor(random() * side), Math.floor(random() * side)));
    return [...tiles];
  };

  it('chooses each claim as a sort of the whole backlog would, with and without other workers', () => {
    const random = seededRandom(3);
    for (let round = 0; round < 40; round++) {
      const eligible = backlog(50 + Math.floor(random() * 800), random);
      const busy =
        round % 2 === 0
          ? NONE
          : held(
              Array.from({ length: 9 }, (_, k) => at(20 + (k % 3), 20 + Math.floor(k / 3))),
              [at(18, 20), at(24, 22)],
            );
      const limit = 1 + Math.floor(random() * 120);
      expect(chooseClaim(eligible, busy, limit, REACH)).toEqual(claimBySortingEverything(eligible, busy, limit));
    }
  });

  it('hands out every dirty tile exactly once, claim after claim, each within 32 rings of its first tile', () => {
    // Sparse over 120 × 120 tiles (~180 km): a claim gathers tiles from at most 32 rings around its seed.
    const eligible = backlog(3000, seededRandom(4), 120);
    const chooser = new ClaimChooser(eligible, REACH);
    const seen = new Set<number>();
    let claims = 0;
    while (chooser.size > 0) {
      const claim = chooser.choose(NONE, 96);
      expect(claim.length).toBeGreaterThan(0);
      for (const t of claim) {
        expect(seen.has(t)).toBe(false);
        seen.add(t);
      }
      const seed = tileXYFromKey(claim[0]!);
      for (const t of claim) {
        const { x, y } = tileXYFromKey(t);
        expect(Math.max(Math.abs(x - seed.x), Math.abs(y - seed.y))).toBeLessThanOrEqual(32);
      }
      chooser.take(claim);
      claims++;
    }
    expect(seen.size).toBe(3000);
    expect(claims).toBeLessThan(3000 / 50);
  });
});

describe('claims of two workers', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  beforeEach(() => env.truncate());
  afterAll(() => env.close());

  const row = (n: number) => Array.from({ length: n }, (_, x) => at(x, 0));

  it('a second worker claims tiles clear of the area the first one has locked, instead of queueing behind it', async () => {
    const sql = env.database.sql;
    await markTilesDirty(sql, row(10));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const first = sql.begin(async (tx) => {
      const claim = await peekDirtyTiles(tx, 3, undefined, REACH);
      const { area, writes } = claimLocks(claim, REACH); // as a rebuild locks: its area, and shared its writes
      expect(await tryLockTiles(tx, area, writes)).toBe(true);
      locked();
      await held;
      return claim;
    });
    await isLocked;
    const second = await sql.begin((tx) => peekDirtyTiles(tx, 3, undefined, REACH));
    release();
    expect((await first).map(offset)).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
    ]);
    // Tiles -1–3 are its area and tile 4 its writes: tile 5 would write into tile 3, so the second claim
    // starts at tile 6.
    expect(second.map(offset)).toEqual([
      [6, 0],
      [7, 0],
      [8, 0],
    ]);
  });

  it('takes area locks without waiting: false at once when another transaction holds one, and the partial locks go with the transaction', async () => {
    const sql = env.database.sql;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = sql.begin(async (tx) => {
      await lockTiles(tx, [at(5, 0)]);
      locked();
      await held;
    });
    await isLocked;
    const started = performance.now();
    expect(await sql.begin((tx) => tryLockTiles(tx, row(10)))).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
    // Tiles 0–4 were locked by that attempt and went with its transaction: another one takes them.
    expect(await sql.begin((tx) => tryLockTiles(tx, row(5)))).toBe(true);
    release();
    await holder;
    expect(await sql.begin((tx) => tryLockTiles(tx, row(10)))).toBe(true);
  });

  it("grants two workers the tiles both their writes reach, shared, but never one worker's area where the other writes", async () => {
    const sql = env.database.sql;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const first = claimLocks([at(0, 0)], REACH); // area: tiles -1–1; writes: tiles -2 and 2
    const holder = sql.begin(async (tx) => {
      expect(await tryLockTiles(tx, first.area, first.writes)).toBe(true);
      locked();
      await held;
    });
    await isLocked;
    const attempt = (claim: number) =>
      sql.begin(async (tx) => {
        const { area, writes } = claimLocks([at(claim, 0)], REACH);
        return tryLockTiles(tx, area, writes);
      });
    expect(await attempt(4)).toBe(true); // area 3–5, writes into tile 2 alongside the first
    expect(await attempt(3)).toBe(false); // area 2–4: tile 2, where the first writes
    expect(await attempt(-3)).toBe(false); // writes into tile -1, the first's area
    release();
    await holder;
    expect(await attempt(3)).toBe(true);
  });

  it('a worker whose area another holds does not queue behind it: it retries and rebuilds once the area is free', async () => {
    const tiles = await seedPhotos(env.database.sql, readSamplePhotos().slice(0, 1_000));
    await markTilesDirty(env.database.sql, tiles);
    const worker = buildProcessing(loadProcessingConfig(env.serviceEnv()), {
      database: env.database,
      sqs: env.sqs,
      queues: env.queues,
      log: pino({ level: 'silent' }),
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = env.database.sql.begin(async (tx) => {
      await lockTiles(tx, influenceTiles(tiles, 2_000)); // every tile's area: nothing is clear
      locked();
      await held;
    });
    await isLocked;
    const rebuilt = worker.rebuildDirty();
    await new Promise((r) => setTimeout(r, 600));
    const waiting = await env.database.sql<
      { n: number }[]
    >`select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database()) and not granted`;
    expect(waiting[0]!.n).toBe(0); // polling, not queued on a lock
    expect(await env.database.sql`select 1 from dirty_tiles`).not.toHaveLength(0);
    release();
    await holder;
    const results = await rebuilt;
    expect(results.reduce((n, r) => n + r.tilesClaimed, 0)).toBe(new Set(tiles).size);
    expect(await env.database.sql`select 1 from dirty_tiles`).toHaveLength(0);
    await worker.stop();
  });
});
