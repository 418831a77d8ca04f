import { fileImportRunning, tilesLockedByOthers, type Queryable, type TransactionSql } from '@photospots/db';
import { ClaimChooser, msUntilClaimable, type ClaimReach, type DirtyTileAge } from './claim.ts';

export interface ClaimedTile {
  tile: number;
  version: number;
}

/**
 * When a dirty tile may be re-clustered: once no write has dirtied it, nor a tile within its reach, for
 * `settleMs` (a bulk import re-dirties its tiles with every batch; clustering them meanwhile is work the next
 * batch undoes), or once it has waited `maxDelayMs` since it first became dirty, whatever still arrives
 * (msUntilClaimable). Zero for both: at once (the full rebuild, and explicit calls).
 */
export interface Settling {
  settleMs: number;
  maxDelayMs: number;
}

export const AT_ONCE: Settling = { settleMs: 0, maxDelayMs: 0 };

/** Every dirty tile with its ages, oldest last write first. */
async function dirtyTileAges(sql: Queryable): Promise<DirtyTileAge[]> {
  return sql<DirtyTileAge[]>`
    select tile,
           extract(epoch from clock_timestamp() - dirtied_at)::float8 * 1000 as "quietMs",
           extract(epoch from clock_timestamp() - first_dirtied_at)::float8 * 1000 as "waitedMs"
    from dirty_tiles order by dirtied_at, tile`;
}

/**
 * While a file import runs, how soon processing looks again whether it has ended. Its last batch's message
 * wakes processing at its end; this bounds the wait when that batch changed nothing, and announced nothing.
 */
const IMPORT_RECHECK_MS = 5_000;

/**
 * The dirty tiles that may be re-clustered now under `settling`, oldest last write first, and the milliseconds
 * until the next one may be (null: no tile is dirty).
 *
 * While a file import runs (fileImportRunning), no tile settles: the import writes anywhere in its file's
 * extent, in the file's order, so a tile it has not written for a while may be written by its next batch.
 * A tile then waits for the import's end (its last batch's message wakes processing) or its longest delay.
 * Only the tiles past that delay are read meanwhile, not the whole backlog the import is writing: every batch's
 * message asks for a pass, and reading every dirty tile for each of them cost Postgres more than the import.
 */
async function claimableTiles(
  sql: Queryable,
  settling: Settling,
  reachM: number,
): Promise<{ eligible: number[]; nextMs: number | null }> {
  // An import whose checkpoint has not moved for the longest delay stopped or died: it holds nothing back.
  if (settling.maxDelayMs > 0 && (await fileImportRunning(sql, settling.maxDelayMs))) {
    const [oldest] = await sql<{ waitedMs: number | null }[]>`
      select extract(epoch from clock_timestamp() - min(first_dirtied_at))::float8 * 1000 as "waitedMs" from dirty_tiles`;
    if (oldest?.waitedMs == null) return { eligible: [], nextMs: null };
    if (oldest.waitedMs < settling.maxDelayMs)
      return { eligible: [], nextMs: Math.min(IMPORT_RECHECK_MS, settling.maxDelayMs - oldest.waitedMs) };
    const due = await sql<{ tile: number }[]>`
      select tile from dirty_tiles
      where first_dirtied_at <= clock_timestamp() - make_interval(secs => ${settling.maxDelayMs / 1000})
      order by dirtied_at, tile`;
    return { eligible: due.map((d) => d.tile), nextMs: 0 };
  }
  const dirty = await dirtyTileAges(sql);
  const wait = msUntilClaimable(dirty, settling, reachM);
  return {
    eligible: dirty.filter((_, i) => wait[i] === 0).map((d) => d.tile),
    nextMs: dirty.length === 0 ? null : wait.reduce((a, b) => Math.min(a, b)),
  };
}

/** How long a pool's view of the dirty tiles is used before it is read again (at least). */
const POOL_REFRESH_MS = 5_000;

/**
 * The dirty tiles one worker claims from, pass after pass: read and sorted into eligible tiles once, then
 * handed out claim by claim (ClaimChooser). Reading every dirty tile for every claim would make a backlog
 * of n tiles cost O(n²); the pool reads them again only once it is empty or its view is old (POOL_REFRESH_MS,
 * or 20 times what the last read took), so tiles dirtied meanwhile wait at most that long to be seen. A tile
 * another worker rebuilt meanwhile is still in the view; the claim reads every tile's version again once its
 * area is locked and skips those no longer dirty.
 */
export class DirtyTilePool {
  readonly #settling: Settling;
  readonly #reach: ClaimReach;
  #chooser: ClaimChooser | undefined;
  #readAt = 0;
  #readMs = 0;
  #nextMs: number | null = null;

  constructor(settling: Settling = AT_ONCE, reach: ClaimReach = { areaM: 0, writesM: 0 }) {
    this.#settling = settling;
    this.#reach = reach;
  }

  /**
   * Dirty tiles that may be re-clustered now, without locking them (the caller locks their area, then reads
   * them again): one compact area, clear of the areas other workers hold (see ClaimChooser).
   */
  async peek(tx: TransactionSql, limit: number): Promise<number[]> {
    const stale = Date.now() - this.#readAt > Math.max(POOL_REFRESH_MS, 20 * this.#readMs);
    if (!this.#chooser || this.#chooser.size === 0 || stale) {
      const started = Date.now();
      const { eligible, nextMs } = await claimableTiles(tx, this.#settling, this.#reach.areaM);
      this.#chooser = new ClaimChooser(eligible, this.#reach);
      this.#nextMs = nextMs;
      this.#readAt = Date.now();
      this.#readMs = this.#readAt - started;
    }
    if (this.#chooser.size === 0) return [];
    return this.#chooser.choose(await tilesLockedByOthers(tx), limit);
  }

  /**
   * Milliseconds until the next dirty tile may be claimed as of the pool's last read (null: none was dirty;
   * see msUntilSettled). A peek that found nothing read the tiles just then, so after it this is current: a pass
   * that ends on an empty peek needs no read of its own to know when to come back.
   */
  get nextMs(): number | null {
    return this.#nextMs;
  }

  /** Tiles whose area the caller has locked: later claims from this pool leave them out. */
  taken(tiles: readonly number[]): void {
    this.#chooser?.take(tiles);
  }
}

/** One claim's tiles from a fresh read of the dirty tiles (see DirtyTilePool.peek). */
export async function peekDirtyTiles(
  tx: TransactionSql,
  limit: number,
  settling: Settling = AT_ONCE,
  reach: ClaimReach = { areaM: 0, writesM: 0 },
): Promise<number[]> {
  return new DirtyTilePool(settling, reach).peek(tx, limit);
}

/** Milliseconds until the next dirty tile may be re-clustered (0: one may now), or null when nothing is dirty. */
export async function msUntilSettled(sql: Queryable, settling: Settling, reachM = 0): Promise<number | null> {
  return (await claimableTiles(sql, settling, reachM)).nextMs;
}

/** The tiles of `tiles` that are still dirty now, with their versions. */
export async function dirtyVersions(tx: TransactionSql, tiles: readonly number[]): Promise<ClaimedTile[]> {
  if (tiles.length === 0) return [];
  return tx<ClaimedTile[]>`select tile, version from dirty_tiles where tile = any(${[...tiles]}::int[]) order by tile`;
}

/**
 * Clears claimed tiles unless they were dirtied again meanwhile: those stay for the next run, their
 * wait counted afresh (what the run saw is clustered; only the later writes are waiting).
 */
export async function clearDirtyTiles(tx: TransactionSql, claimed: readonly ClaimedTile[]): Promise<void> {
  if (claimed.length === 0) return;
  // Locked in tile order first, as ingest's markTilesDirty locks them: no deadlock between the two.
  await tx`select 1 from dirty_tiles where tile = any(${claimed.map((c) => c.tile)}::int[]) order by tile for update`;
  await tx`
    with c as (select * from unnest(${claimed.map((c) => c.tile)}::int[], ${claimed.map((c) => c.version)}::int[]) as c(tile, version)),
    cleared as (delete from dirty_tiles d using c where d.tile = c.tile and d.version = c.version)
    update dirty_tiles d set first_dirtied_at = now() from c where d.tile = c.tile and d.version <> c.version`;
}

/** Dirties every tile that has photos or active hotspots: the full rebuild. */
export async function markAllTilesDirty(sql: Queryable): Promise<number> {
  const [row] = await sql<{ count: number }[]>`
    with t as (
      insert into dirty_tiles (tile)
      select tile from photos union select tile from hotspots where status = 'active'
      on conflict (tile) do update set version = dirty_tiles.version + 1, dirtied_at = now()
      returning 1
    ) select count(*)::int as count from t`;
  return row?.count ?? 0;
}

export async function countDirtyTiles(sql: Queryable): Promise<number> {
  const [row] = await sql<{ count: number }[]>`select count(*)::int as count from dirty_tiles`;
  return row?.count ?? 0;
}
