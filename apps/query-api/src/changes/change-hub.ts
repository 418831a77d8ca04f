import type { Database } from '@photospots/db';
import { bboxContains, type BBox } from '@photospots/geo';
import type { FastifyBaseLogger } from 'fastify';
import type { HotspotMemoryIndex, SnapshotSwap } from '../hotspots/hotspot-memory-index.ts';
import {
  CHANGE_LOG_LIMITS,
  ChangeLog,
  type ChangeBatch,
  type ChangeLogLimits,
  type HotspotChange,
} from './change-log.ts';
import { successorsOf } from './retired-successors.ts';
import { diffSnapshots, listFields } from './snapshot-diff.ts';

/** How often an idle stream gets a comment, so proxies and load balancers (ALB: 60 s) keep it open. */
export const HEARTBEAT_MS = 15_000;

/** One open change stream. */
export interface ChangeSubscriber {
  box: BBox;
  /** Sends event-stream text to the client. */
  write(text: string): void;
  /** Ends the stream (on shutdown). */
  end(): void;
}

export interface ChangeHubOptions {
  memory: HotspotMemoryIndex;
  database: Database;
  log: FastifyBaseLogger;
  heartbeatMs?: number;
  limits?: ChangeLogLimits;
}

/**
 * Turns the in-process index's snapshot swaps into hotspot change events,
 * once per swap however many streams are open: diffs the consecutive
 * snapshots, looks up where retired hotspots were merged, records the batch
 * in the change log and writes every stream the events inside its box.
 */
export class ChangeHub {
  readonly #o: ChangeHubOptions;
  readonly #log: ChangeLog;
  readonly #subscribers = new Set<ChangeSubscriber>();
  #queue: Promise<void> = Promise.resolve();
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #unfollow: () => void;

  /** Follows the index's swaps from now on: build it before the index's first load, the base of the log. */
  constructor(options: ChangeHubOptions) {
    this.#o = options;
    this.#log = new ChangeLog(options.limits ?? CHANGE_LOG_LIMITS);
    this.#unfollow = options.memory.onSwap((swap) => {
      // In swap order: a retirement's successor lookup must not let a later swap's events overtake it.
      this.#queue = this.#queue
        .then(() => this.#apply(swap))
        .catch((err: unknown) => this.#o.log.error({ err }, 'hotspot change events failed'));
    });
  }

  /**
   * Opens a stream: first what it missed since `lastEventId` (or a `reset`
   * event when the log cannot tell), then live changes. Returns its close.
   */
  open(subscriber: ChangeSubscriber, lastEventId: string | undefined): () => void {
    const version = this.#log.version;
    let text: string;
    if (lastEventId === undefined) text = idOnly(version);
    else {
      const missed = /^\d{1,15}$/.test(lastEventId.trim()) ? this.#log.since(Number(lastEventId)) : undefined;
      text = missed
        ? missed.map((batch) => framesIn(batch, subscriber.box)).join('') + idOnly(version)
        : `event: reset\n${idLine(version)}data: {"version":${version ?? null}}\n\n`;
    }
    if (text !== '') subscriber.write(text);
    this.#subscribers.add(subscriber);
    this.#heartbeat ??= setInterval(() => {
      for (const s of this.#subscribers) s.write(': keep-alive\n\n');
    }, this.#o.heartbeatMs ?? HEARTBEAT_MS).unref();
    return () => {
      this.#subscribers.delete(subscriber);
      // No stream left to keep open: the timer stops until the next one opens.
      if (this.#subscribers.size === 0) {
        clearInterval(this.#heartbeat);
        this.#heartbeat = undefined;
      }
    };
  }

  /** Ends every open stream and stops following the index. */
  stop(): void {
    this.#unfollow();
    clearInterval(this.#heartbeat);
    for (const s of this.#subscribers) s.end();
    this.#subscribers.clear();
  }

  async #apply({ previous, next, version }: SnapshotSwap): Promise<void> {
    if (!previous) return this.#log.advance(version);
    const diff = diffSnapshots(previous, next);
    if (diff.created.length + diff.updated.length + diff.retired.length === 0) return this.#log.advance(version);
    const successors = await successorsOf(
      this.#o.database.sql,
      diff.retired.map((h) => h.id),
    ).catch((err: unknown) => {
      this.#o.log.warn({ err: (err as Error).message }, 'successors of retired hotspots unavailable; sent as null');
      return new Map<number, number>();
    });
    const frame = (type: HotspotChange['type'], data: object) =>
      `event: ${type}\nid: ${version}\ndata: ${JSON.stringify(data)}\n\n`;
    // Created first: a retired hotspot's successorId then names one the client already has.
    const changes: HotspotChange[] = [
      ...diff.created.map((h) => ({
        type: 'hotspot.created' as const,
        lat: h.lat,
        lng: h.lng,
        frame: frame('hotspot.created', listFields(h)),
      })),
      ...diff.updated.map(({ before, after }) => ({
        type: 'hotspot.updated' as const,
        lat: after.lat,
        lng: after.lng,
        before: { lat: before.lat, lng: before.lng },
        frame: frame('hotspot.updated', listFields(after)),
      })),
      ...diff.retired.map((h) => ({
        type: 'hotspot.retired' as const,
        lat: h.lat,
        lng: h.lng,
        frame: frame('hotspot.retired', { ...listFields(h), successorId: successors.get(h.id) ?? null }),
      })),
    ];
    const batch: ChangeBatch = { version, at: Date.now(), changes };
    this.#log.record(batch);
    // A stream with nothing in its box still learns the version, so its reconnect does not fall behind the log.
    for (const s of this.#subscribers) s.write(framesIn(batch, s.box) || idOnly(version));
  }
}

/** The batch's events for a box: a change inside it, or an update of a hotspot that was inside before. */
function framesIn(batch: ChangeBatch, box: BBox): string {
  let text = '';
  for (const c of batch.changes) {
    if (bboxContains(box, c.lat, c.lng) || (c.before && bboxContains(box, c.before.lat, c.before.lng))) text += c.frame;
  }
  return text;
}

/** An event with an id and no data: it moves the client's Last-Event-ID without firing anything. */
function idOnly(version: number | undefined): string {
  return version === undefined ? '' : `${idLine(version)}\n`;
}

function idLine(version: number | undefined): string {
  return version === undefined ? '' : `id: ${version}\n`;
}
