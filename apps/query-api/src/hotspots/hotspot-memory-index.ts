import type { Database } from '@photospots/db';
import { indexKeys, parseIndexChange, type IndexChange } from '@photospots/hotspot-index';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import { activeSummaries, summariesByIds } from './hotspot-read-repository.ts';
import { HotspotSnapshot } from './hotspot-snapshot.ts';

/** Postgres channel the 0002 migration's trigger notifies after every committed change to hotspots. */
export const HOTSPOTS_CHANGED_CHANNEL = 'photospots_hotspots_changed';

export type ChangeFeed = 'redis' | 'postgres' | 'none';

interface PendingChanges {
  full: boolean;
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
  /** Full reload interval; also how long the index may serve with no live feed. */
  reloadSeconds: number;
  /** Called after every swap (response caches clear themselves); `version` is scoring's, when known. */
  onChange: (version: number | undefined) => void;
}

/**
 * Keeps a HotspotSnapshot of the active hotspots in step with the database.
 * Feeds, best first: scoring's Redis `changes` channel (incremental: only the
 * named ids are re-read), Postgres NOTIFY from the hotspots trigger (a full
 * reload, used while Redis is absent or down), and a periodic full reload as
 * a safety net. A feed coming (back) up forces a full reload, since messages
 * may have been missed meanwhile. Serves only while a feed is live or the
 * last reload is younger than two reload periods, so it never serves a
 * deleted hotspot for long.
 */
export class HotspotMemoryIndex {
  readonly #o: MemoryIndexOptions;
  #snapshot: HotspotSnapshot | undefined;
  #loadedAt = 0;
  #redisLive = false;
  #pgLive = false;
  #pending: PendingChanges | undefined;
  #running: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #stopped = false;

  constructor(options: MemoryIndexOptions) {
    this.#o = options;
  }

  /** The snapshot to answer from, or undefined when it is not loaded or may be stale. */
  get snapshot(): HotspotSnapshot | undefined {
    if (!this.#snapshot) return undefined;
    if (this.feed !== 'none') return this.#snapshot;
    // Two reload periods: the periodic reload itself takes a moment.
    return Date.now() - this.#loadedAt < 2 * this.#o.reloadSeconds * 1000 ? this.#snapshot : undefined;
  }

  get feed(): ChangeFeed {
    if (this.#redisLive) return 'redis';
    return this.#pgLive ? 'postgres' : 'none';
  }

  /** Loads the first snapshot and subscribes to the feeds; a failed first load is retried by the timer. */
  async start(): Promise<void> {
    const { subscriber, redisKeyPrefix } = this.#o;
    if (subscriber) {
      const channel = indexKeys(redisKeyPrefix).changes;
      subscriber.on('message', (ch: string, message: string) => {
        if (ch === channel) this.#enqueue(parseIndexChange(message) ?? { full: true });
      });
      subscriber.on('ready', () => {
        subscriber.subscribe(channel).then(
          () => {
            this.#redisLive = true;
            this.#enqueue({ full: true });
          },
          (err: unknown) => this.#o.log.debug({ err: (err as Error).message }, 'change channel subscribe failed'),
        );
      });
      subscriber.on('close', () => {
        if (this.#redisLive) this.#o.log.warn('Redis change feed lost; following Postgres notifications');
        this.#redisLive = false;
      });
      if (subscriber.status === 'ready') subscriber.emit('ready');
    }
    try {
      const listening = await this.#o.database.sql.listen(
        HOTSPOTS_CHANGED_CHANNEL,
        () => {
          if (!this.#redisLive) this.#enqueue({ full: true });
        },
        () => {
          // (Re)connected: anything may have changed while the listener was away.
          this.#pgLive = true;
          if (!this.#redisLive) this.#enqueue({ full: true });
        },
      );
      this.#unlisten = () => listening.unlisten();
    } catch (err) {
      this.#o.log.warn({ err: (err as Error).message }, 'Postgres change notifications unavailable; relying on periodic reloads');
    }
    this.#timer = setInterval(() => this.#enqueue({ full: true }), this.#o.reloadSeconds * 1000);
    this.#timer.unref();
    this.#enqueue({ full: true });
    await this.settled();
  }

  /** Resolves when every queued change has been applied. */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#unlisten?.().catch(() => undefined);
    await this.settled();
  }

  #enqueue(change: IndexChange): void {
    if (this.#stopped) return;
    const p = (this.#pending ??= { full: false, upserted: new Set(), removed: new Set(), version: undefined });
    if (change.version !== undefined) p.version = Math.max(p.version ?? 0, change.version);
    if (change.full) p.full = true;
    else {
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
        if (batch.full || !this.#snapshot) {
          const startedAt = Date.now();
          this.#snapshot = new HotspotSnapshot(await activeSummaries(this.#o.database.sql));
          this.#loadedAt = startedAt;
        } else {
          const ids = [...batch.upserted].filter((id) => !batch.removed.has(id));
          const rows = await summariesByIds(this.#o.database.sql, ids);
          const found = new Set(rows.map((r) => r.id));
          // An upserted id that is no longer active (retired meanwhile) is removed too.
          const removed = [...batch.removed, ...ids.filter((id) => !found.has(id))];
          this.#snapshot = this.#snapshot.patched(rows, removed);
        }
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

function mergeBatches(a: PendingChanges, b: PendingChanges | undefined): PendingChanges {
  if (!b) return a;
  return {
    full: a.full || b.full,
    upserted: new Set([...a.upserted, ...b.upserted]),
    removed: new Set([...a.removed, ...b.removed]),
    version: Math.max(a.version ?? 0, b.version ?? 0) || undefined,
  };
}
