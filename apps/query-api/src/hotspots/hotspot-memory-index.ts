import type { Database } from '@photospots/db';
import { indexKeys, parseIndexChange, type IndexChange } from '@photospots/hotspot-index';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { activeIndexLoad, indexRowsByIds } from './hotspot-read-repository.ts';
import type { HotspotSnapshot } from './hotspot-snapshot.ts';

/** Postgres channel the 0002 migration's trigger notifies after every committed change to hotspots. */
export const HOTSPOTS_CHANGED_CHANNEL = 'photospots_hotspots_changed';

/** How often the hotspots version sequence is polled while the Redis feed is not live. */
export const VERSION_POLL_MS = 1000;

/** How long start() waits for a connected Redis to confirm the change-channel subscription. */
const SUBSCRIBE_WAIT_MS = 2000;

/** The safety-net reload's period is at least this many times the last full load's duration. */
export const RELOAD_PERIOD_PER_LOAD = 10;

export type ChangeFeed = 'redis' | 'postgres' | 'none';

/** One swap of the served snapshot: the snapshots before and after, and the hotspots version the new one reflects. */
export interface SnapshotSwap {
  /** Undefined for the first load. */
  previous: HotspotSnapshot | undefined;
  next: HotspotSnapshot;
  /** The hotspots version sequence, read just before the load (global across instances). */
  version: number;
}

interface PendingChanges {
  full: boolean;
  /**
   * When the latest full reload was asked for (performance.now()): a full load whose read began at or after it
   * already reflects everything that request was about, so it is not repeated (two feeds coming up at start, or
   * a timer tick during a load, cost one load).
   */
  fullSince: number;
  upserted: Set<number>;
  removed: Set<number>;
  version: number | undefined;
}

export interface MemoryIndexOptions {
  database: Database;
  /** Absent: only the Postgres feed. */
  subscriber: Redis | undefined;
  redisKeyPrefix: string;
  log: FastifyBaseLogger;
  /**
   * Full reload interval, stretched to RELOAD_PERIOD_PER_LOAD times the last load's duration when that is longer
   * (a safety net that spends at most a tenth of the time); also how long the index may serve with no live feed.
   */
  reloadSeconds: number;
  /** Called after every swap (response caches clear themselves); `version` is scoring's, when known. */
  onChange: (version: number | undefined) => void;
  /**
   * Listen for Postgres notifications (default true); false leaves the version poll alone, as behind PGlite's
   * socket or a transaction pooler.
   */
  notifications?: boolean;
}

/**
 * Keeps a HotspotSnapshot of the active hotspots in step with the database.
 * Feeds, best first: scoring's Redis `changes` channel (incremental: only the
 * named ids are re-read); while that is absent or down, Postgres (NOTIFY from
 * the hotspots trigger, and a poll of the version sequence the same trigger
 * bumps, for databases whose notifications do not reach us, such as PGlite
 * behind its socket server), each change a full reload; and a periodic full
 * reload as a safety net. A feed coming (back) up forces a full reload, since messages
 * may have been missed meanwhile. Serves only while a feed is live or the
 * last reload is younger than two reload periods, so it never serves a
 * deleted hotspot for long.
 */
export class HotspotMemoryIndex {
  readonly #o: MemoryIndexOptions;
  #snapshot: HotspotSnapshot | undefined;
  #redisLive = false;
  #pgLive = false;
  #pending: PendingChanges | undefined;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reloadPeriodMs: number;
  /** When the last completed full load began to read (performance.now()): how old the snapshot may be. */
  #fullReadAt = -Infinity;
  #pollTimer: NodeJS.Timeout | undefined;
  #version: number | undefined;
  #settleReload = false;
  #unlisten: (() => Promise<void>) | undefined;
  #started = false;
  #stopped = false;
  readonly #refreshes = { full: 0, patch: 0 };
  readonly #swapListeners = new Set<(swap: SnapshotSwap) => void>();

  constructor(options: MemoryIndexOptions) {
    this.#o = options;
    this.#reloadPeriodMs = options.reloadSeconds * 1000;
  }

  /** Refreshes so far: full loads and patches (whether or not they changed anything). */
  get refreshes(): Readonly<Record<'full' | 'patch', number>> {
    return this.#refreshes;
  }

  /** The safety-net reload's current period. */
  get reloadPeriodMs(): number {
    return this.#reloadPeriodMs;
  }

  /** The snapshot to answer from, or undefined when it is not loaded or may be stale. */
  get snapshot(): HotspotSnapshot | undefined {
    if (!this.#snapshot) return undefined;
    if (this.feed !== 'none') return this.#snapshot;
    // Two reload periods: the periodic reload itself takes a moment.
    return performance.now() - this.#fullReadAt < 2 * this.#reloadPeriodMs ? this.#snapshot : undefined;
  }

  /** Calls `listener` after every swap of the snapshot (full or incremental), in order; returns the unsubscribe. */
  onSwap(listener: (swap: SnapshotSwap) => void): () => void {
    this.#swapListeners.add(listener);
    return () => this.#swapListeners.delete(listener);
  }

  get feed(): ChangeFeed {
    if (this.#redisLive) return 'redis';
    return this.#pgLive ? 'postgres' : 'none';
  }

  /**
   * Subscribes to the feeds, then loads the first snapshot; a failed first load is retried by the timer. What the
   * feeds report before that load is in it, so they queue nothing until then: one load at start, not one per feed.
   */
  async start(): Promise<void> {
    const { subscriber, redisKeyPrefix } = this.#o;
    let subscribed: Promise<unknown> = Promise.resolve();
    if (subscriber) {
      const channel = indexKeys(redisKeyPrefix).changes;
      subscriber.on('message', (ch: string, message: string) => {
        if (ch === channel) this.#enqueue(parseIndexChange(message) ?? { full: true });
      });
      subscriber.on('ready', () => {
        subscribed = subscriber.subscribe(channel).then(
          () => {
            this.#redisLive = true;
            this.#enqueue({ full: true });
          },
          (err: unknown) => this.#o.log.debug({ err: (err as Error).message }, 'change channel subscribe failed'),
        );
      });
      subscriber.on('close', () => {
        if (this.#redisLive) this.#o.log.info('Redis change feed lost; following Postgres notifications');
        this.#redisLive = false;
      });
      if (subscriber.status === 'ready') subscriber.emit('ready');
    }
    if (this.#o.notifications === false) {
      this.#o.log.info('following the hotspots version (no Postgres notifications through this connection)');
    } else {
      try {
        const listening = await this.#o.database.sql.listen(
          HOTSPOTS_CHANGED_CHANNEL,
          () => {
            if (!this.#redisLive) this.#enqueue({ full: true });
          },
          () => {
            // (Re)connected: anything may have changed while the listener was away.
            if (!this.#redisLive) this.#enqueue({ full: true });
          },
        );
        this.#unlisten = () => listening.unlisten();
      } catch (err) {
        this.#o.log.warn(
          { err: (err as Error).message },
          'Postgres change notifications unavailable; polling the hotspots version',
        );
      }
    }
    await this.#pollVersion();
    // A connected Redis answers a subscribe at once; a Redis still connecting comes up later, with a reload of its own.
    await Promise.race([subscribed, new Promise((resolve) => setTimeout(resolve, SUBSCRIBE_WAIT_MS).unref())]);
    this.#pollTimer = setInterval(() => void this.#pollVersion(), VERSION_POLL_MS);
    this.#pollTimer.unref();
    this.#scheduleReload();
    this.#started = true;
    this.#enqueue({ full: true });
    await this.settled();
  }

  /** Resolves when every queued change has been applied. */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearInterval(this.#pollTimer);
    await this.#unlisten?.().catch(() => undefined);
    await this.settled();
  }

  /** The next safety-net reload, one period from now (again after each full load, so reloads never queue up). */
  #scheduleReload(): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#enqueue({ full: true });
      // Rescheduled here too: a failed reload is retried a period later.
      this.#scheduleReload();
    }, this.#reloadPeriodMs);
    this.#timer.unref();
  }

  /**
   * The Postgres feed: live while the version sequence can be read. A new
   * version means a change. The sequence moves at statement time, possibly
   * before the commit, so the reload it causes is repeated on the next poll
   * (a transaction shorter than a poll period is then seen); NOTIFY, sent at
   * commit, covers longer ones where it is delivered.
   */
  async #pollVersion(): Promise<void> {
    if (this.#stopped) return;
    try {
      const version = await hotspotsVersion(this.#o.database);
      if (!this.#pgLive) this.#o.log.info('Postgres change feed live');
      this.#pgLive = true;
      const changed = this.#version !== undefined && version !== this.#version;
      this.#version = version;
      if (this.#redisLive) return;
      if (changed || this.#settleReload) this.#enqueue({ full: true });
      this.#settleReload = changed;
    } catch (err) {
      if (this.#pgLive) this.#o.log.warn({ err: (err as Error).message }, 'Postgres change feed lost');
      this.#pgLive = false;
    }
  }

  #enqueue(change: IndexChange): void {
    if (this.#stopped || !this.#started) return;
    const p = (this.#pending ??= {
      full: false,
      fullSince: 0,
      upserted: new Set(),
      removed: new Set(),
      version: undefined,
    });
    if (change.version !== undefined) p.version = Math.max(p.version ?? 0, change.version);
    if (change.full) {
      p.full = true;
      p.fullSince = performance.now();
    } else {
      for (const id of change.upserted) p.upserted.add(id);
      for (const id of change.removed) p.removed.add(id);
    }
    this.#running ??= this.#drain().finally(() => (this.#running = undefined));
  }

  /** Applies queued changes one batch at a time; changes arriving meanwhile coalesce into the next batch. */
  async #drain(): Promise<void> {
    while (this.#pending && !this.#stopped) {
      const batch = this.#pending;
      this.#pending = undefined;
      try {
        const previous = this.#snapshot;
        const readAt = performance.now();
        const full = !this.#snapshot || (batch.full && this.#fullReadAt < batch.fullSince);
        if (!full && batch.upserted.size + batch.removed.size === 0) continue;
        // Read before the load, so the snapshot reflects at least every change committed at this version.
        const version = await hotspotsVersion(this.#o.database);
        if (full || !this.#snapshot) {
          const loaded = await activeIndexLoad(this.#o.database.sql);
          this.#refreshes.full++;
          this.#snapshot = this.#snapshot?.reconciled(loaded) ?? loaded.build();
          this.#fullReadAt = readAt;
          const tookMs = performance.now() - readAt;
          this.#reloadPeriodMs = Math.max(this.#o.reloadSeconds * 1000, RELOAD_PERIOD_PER_LOAD * tookMs);
          this.#scheduleReload();
        } else {
          const ids = [...batch.upserted].filter((id) => !batch.removed.has(id));
          const { items, hulls } = await indexRowsByIds(this.#o.database.sql, ids);
          const found = new Set(items.map((r) => r.id));
          // An upserted id that is no longer active (retired meanwhile) is removed too.
          const removed = [...batch.removed, ...ids.filter((id) => !found.has(id))];
          this.#snapshot = this.#snapshot.patched(items, removed, hulls);
          this.#refreshes.patch++;
        }
        // A reload that found nothing new keeps the snapshot: no swap, caches kept.
        if (this.#snapshot === previous) continue;
        for (const listener of this.#swapListeners) listener({ previous, next: this.#snapshot, version });
        this.#o.onChange(batch.version);
      } catch (err) {
        this.#o.log.warn({ err: (err as Error).message }, 'in-process hotspot index refresh failed; retrying');
        // Keep the work: it is retried with the next change or timer tick.
        this.#pending = mergeBatches(batch, this.#pending);
        return;
      }
    }
  }
}

/** The hotspots version sequence's current value (0 before the first change). */
async function hotspotsVersion(database: Database): Promise<number> {
  const [row] = await database.sql<{ version: number }[]>`
    select (last_value - (not is_called)::int)::float8 as version from public.photospots_hotspots_version`;
  return row!.version;
}

function mergeBatches(a: PendingChanges, b: PendingChanges | undefined): PendingChanges {
  if (!b) return a;
  return {
    full: a.full || b.full,
    fullSince: Math.max(a.fullSince, b.fullSince),
    upserted: new Set([...a.upserted, ...b.upserted]),
    removed: new Set([...a.removed, ...b.removed]),
    version: Math.max(a.version ?? 0, b.version ?? 0) || undefined,
  };
}
