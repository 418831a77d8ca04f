import { PointClusters, PointIndex, type BBox, type PointCluster } from '@photospots/geo';
import type { HotspotSummary, NearbyHit } from '@photospots/hotspot-index';

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

/**
 * A hotspot's hull: its outer ring as flat [lng, lat, lng, lat, …], closed
 * (the first point repeats last). Hulls are convex, so one ring says it all.
 */
export type HullRing = Float64Array;

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

/**
 * A snapshot's hotspots in score order, as parallel columns: the objects, their JSON and hulls, and the numbers
 * that place and order them (copied in blocks by patched() without touching the objects).
 */
interface Columns {
  items: HotspotSummary[];
  json: string[];
  hulls: (HullRing | undefined)[];
  lat: Float64Array;
  lng: Float64Array;
  id: Float64Array;
  score: Float64Array;
}

/** What patched() hands the constructor. */
interface Parts {
  columns: Columns;
  hullCount: number;
  reach: HullReach;
  delta: SnapshotDelta;
}

let serials = 0;

/**
 * An immutable in-process copy of the active hotspots: the hotspots in score
 * order with their JSON text and hulls, a KD-tree over their positions, and
 * (built on first use) map clusters. Swapped in whole, so a request never
 * sees a half-updated index; queries do no I/O and no validation. patched()
 * applies a change in one pass: what did not change keeps its place, its
 * JSON and its hull, the changed hotspots are merged in, and the KD-tree is
 * built again (no sort, no JSON but the changed hotspots').
 */
export class HotspotSnapshot {
  /** The active hotspots, best score first (ties by lowest id): the order of top and bbox pages. */
  readonly items: readonly HotspotSummary[];
  /** Tells snapshots apart: a patched snapshot's delta names the serial it was made from. */
  readonly serial = ++serials;
  /** Set by patched(): what changed since the snapshot it was made from. */
  readonly delta: SnapshotDelta | undefined;
  readonly #columns: Columns;
  readonly #hullCount: number;
  /** How far any hull reaches from its hotspot's position: hulls are found through the KD-tree. */
  readonly #hullReach: HullReach;
  readonly #positions: IdPositions;
  /** Over items: a point's index is its rank. */
  readonly #points: PointIndex;
  #clusters: PointClusters | undefined;

  /** A snapshot of the hotspots (in any order) and their hulls by id. */
  constructor(items: readonly HotspotSummary[], hulls?: ReadonlyMap<number, HullRing>);
  /** patched()'s: the columns, already in score order. */
  constructor(parts: Parts);
  constructor(input: readonly HotspotSummary[] | Parts, hulls: ReadonlyMap<number, HullRing> = new Map()) {
    if (isParts(input)) {
      this.#columns = input.columns;
      this.#hullCount = input.hullCount;
      this.#hullReach = input.reach;
      this.delta = input.delta;
    } else {
      const items = [...input].sort(compareByScore);
      const c = emptyColumns(items.length);
      const reach = { lng: 0, lat: 0 };
      let hullCount = 0;
      items.forEach((h, i) => {
        const ring = hulls.get(h.id);
        setRow(c, i, h, openJson(h), ring);
        if (ring) {
          widenReach(reach, h, ring);
          hullCount++;
        }
      });
      this.#columns = c;
      this.#hullCount = hullCount;
      this.#hullReach = reach;
      this.delta = undefined;
    }
    this.items = this.#columns.items;
    this.#positions = new IdPositions(this.#columns.id);
    this.#points = new PointIndex(this.#columns.lat, this.#columns.lng, this.#columns.id);
  }

  get size(): number {
    return this.items.length;
  }

  get(id: number): HotspotSummary | undefined {
    const i = this.#positions.of(id);
    return i === undefined ? undefined : this.items[i];
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
    // Where the old columns lose a hotspot (removed or replaced), and where each upserted one goes in.
    const drops: number[] = [];
    for (const id of [...removed, ...fresh.keys()]) {
      const i = this.#positions.of(id);
      if (i !== undefined) drops.push(i);
    }
    drops.sort((x, y) => x - y);
    const incoming = [...fresh.values()].sort(compareByScore);
    const c = emptyColumns(this.size - drops.length + incoming.length);
    let out = 0;
    /** Copies the old columns' rows [from, to) to the output. */
    const copy = (from: number, to: number) => {
      for (let i = from; i < to; i++, out++) {
        c.items[out] = old.items[i]!;
        c.json[out] = old.json[i]!;
        c.hulls[out] = old.hulls[i];
      }
      const at = out - (to - from);
      for (const k of ['lat', 'lng', 'id', 'score'] as const) c[k].set(old[k].subarray(from, to), at);
    };
    // Reach only grows: a removed hull's reach stays, which only widens the box hulls are looked for in.
    const reach = { ...this.#hullReach };
    let hullCount = this.#hullCount;
    for (const i of drops) if (old.hulls[i]) hullCount--;
    let from = 0;
    let d = 0;
    for (const h of incoming) {
      const before = this.#insertionPoint(h);
      for (; d < drops.length && drops[d]! < before; d++) {
        copy(from, drops[d]!);
        from = drops[d]! + 1;
      }
      copy(from, before);
      from = before;
      const ring = hulls.get(h.id);
      if (ring) {
        widenReach(reach, h, ring);
        hullCount++;
      }
      setRow(c, out++, h, openJson(h), ring);
    }
    for (; d < drops.length; d++) {
      copy(from, drops[d]!);
      from = drops[d]! + 1;
    }
    copy(from, this.size);
    return new HotspotSnapshot({
      columns: c,
      hullCount,
      reach,
      delta: { from: this.serial, upserted: [...fresh.keys()], removed },
    });
  }

  /**
   * This snapshot brought in line with a full load of the hotspots and their
   * hulls: patched with what differs (new, changed or gone), or this very
   * snapshot when nothing does, so that a safety-net reload which finds
   * nothing new costs no swap, and its map clusters are kept.
   */
  reconciled(items: readonly HotspotSummary[], hulls: ReadonlyMap<number, HullRing>): HotspotSnapshot {
    const seen = new Uint8Array(this.size);
    const upserts: HotspotSummary[] = [];
    const upsertHulls = new Map<number, HullRing>();
    for (const h of items) {
      const i = this.#positions.of(h.id);
      if (i !== undefined) seen[i] = 1;
      const ring = hulls.get(h.id);
      if (i === undefined || !sameSummary(this.items[i]!, h) || !sameRing(this.#columns.hulls[i], ring)) {
        upserts.push(h);
        if (ring) upsertHulls.set(h.id, ring);
      }
    }
    const removed: number[] = [];
    for (let i = 0; i < this.size; i++) if (!seen[i]) removed.push(this.items[i]!.id);
    return upserts.length + removed.length === 0 ? this : this.patched(upserts, removed, upsertHulls);
  }

  /** The position of the first hotspot that comes after h in score order (binary search over the columns). */
  #insertionPoint(h: HotspotSummary): number {
    const { score, id } = this.#columns;
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (score[mid]! > h.score || (score[mid] === h.score && id[mid]! < h.id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Hotspots within radiusM of a point, nearest first (ties by id). */
  nearby(lat: number, lng: number, radiusM: number, limit: number): NearbyHit[] {
    const { count, index, distance } = this.#points.nearest(lat, lng, radiusM, limit);
    return Array.from({ length: count }, (_, k) => ({
      ...this.items[index[k]!]!,
      distanceM: Math.round(distance[k]! * 10) / 10,
    }));
  }

  /** nearby() as the JSON body `{"items":[…]}`, built from pre-serialized items. */
  nearbyJson(lat: number, lng: number, radiusM: number, limit: number): string {
    const { count, index, distance } = this.#points.nearest(lat, lng, radiusM, limit);
    let out = '{"items":[';
    for (let k = 0; k < count; k++) {
      // distanceM rounded to 0.1 m, written from integers (the same text as Math.round(d * 10) / 10, without a float-to-string).
      const tenths = Math.round(distance[k]! * 10);
      const whole = (tenths - (tenths % 10)) / 10;
      const fraction = tenths % 10;
      out += `${k === 0 ? '' : ','}${this.#columns.json[index[k]!]},"distanceM":${fraction === 0 ? whole : `${whole}.${fraction}`}}`;
    }
    return `${out}]}`;
  }

  /** Hotspots inside the box, best score first, after the cursor; `more` tells whether more follow. */
  inBox(b: BBox, limit: number, after?: ScoreCursor): { items: HotspotSummary[]; more: boolean } {
    const { ranks, more } = this.#inBoxRanks(b, limit, after);
    return { items: ranks.map((r) => this.items[r]!), more };
  }

  /** inBox() with the items as a JSON array, built from pre-serialized items. */
  inBoxJson(
    b: BBox,
    limit: number,
    after?: ScoreCursor,
  ): { itemsJson: string; last: HotspotSummary | undefined; more: boolean } {
    const { ranks, more } = this.#inBoxRanks(b, limit, after);
    let json = '[';
    for (let k = 0; k < ranks.length; k++) json += `${k === 0 ? '' : ','}${this.#columns.json[ranks[k]!]}}`;
    const lastRank = ranks.at(-1);
    return { itemsJson: `${json}]`, last: lastRank === undefined ? undefined : this.items[lastRank], more };
  }

  #inBoxRanks(b: BBox, limit: number, after?: ScoreCursor): { ranks: number[]; more: boolean } {
    const ranks = this.#points.inBox(b);
    ranks.sort((x, y) => x - y);
    const out: number[] = [];
    for (const r of ranks) {
      if (after && compareByScore(this.items[r]!, after) <= 0) continue;
      if (out.length === limit) return { ranks: out, more: true };
      out.push(r);
    }
    return { ranks: out, more: false };
  }

  /** The best-scored hotspots. */
  top(limit: number): HotspotSummary[] {
    return this.items.slice(0, limit);
  }

  /** Map clusters (and lone hotspots) in the box at a zoom level. */
  clusters(b: BBox, zoom: number): (MapCluster | HotspotSummary)[] {
    // Loaded best first (rank = position): supercluster's greedy pass then grows clusters from the best
    // hotspots, and any copy of the same hotspots (the PostGIS fallback's) clusters alike, whatever its row order.
    const items = this.items;
    this.#clusters ??= new PointClusters(
      this.#columns.lat,
      this.#columns.lng,
      Uint32Array.from(items, (_, r) => r),
      MAP_CLUSTERS,
    );
    return this.#clusters.inBox<MapCluster | HotspotSummary>(b, zoom, {
      point: (index) => items[index]!,
      cluster: (c) => ({
        kind: 'cluster',
        clusterId: c.clusterId,
        lat: Math.round(c.lat * 1e6) / 1e6,
        lng: Math.round(c.lng * 1e6) / 1e6,
        count: c.count,
        expansionZoom: c.expansionZoom,
        best: items[c.best]!,
      }),
    });
  }

  /** Hulls whose bounding box meets the box, best score first. */
  hullsInBox(b: BBox): MapHull[] {
    if (this.#hullCount === 0) return [];
    const reach = this.#hullReach;
    const near = this.#points.inBox({
      minLng: b.minLng - reach.lng,
      minLat: b.minLat - reach.lat,
      maxLng: b.maxLng + reach.lng,
      maxLat: b.maxLat + reach.lat,
    });
    // A point's index is its rank: in ascending order, best score first.
    near.sort((x, y) => x - y);
    const out: MapHull[] = [];
    for (const i of near) {
      const ring = this.#columns.hulls[i];
      if (!ring || !ringMeetsBox(ring, b)) continue;
      const h = this.items[i]!;
      out.push({ id: h.id, label: h.label, score: h.score, ring });
    }
    return out;
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

function emptyColumns(n: number): Columns {
  return {
    items: new Array<HotspotSummary>(n),
    json: new Array<string>(n),
    hulls: new Array<HullRing | undefined>(n),
    lat: new Float64Array(n),
    lng: new Float64Array(n),
    id: new Float64Array(n),
    score: new Float64Array(n),
  };
}

/** Writes row i of the columns: the hotspot, its JSON without the closing brace, its hull. */
function setRow(c: Columns, i: number, h: HotspotSummary, json: string, hull: HullRing | undefined): void {
  c.items[i] = h;
  c.json[i] = json;
  c.hulls[i] = hull;
  c.lat[i] = h.lat;
  c.lng[i] = h.lng;
  c.id[i] = h.id;
  c.score[i] = h.score;
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

function sameRing(a: HullRing | undefined, b: HullRing | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((x, k) => x === b[k]);
}

/** Not `'columns' in input`: the driver's result arrays carry a `columns` property of their own. */
function isParts(input: readonly HotspotSummary[] | Parts): input is Parts {
  return !Array.isArray(input);
}

/** An item's JSON without its closing brace. */
function openJson(h: HotspotSummary): string {
  return JSON.stringify(h).slice(0, -1);
}

function widenReach(reach: HullReach, h: HotspotSummary, ring: HullRing): void {
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
  return b.score - a.score || a.id - b.id;
}
