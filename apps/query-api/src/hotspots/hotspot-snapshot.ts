import { PointClusters, PointIndex, type BBox, type PointCluster } from '@photospots/geo';
import type { HotspotSummary, NearbyHit } from '@photospots/hotspot-index';
import { bestRanks } from './best-ranks.ts';
import {
  ColumnsBuilder,
  compareRows,
  mergeColumns,
  copyOpenJsonAt,
  openJsonAt,
  ringAt,
  sameRow,
  summaryAt,
  type Columns,
  type HullRing,
  type Rows,
} from './snapshot-columns.ts';

export type { HullRing } from './snapshot-columns.ts';

/** Position after which a score-ordered page continues: (score, id) of its last item. */
export interface ScoreCursor {
  score: number;
  id: number;
}

/** A map cluster of hotspots (its clusterId valid for this data version only). */
export interface MapCluster extends Omit<PointCluster, 'best'> {
  /** The best-scored hotspot inside: what a map shows as the cluster's name. */
  best: HotspotSummary;
}

/** A hull as a map shows it. */
export interface MapHull {
  id: number;
  label: string | null;
  score: number;
  ring: HullRing;
}

/** Map clusters: supercluster's radius in pixels and the last zoom level that clusters. */
const MAP_CLUSTERS = { radiusPx: 60, maxZoom: 17 };

/** How far (degrees) any hull reaches from its hotspot's position. */
interface HullReach {
  lng: number;
  lat: number;
}

/** What patched() changed: which snapshot it started from, and the ids it upserted or removed. */
export interface SnapshotDelta {
  /** The serial of the snapshot it was made from. */
  from: number;
  upserted: readonly number[];
  removed: readonly number[];
}

/** What patched() hands the constructor. */
interface Parts {
  columns: Columns;
  reach: HullReach;
  delta: SnapshotDelta | undefined;
}

let serials = 0;

/**
 * An immutable in-process copy of the active hotspots: the hotspots as
 * columns in Z-order with their score order beside (positions, ids and scores
 * in typed arrays, each summary's JSON text and hull in large chunks shared
 * between snapshots; see Columns), a KD-tree over their positions, and (built
 * on first use) map clusters. Swapped in whole, so a request never sees a
 * half-updated index; queries do no I/O and no validation. patched() applies
 * a change in one pass: the rows' numbers between changes are copied in
 * blocks, the changed hotspots are merged in with their text and hulls in a
 * chunk of their own, the score orders are merged, and the KD-tree is built
 * again (no sort, no JSON but the changed hotspots', no text copied).
 *
 * A rank is a place in score order (0: the best); a row is a place in the
 * columns. nearby reads rows (neighbours on the map are neighbours in memory);
 * top and map boxes read ranks.
 */
export class HotspotSnapshot {
  /** Tells snapshots apart: a patched snapshot's delta names the serial it was made from. */
  readonly serial = ++serials;
  #delta: SnapshotDelta | undefined;
  readonly #columns: Columns;
  readonly #hullCount: number;
  /** How far any hull reaches from its hotspot's position: hulls are found through the KD-tree. */
  readonly #hullReach: HullReach;
  readonly #positions: IdPositions;
  /** The rank of each row (the inverse of the columns' byScore). */
  readonly #rankOf: Uint32Array;
  /** Over the rows: a point's index is its row. */
  readonly #points: PointIndex;
  #clusters: PointClusters | undefined;

  /** A snapshot of the hotspots (in any order) and their hulls by id. */
  constructor(items: readonly HotspotSummary[], hulls?: ReadonlyMap<number, HullRing>);
  /** patched()'s and SnapshotBuilder's: the columns, already in order. */
  constructor(parts: Parts);
  constructor(input: readonly HotspotSummary[] | Parts, hulls: ReadonlyMap<number, HullRing> = new Map()) {
    if (isParts(input)) {
      this.#columns = input.columns;
      this.#hullReach = input.reach;
      this.#delta = input.delta;
    } else {
      const builder = new SnapshotBuilder(input.length);
      for (const h of input) builder.add(h, hulls.get(h.id));
      const { columns, reach } = builder.parts();
      this.#columns = columns;
      this.#hullReach = reach;
    }
    const c = this.#columns;
    let hullCount = 0;
    for (let r = 0; r < c.size; r++) if (c.ringLength[r]! > 0) hullCount++;
    this.#hullCount = hullCount;
    this.#positions = new IdPositions(c.id);
    this.#rankOf = new Uint32Array(c.size);
    for (let k = 0; k < c.size; k++) this.#rankOf[c.byScore[k]!] = k;
    this.#points = new PointIndex(c.lat, c.lng, c.id);
  }

  get size(): number {
    return this.#columns.size;
  }

  /** Set by patched() and reconciled(): what changed since the snapshot it was made from. */
  get delta(): SnapshotDelta | undefined {
    return this.#delta;
  }

  /** The hotspot of that id (a new object each call), or undefined. */
  get(id: number): HotspotSummary | undefined {
    const r = this.#positions.of(id);
    return r === undefined ? undefined : summaryAt(this.#columns, r);
  }

  has(id: number): boolean {
    return this.#positions.of(id) !== undefined;
  }

  /** The hotspot at a rank (0: the best score). */
  at(rank: number): HotspotSummary {
    return summaryAt(this.#columns, this.#columns.byScore[rank]!);
  }

  /** The id at a rank. */
  idAt(rank: number): number {
    return this.#columns.id[this.#columns.byScore[rank]!]!;
  }

  /** The box around every hotspot; undefined when there is none. */
  bounds(): BBox | undefined {
    const { lat, lng, size } = this.#columns;
    if (size === 0) return undefined;
    const b = { minLng: Infinity, minLat: Infinity, maxLng: -Infinity, maxLat: -Infinity };
    for (let r = 0; r < size; r++) {
      b.minLng = Math.min(b.minLng, lng[r]!);
      b.maxLng = Math.max(b.maxLng, lng[r]!);
      b.minLat = Math.min(b.minLat, lat[r]!);
      b.maxLat = Math.max(b.maxLat, lat[r]!);
    }
    return b;
  }

  /**
   * A new snapshot with the given hotspots added or replaced and the removed
   * ids dropped (an id both upserted and removed stays, upserted). `hulls`
   * holds the upserted hotspots' hulls: one absent there no longer has a hull.
   */
  patched(
    upserts: readonly HotspotSummary[],
    removedIds: Iterable<number>,
    hulls: ReadonlyMap<number, HullRing> = new Map(),
  ): HotspotSnapshot {
    const old = this.#columns;
    const fresh = new Map<number, HotspotSummary>();
    for (const h of upserts) fresh.set(h.id, h);
    const removed = [...new Set(removedIds)].filter((id) => !fresh.has(id));
    // The rows the old columns lose: removed or replaced.
    const drops: number[] = [];
    for (const id of [...removed, ...fresh.keys()]) {
      const r = this.#positions.of(id);
      if (r !== undefined) drops.push(r);
    }
    drops.sort((x, y) => x - y);
    const incomingBuilder = new SnapshotBuilder(fresh.size);
    for (const h of fresh.values()) incomingBuilder.add(h, hulls.get(h.id));
    const { columns: incoming, reach: incomingReach } = incomingBuilder.parts();
    const c = mergeColumns(old, drops, incoming);
    // Reach only grows: a removed hull's reach stays, which only widens the box hulls are looked for in.
    const reach = {
      lng: Math.max(this.#hullReach.lng, incomingReach.lng),
      lat: Math.max(this.#hullReach.lat, incomingReach.lat),
    };
    return new HotspotSnapshot({
      columns: c,
      reach,
      delta: { from: this.serial, upserted: [...fresh.keys()], removed },
    });
  }

  /**
   * This snapshot brought in line with a full load of the hotspots: this very
   * snapshot when nothing differs, so that a safety-net reload which finds
   * nothing new costs no swap and its map clusters are kept; otherwise the
   * loaded one, with a delta naming exactly what differs (new, changed or
   * gone), so that its diff visits only those. The load may be a builder that
   * has gathered it: its rows are then compared as they arrived and put in
   * order only when something differs (a reload that finds nothing new sorts
   * nothing and writes no text); either way the builder is spent.
   */
  reconciled(loaded: HotspotSnapshot | SnapshotBuilder): HotspotSnapshot {
    const mine = this.#columns;
    const theirs: Rows = loaded instanceof SnapshotBuilder ? loaded.arrived() : loaded.#columns;
    const seen = new Uint8Array(this.size);
    const upserted: number[] = [];
    for (let s = 0; s < theirs.size; s++) {
      const r = this.#positions.of(theirs.id[s]!);
      if (r !== undefined) seen[r] = 1;
      if (r === undefined || !sameRow(mine, r, theirs, s)) upserted.push(theirs.id[s]!);
    }
    const removed: number[] = [];
    for (let r = 0; r < this.size; r++) if (!seen[r]) removed.push(mine.id[r]!);
    if (upserted.length + removed.length === 0) {
      if (loaded instanceof SnapshotBuilder) loaded.discard();
      return this;
    }
    const next = loaded instanceof SnapshotBuilder ? loaded.build() : loaded;
    next.#delta = { from: this.serial, upserted, removed };
    return next;
  }

  /** Hotspots within radiusM of a point, nearest first (ties by id). */
  nearby(lat: number, lng: number, radiusM: number, limit: number): NearbyHit[] {
    const { count, index, distance } = this.#points.nearest(lat, lng, radiusM, limit);
    return Array.from({ length: count }, (_, k) => ({
      ...summaryAt(this.#columns, index[k]!),
      distanceM: Math.round(distance[k]! * 10) / 10,
    }));
  }

  /**
   * nearby() as the JSON body `{"items":[…]}` in UTF-8, copied from the rows' JSON bytes: no row is decoded
   * to a string and encoded again for the socket.
   */
  nearbyBody(lat: number, lng: number, radiusM: number, limit: number): Buffer {
    const { count, index, distance } = this.#points.nearest(lat, lng, radiusM, limit);
    const columns = this.#columns;
    let bytes = ITEMS_OPEN.length + ITEMS_CLOSE.length;
    for (let k = 0; k < count; k++) bytes += columns.textLength[index[k]!]! + DISTANCE_ROOM;
    const out = Buffer.allocUnsafe(bytes);
    let at = ITEMS_OPEN.copy(out, 0);
    for (let k = 0; k < count; k++) {
      if (k > 0) out[at++] = COMMA;
      at = copyOpenJsonAt(columns, index[k]!, out, at);
      at += DISTANCE_KEY.copy(out, at);
      at = writeTenths(out, at, Math.round(distance[k]! * 10));
      out[at++] = CLOSE_BRACE;
    }
    at += ITEMS_CLOSE.copy(out, at);
    return out.subarray(0, at);
  }

  /** Hotspots inside the box, best score first, after the cursor; `more` tells whether more follow. */
  inBox(b: BBox, limit: number, after?: ScoreCursor): { items: HotspotSummary[]; more: boolean } {
    const { rows, more } = this.#inBoxRows(b, limit, after);
    return { items: rows.map((r) => summaryAt(this.#columns, r)), more };
  }

  /** inBox() with the items as a JSON array, built from the rows' JSON text. */
  inBoxJson(
    b: BBox,
    limit: number,
    after?: ScoreCursor,
  ): { itemsJson: string; last: HotspotSummary | undefined; more: boolean } {
    const { rows, more } = this.#inBoxRows(b, limit, after);
    let json = '[';
    for (let k = 0; k < rows.length; k++) json += `${k === 0 ? '' : ','}${openJsonAt(this.#columns, rows[k]!)}}`;
    const lastRow = rows.at(-1);
    return {
      itemsJson: `${json}]`,
      last: lastRow === undefined ? undefined : summaryAt(this.#columns, lastRow),
      more,
    };
  }

  /** The rows of the hotspots inside the box, best score first, after the cursor. */
  #inBoxRows(b: BBox, limit: number, after?: ScoreCursor): { rows: number[]; more: boolean } {
    // One more than the page: whether more follow.
    const ranks = bestRanks(this.#points.inBox(b), this.#rankOf, after ? this.#rankAfter(after) : 0, limit + 1);
    const { byScore } = this.#columns;
    const rows = Array.from(ranks.subarray(0, limit), (rank) => byScore[rank]!);
    return { rows, more: ranks.length > limit };
  }

  /** The first rank whose row comes after the cursor in score order (binary search). */
  #rankAfter(after: ScoreCursor): number {
    const { score, id, byScore } = this.#columns;
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const r = byScore[mid]!;
      if (compareRows(score[r]!, id[r]!, after.score, after.id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The ranks of rows, ascending (best score first). */
  #ranksOf(rows: readonly number[]): Uint32Array {
    const ranks = new Uint32Array(rows.length);
    for (let k = 0; k < rows.length; k++) ranks[k] = this.#rankOf[rows[k]!]!;
    // A typed array's own numeric sort: ~10× a comparator's over the thousands of points in a city's box.
    return ranks.sort();
  }

  /** The best-scored hotspots. */
  top(limit: number): HotspotSummary[] {
    return Array.from({ length: Math.max(0, Math.min(limit, this.size)) }, (_, r) => this.at(r));
  }

  /** Map clusters (and lone hotspots) in the box at a zoom level. */
  clusters(b: BBox, zoom: number): (MapCluster | HotspotSummary)[] {
    // Loaded best first (a point's index is its rank): supercluster's greedy pass then grows clusters from the
    // best hotspots, and any copy of the same hotspots (the PostGIS fallback's) clusters alike, whatever its order.
    const { lat, lng, byScore, size } = this.#columns;
    this.#clusters ??= new PointClusters(
      Float64Array.from(byScore, (r) => lat[r]!),
      Float64Array.from(byScore, (r) => lng[r]!),
      Uint32Array.from({ length: size }, (_, rank) => rank),
      MAP_CLUSTERS,
    );
    return this.#clusters.inBox<MapCluster | HotspotSummary>(b, zoom, {
      point: (index) => this.at(index),
      cluster: (cluster) => ({
        kind: 'cluster',
        clusterId: cluster.clusterId,
        lat: Math.round(cluster.lat * 1e6) / 1e6,
        lng: Math.round(cluster.lng * 1e6) / 1e6,
        count: cluster.count,
        expansionZoom: cluster.expansionZoom,
        best: this.at(cluster.best),
      }),
    });
  }

  /** Hulls whose bounding box meets the box, best score first. */
  hullsInBox(b: BBox): MapHull[] {
    if (this.#hullCount === 0) return [];
    const reach = this.#hullReach;
    const near = this.#ranksOf(
      this.#points.inBox({
        minLng: b.minLng - reach.lng,
        minLat: b.minLat - reach.lat,
        maxLng: b.maxLng + reach.lng,
        maxLat: b.maxLat + reach.lat,
      }),
    );
    const out: MapHull[] = [];
    for (const rank of near) {
      const r = this.#columns.byScore[rank]!;
      const ring = ringAt(this.#columns, r);
      if (!ring || !ringMeetsBox(ring, b)) continue;
      const h = summaryAt(this.#columns, r);
      out.push({ id: h.id, label: h.label, score: h.score, ring });
    }
    return out;
  }
}

/**
 * Builds a snapshot from hotspots added one at a time, in any order (a load
 * adds them page by page as it reads them, and keeps no rows).
 */
export class SnapshotBuilder {
  readonly #columns: ColumnsBuilder;
  readonly #reach: HullReach = { lng: 0, lat: 0 };

  /** `expectedRows`: how many hotspots are coming, if known. */
  constructor(expectedRows?: number) {
    this.#columns = new ColumnsBuilder(expectedRows);
  }

  get size(): number {
    return this.#columns.size;
  }

  /** Adds a hotspot and its hull (flat [lng, lat, …], closed), if it has one. */
  add(h: HotspotSummary, ring?: ArrayLike<number>): void {
    this.#columns.add(h, ring);
    if (ring) widenReach(this.#reach, h, ring);
  }

  build(): HotspotSnapshot {
    return new HotspotSnapshot({ ...this.parts(), delta: undefined });
  }

  /** The hotspots so far as they arrived (see HotspotSnapshot.reconciled). */
  arrived(): Rows {
    return this.#columns.arrived();
  }

  /** The columns (see Columns for their order) and the hulls' reach; the builder is spent. */
  parts(): { columns: Columns; reach: HullReach } {
    return { columns: this.#columns.finish(), reach: { ...this.#reach } };
  }

  /** Drops what was gathered and returns its memory at once (see ColumnsBuilder). */
  discard(): void {
    this.#columns.discard();
  }
}

/**
 * Where each id is in a snapshot's items: a typed array indexed by id while
 * ids are dense (as a serial's are), else a Map. Built in one pass, without
 * the hashing of a Map of a million entries.
 */
class IdPositions {
  readonly #dense: Int32Array | undefined;
  readonly #sparse: Map<number, number> | undefined;

  constructor(ids: Float64Array) {
    let max = 0;
    let integers = true;
    for (const id of ids) {
      if (id > max) max = id;
      if (!Number.isInteger(id) || id < 0) integers = false;
    }
    if (integers && max <= 4 * ids.length + 65_536) {
      this.#dense = new Int32Array(max + 1).fill(-1);
      for (let i = 0; i < ids.length; i++) this.#dense[ids[i]!] = i;
    } else this.#sparse = new Map(Array.from(ids, (id, i) => [id, i]));
  }

  of(id: number): number | undefined {
    if (this.#sparse) return this.#sparse.get(id);
    const i = Number.isInteger(id) && id >= 0 && id < this.#dense!.length ? this.#dense![id]! : -1;
    return i < 0 ? undefined : i;
  }
}

/** Whether two summaries say the same: every field a list answer shows. */
export function sameSummary(a: HotspotSummary, b: HotspotSummary): boolean {
  return (
    a.id === b.id &&
    a.label === b.label &&
    a.lat === b.lat &&
    a.lng === b.lng &&
    a.score === b.score &&
    a.photoCount === b.photoCount &&
    a.userCount === b.userCount &&
    a.tags.length === b.tags.length &&
    a.tags.every((t, i) => t === b.tags[i])
  );
}

/** Not `'columns' in input`: the driver's result arrays carry a `columns` property of their own. */
function isParts(input: readonly HotspotSummary[] | Parts): input is Parts {
  return !Array.isArray(input);
}

function widenReach(reach: HullReach, h: HotspotSummary, ring: ArrayLike<number>): void {
  for (let k = 0; k < ring.length; k += 2) {
    reach.lng = Math.max(reach.lng, Math.abs(ring[k]! - h.lng));
    reach.lat = Math.max(reach.lat, Math.abs(ring[k + 1]! - h.lat));
  }
}

function ringMeetsBox(ring: HullRing, b: BBox): boolean {
  let minLng = Infinity;
  let minLat = Infinity;
  let maxLng = -Infinity;
  let maxLat = -Infinity;
  for (let k = 0; k < ring.length; k += 2) {
    minLng = Math.min(minLng, ring[k]!);
    maxLng = Math.max(maxLng, ring[k]!);
    minLat = Math.min(minLat, ring[k + 1]!);
    maxLat = Math.max(maxLat, ring[k + 1]!);
  }
  return minLng <= b.maxLng && maxLng >= b.minLng && minLat <= b.maxLat && maxLat >= b.minLat;
}

/** A cluster's best hotspot, or the lone hotspot itself: what a map names and ranks it by. */
export function representative(c: MapCluster | HotspotSummary): HotspotSummary {
  return 'kind' in c ? c.best : c;
}

/** Clusters and lone hotspots, the best-scored representative first (what a map keeps when it must drop some). */
export function rankClusters<T extends MapCluster | HotspotSummary>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compareByScore(representative(a), representative(b)));
}

/** Best score first, then lowest id: the order of top, bbox pages and their cursors. */
export function compareByScore(a: { score: number; id: number }, b: { score: number; id: number }): number {
  return compareRows(a.score, a.id, b.score, b.id);
}

const ITEMS_OPEN = Buffer.from('{"items":[');
const ITEMS_CLOSE = Buffer.from(']}');
const DISTANCE_KEY = Buffer.from(',"distanceM":');
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
const DOT = 0x2e;
const ZERO = 0x30;
/** Bytes a row's answer adds to its text: a comma, the distance's key, its digits (< 2^53 tenths) and a brace. */
const DISTANCE_ROOM = 1 + DISTANCE_KEY.length + 18 + 1;

/**
 * Writes a distance given in tenths of a metre as JSON's shortest number (`12`, `12.3`), the text
 * `String(tenths / 10)` gives for the numbers nearby answers, without a float-to-string; returns the position
 * after it.
 */
function writeTenths(out: Buffer, at: number, tenths: number): number {
  const fraction = tenths % 10;
  let whole = (tenths - fraction) / 10;
  let digits = 1;
  for (let w = whole; w >= 10; w = Math.floor(w / 10)) digits++;
  for (let i = digits - 1; i >= 0; i--) {
    out[at + i] = ZERO + (whole % 10);
    whole = Math.floor(whole / 10);
  }
  at += digits;
  if (fraction === 0) return at;
  out[at] = DOT;
  out[at + 1] = ZERO + fraction;
  return at + 2;
}
