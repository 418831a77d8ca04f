import type { BBox } from '@photospots/geo';
import type { HotspotSummary, NearbyHit } from '@photospots/hotspot-index';
import KDBush from 'kdbush';
import Supercluster, { type ClusterProperties } from 'supercluster';
import { metresPerDegree } from './local-distance.ts';

/** Position after which a score-ordered page continues: (score, id) of its last item. */
export interface ScoreCursor {
  score: number;
  id: number;
}

export interface MapCluster {
  kind: 'cluster';
  /** Supercluster id (valid for this data version only). */
  clusterId: number;
  lat: number;
  lng: number;
  /** Hotspots inside. */
  count: number;
  /** Zoom at which the cluster splits. */
  expansionZoom: number;
  /** The best-scored hotspot inside: what a map shows as the cluster's name. */
  best: HotspotSummary;
}

interface ClusterProps {
  best: number;
}

/**
 * An immutable in-process copy of the active hotspots: a KD-tree over their
 * positions, the score order, and (built on first use) map clusters. Built
 * once per data change and swapped in whole, so a request never sees a
 * half-updated index; queries do no I/O and no validation.
 */
export class HotspotSnapshot {
  readonly items: readonly HotspotSummary[];
  readonly #byId: Map<number, HotspotSummary>;
  readonly #tree: KDBush;
  /** rank[i] = position of items[i] in best-score-first order. */
  readonly #rank: Uint32Array;
  readonly #byScore: readonly HotspotSummary[];
  /** Each item's JSON without its closing brace, so answers are concatenated, not re-serialized, per request. */
  readonly #jsonOpen: readonly string[];
  /** Each item's JSON, in best-score-first order. */
  readonly #jsonByScore: readonly string[];
  #clusters: Supercluster<ClusterProps, ClusterProps> | undefined;
  /** getClusterExpansionZoom walks the tree; clusters recur across map boxes, so each is asked once per snapshot. */
  readonly #expansionZoom = new Map<number, number>();
  /** Nearest hits of the request being answered (grown to the largest limit asked). */
  #scratch = { index: new Uint32Array(0), distance: new Float64Array(0) };

  constructor(items: readonly HotspotSummary[]) {
    this.items = items;
    this.#byId = new Map(items.map((h) => [h.id, h]));
    this.#tree = new KDBush(Math.max(1, items.length));
    for (const h of items) this.#tree.add(h.lng, h.lat);
    if (items.length === 0) this.#tree.add(0, 0);
    this.#tree.finish();
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

  /** A new snapshot with the given hotspots added or replaced and the removed ids dropped. */
  patched(upserts: readonly HotspotSummary[], removedIds: Iterable<number>): HotspotSnapshot {
    const next = new Map(this.#byId);
    for (const id of removedIds) next.delete(id);
    for (const h of upserts) next.set(h.id, h);
    return new HotspotSnapshot([...next.values()]);
  }

  #range(b: BBox): number[] {
    if (this.items.length === 0) return [];
    // kdbush returns the insertion indexes of the points, i.e. indexes into items.
    return this.#tree.range(b.minLng, b.minLat, b.maxLng, b.maxLat);
  }

  /** Hotspots within radiusM of a point, nearest first (ties by id). */
  nearby(lat: number, lng: number, radiusM: number, limit: number): NearbyHit[] {
    return this.#nearbyHits(lat, lng, radiusM, limit).map(({ i, d }) => ({
      ...this.items[i]!,
      distanceM: Math.round(d * 10) / 10,
    }));
  }

  /** nearby() as the JSON body `{"items":[…]}`, built from pre-serialized items. */
  nearbyJson(lat: number, lng: number, radiusM: number, limit: number): string {
    const count = this.#collectNearby(lat, lng, radiusM, limit);
    const { index, distance } = this.#scratch;
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

  #nearbyHits(lat: number, lng: number, radiusM: number, limit: number): { i: number; d: number }[] {
    const count = this.#collectNearby(lat, lng, radiusM, limit);
    const { index, distance } = this.#scratch;
    return Array.from({ length: count }, (_, k) => ({ i: index[k]!, d: distance[k]! }));
  }

  /**
   * The `limit` nearest hotspots within radiusM (ties by id), nearest first,
   * left in the scratch arrays; returns how many. A bounded insertion keeps
   * only the best `limit` while scanning, so nothing is allocated or sorted
   * per candidate. Synchronous: no other request can use the scratch meanwhile.
   */
  #collectNearby(lat: number, lng: number, radiusM: number, limit: number): number {
    const { kx, ky } = metresPerDegree(lat);
    const dLat = radiusM / ky;
    const dLng = Math.min(180, radiusM / Math.max(kx, 1e-6));
    const candidates = this.#range({
      minLng: Math.max(-180, lng - dLng),
      minLat: Math.max(-90, lat - dLat),
      maxLng: Math.min(180, lng + dLng),
      maxLat: Math.min(90, lat + dLat),
    });
    const items = this.items;
    const r2 = radiusM * radiusM;
    const { index, distance } = this.#scratchFor(limit);
    let count = 0;
    for (const i of candidates) {
      const h = items[i]!;
      const dx = (h.lng - lng) * kx;
      const dy = (h.lat - lat) * ky;
      const d2 = dx * dx + dy * dy;
      if (d2 > r2) continue;
      const d = Math.sqrt(d2);
      const id = h.id;
      // Where the hit goes in the kept list; past the end: not among the nearest `limit`.
      let k = count;
      while (k > 0 && (distance[k - 1]! > d || (distance[k - 1] === d && items[index[k - 1]!]!.id > id))) k--;
      if (k >= limit) continue;
      const last = Math.min(count, limit - 1);
      for (let m = last; m > k; m--) {
        index[m] = index[m - 1]!;
        distance[m] = distance[m - 1]!;
      }
      index[k] = i;
      distance[k] = d;
      if (count < limit) count++;
    }
    return count;
  }

  #scratchFor(limit: number): { index: Uint32Array; distance: Float64Array } {
    if (this.#scratch.index.length < limit)
      this.#scratch = { index: new Uint32Array(limit), distance: new Float64Array(limit) };
    return this.#scratch;
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
    const ranks = this.#range(b).map((i) => this.#rank[i]!);
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
    const index = this.#clusterIndex();
    return index.getClusters([b.minLng, b.minLat, b.maxLng, b.maxLat], zoom).map((f) => {
      const [lng, lat] = f.geometry.coordinates as [number, number];
      const p = f.properties as Partial<ClusterProperties> & ClusterProps;
      const best = this.items[p.best]!;
      if (!p.cluster) return best;
      return {
        kind: 'cluster',
        clusterId: p.cluster_id!,
        lat: Math.round(lat * 1e6) / 1e6,
        lng: Math.round(lng * 1e6) / 1e6,
        count: p.point_count!,
        expansionZoom: this.#expansionZoomOf(index, p.cluster_id!),
        best,
      } satisfies MapCluster;
    });
  }

  #expansionZoomOf(index: Supercluster<ClusterProps, ClusterProps>, clusterId: number): number {
    let zoom = this.#expansionZoom.get(clusterId);
    if (zoom === undefined) {
      zoom = index.getClusterExpansionZoom(clusterId);
      this.#expansionZoom.set(clusterId, zoom);
    }
    return zoom;
  }

  #clusterIndex(): Supercluster<ClusterProps, ClusterProps> {
    if (this.#clusters) return this.#clusters;
    const items = this.items;
    const rank = this.#rank;
    const index = new Supercluster<ClusterProps, ClusterProps>({
      radius: 60,
      maxZoom: 17,
      map: (p) => ({ best: p.best }),
      reduce: (acc, p) => {
        if (rank[p.best]! < rank[acc.best]!) acc.best = p.best;
      },
    });
    index.load(
      items.map((h, i) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [h.lng, h.lat] },
        properties: { best: i },
      })),
    );
    this.#clusters = index;
    return index;
  }
}

/** Best score first, then lowest id: the order of top, bbox pages and their cursors. */
export function compareByScore(a: { score: number; id: number }, b: { score: number; id: number }): number {
  return b.score - a.score || a.id - b.id;
}
