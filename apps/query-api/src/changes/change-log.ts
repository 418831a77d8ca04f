export type ChangeType = 'hotspot.created' | 'hotspot.updated' | 'hotspot.retired';

/** One hotspot's change, its SSE frame serialized once for every subscriber. */
export interface HotspotChange {
  type: ChangeType;
  lat: number;
  lng: number;
  /** Where an updated hotspot was before (a stream whose box it left is told too). */
  before?: { lat: number; lng: number };
  /** `event:`, `id:` and `data:` lines and the blank line that ends the event. */
  frame: string;
}

/** The changes of one snapshot swap, tagged with the hotspots version the new snapshot reflects. */
export interface ChangeBatch {
  version: number;
  at: number;
  changes: readonly HotspotChange[];
}

export interface ChangeLogLimits {
  /** Batches younger than this are kept… */
  minAgeMs: number;
  /** …and so are the newest this many changes, whichever keeps more. */
  minChanges: number;
  /** Hard bound on memory: beyond it the oldest batches go regardless (their clients reload). */
  maxChanges: number;
}

export const CHANGE_LOG_LIMITS: ChangeLogLimits = { minAgeMs: 10 * 60_000, minChanges: 10_000, maxChanges: 100_000 };

/**
 * The recent change batches of this instance, for replay after a reconnect.
 * A replay is complete from `floor` on: the version of the first snapshot this
 * instance loaded, raised as batches are dropped.
 */
export class ChangeLog {
  readonly #limits: ChangeLogLimits;
  #batches: ChangeBatch[] = [];
  #changes = 0;
  #floor: number | undefined;
  #version: number | undefined;

  constructor(limits: ChangeLogLimits = CHANGE_LOG_LIMITS) {
    this.#limits = limits;
  }

  /** The version of the newest snapshot; undefined before the first load. */
  get version(): number | undefined {
    return this.#version;
  }

  get size(): number {
    return this.#changes;
  }

  /** The version of a snapshot with no changes to record (the first load, or a swap that changed nothing). */
  advance(version: number): void {
    this.#floor ??= version;
    this.#version = Math.max(this.#version ?? version, version);
  }

  record(batch: ChangeBatch): void {
    this.advance(batch.version);
    this.#batches.push(batch);
    this.#changes += batch.changes.length;
    const { minAgeMs, minChanges, maxChanges } = this.#limits;
    while (this.#batches.length > 0) {
      const oldest = this.#batches[0]!;
      const rest = this.#changes - oldest.changes.length;
      const expired = batch.at - oldest.at > minAgeMs && rest >= minChanges;
      if (!expired && this.#changes <= maxChanges) break;
      this.#batches.shift();
      this.#changes = rest;
      this.#floor = Math.max(this.#floor!, oldest.version);
    }
  }

  /**
   * The batches to replay to a client whose last event id is `version`, or
   * undefined when the log cannot tell what it missed (too old, or not a
   * version this log has seen). The batches of `version` itself are included:
   * a version's changes may still be committing when it is first announced.
   */
  since(version: number): ChangeBatch[] | undefined {
    if (this.#floor === undefined || this.#version === undefined) return undefined;
    if (version < this.#floor || version > this.#version) return undefined;
    return this.#batches.filter((b) => b.version >= version);
  }
}
