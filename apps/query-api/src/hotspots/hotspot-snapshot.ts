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

/**
 * An immutable in-process copy of the active hotspots: a KD-tree over their
 * positions, the score order, their hulls, and (built on first use) map
 * clusters. Built once per data change and swapped in whole, so a request
 * never sees a half-updated index; queries do no I/O and no validation.
 */
export class HotspotSnapshot {
  readonly items: readonly HotspotSummary[];
  readonly #byId: Map<number, HotspotSummary>;
  readonly #points: PointIndex;
  /** rank[i] = position of items[i] in best-score-first order. */
  readonly #rank: Uint32Array;
  readonly #byScore: readonly HotspotSummary[];
  /** Each item's JSON without its closing brace, so answers are concatenated, not re-serialized, per request. */
  readonly #jsonOpen: readonly string[];
  /** Each item's JSON, in best-score-first order. */
  readonly #jsonByScore: readonly string[];
  #clusters: PointClusters | undefined;
  readonly #hulls: ReadonlyMap<number, HullRing>;
  /** How far (degrees) any hull reaches from its hotspot's position: hulls are found through the KD-tree. */
  readonly #hullReach = { lng: 0, lat: 0 };

  constructor(items: readonly HotspotSummary[], hulls: ReadonlyMap<number, HullRing> = new Map()) {
    this.items = items;
    this.#byId = new Map(items.map((h) => [h.id, h]));
    this.#hulls = hulls;
    for (const [id, ring] of hulls) {
      const h = this.#byId.get(id);
      if (!h) continue;
      for (let k = 0; k < ring.length; k += 2) {
        this.#hullReach.lng = Math.max(this.#hullReach.lng, Math.abs(ring[k]! - h.lng));
        this.#hullReach.lat = Math.max(this.#hullReach.lat, Math.abs(ring[k + 1]! - h.lat));
      }
    }
    this.#points = new PointIndex(
      items.map((h) => h.lat),
      items.map((h) => h.lng),
      items.map((h) => h.id),
    );
    const order = items.map((_, i) => i).sort((a, b) => compareByScore(items[a]!, items[b]!));
    this.#rank = new Uint32Array(items.length);
    order.forEach((itemIndex, r) => (this.#rank[itemIndex] = r));
    this.#byScore = order.map((i) => items[i]!);
    this.#jsonOpen = items.map((h) => JSON.stringify(h).slice(0, -1));
    this.#jsonByScore = order.map((i) => `${this.#jsonOpen[i]}}`);
  }

  get size(): number {
    return this.items.length;
  }

  get(id: number): HotspotSummary | undefined {
    return this.#byId.get(id);
  }

  /**
   * A new snapshot with the given hotspots added or replaced and the removed
   * ids dropped. `hulls` holds the upserted hotspots' hulls: one absent there
   * no longer has a hull.
   */
  patched(
    upserts: readonly HotspotSummary[],
    removedIds: Iterable<number>,
    hulls: ReadonlyMap<number, HullRing> = new Map(),
  ): HotspotSnapshot {
    const next = new Map(this.#byId);
    const nextHulls = new Map(this.#hulls);
    for (const id of removedIds) {
      next.delete(id);
      nextHulls.delete(id);
    }
    for (const h of upserts) {
      next.set(h.id, h);
      const ring = hulls.get(h.id);
      if (ring) nextHulls.set(h.id, ring);
      else nextHulls.delete(h.id);
    }
    return new HotspotSnapshot([...next.values()], nextHulls);
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
      out += `${k === 0 ? '' : ','}${this.#jsonOpen[index[k]!]},"distanceM":${fraction === 0 ? whole : `${whole}.${fraction}`}}`;
    }
    return `${out}]}`;
  }

  /** Hotspots inside the box, best score first, after the cursor; `more` tells whether more follow. */
  inBox(b: BBox, limit: number, after?: ScoreCursor): { items: HotspotSummary[]; more: boolean } {
    const { ranks, more } = this.#inBoxRanks(b, limit, after);
    return { items: ranks.map((r) => this.#byScore[r]!), more };
  }

  /** inBox() with the items as a JSON array, built from pre-serialized items. */
  inBoxJson(
    b: BBox,
    limit: number,
    after?: ScoreCursor,
  ): { itemsJson: string; last: HotspotSummary | undefined; more: boolean } {
    const { ranks, more } = this.#inBoxRanks(b, limit, after);
    let json = '[';
    for (let k = 0; k < ranks.length; k++) json += `${k === 0 ? '' : ','}${this.#jsonByScore[ranks[k]!]}`;
    const lastRank = ranks.at(-1);
    return { itemsJson: `${json}]`, last: lastRank === undefined ? undefined : this.#byScore[lastRank], more };
  }

  #inBoxRanks(b: BBox, limit: number, after?: ScoreCursor): { ranks: number[]; more: boolean } {
    const ranks = this.#points.inBox(b).map((i) => this.#rank[i]!);
    ranks.sort((x, y) => x - y);
    const out: number[] = [];
    for (const r of ranks) {
      if (after && compareByScore(this.#byScore[r]!, after) <= 0) continue;
      if (out.length === limit) return { ranks: out, more: true };
      out.push(r);
    }
    return { ranks: out, more: false };
  }

  /** The best-scored hotspots. */
  top(limit: number): HotspotSummary[] {
    return this.#byScore.slice(0, limit) as HotspotSummary[];
  }

  /** Map clusters (and lone hotspots) in the box at a zoom level. */
  clusters(b: BBox, zoom: number): (MapCluster | HotspotSummary)[] {
    // Loaded best first (rank = position): supercluster's greedy pass then grows clusters from the best
    // hotspots, and any copy of the same hotspots (the PostGIS fallback's) clusters alike, whatever its row order.
    const items = this.#byScore;
    this.#clusters ??= new PointClusters(
      items.map((h) => h.lat),
      items.map((h) => h.lng),
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
    if (this.#hulls.size === 0) return [];
    const reach = this.#hullReach;
    const near = this.#points.inBox({
      minLng: b.minLng - reach.lng,
      minLat: b.minLat - reach.lat,
      maxLng: b.maxLng + reach.lng,
      maxLat: b.maxLat + reach.lat,
    });
    const out: MapHull[] = [];
    for (const i of near) {
      const h = this.items[i]!;
      const ring = this.#hulls.get(h.id);
      if (ring && ringMeetsBox(ring, b)) out.push({ id: h.id, label: h.label, score: h.score, ring });
    }
    return out.sort(compareByScore);
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
