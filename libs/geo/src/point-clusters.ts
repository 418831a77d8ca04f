import Supercluster, { type ClusterProperties } from 'supercluster';
import type { BBox } from './bbox.ts';

/** A cluster of points on a map at one zoom level. */
export interface PointCluster {
  kind: 'cluster';
  /** Supercluster id (valid for this index only). */
  clusterId: number;
  lat: number;
  lng: number;
  /** Points inside. */
  count: number;
  /** Zoom at which the cluster splits. */
  expansionZoom: number;
  /** Index of the best-ranked point inside. */
  best: number;
}

interface Props {
  best: number;
}

/** Supercluster's options: the cluster radius in pixels (of its 512-pixel tiles) and the last zoom level that clusters. */
export interface PointClusterOptions {
  radiusPx: number;
  maxZoom: number;
}

/**
 * Map clusters of static points (supercluster), each carrying its
 * best-ranked point, so a map can name a cluster by what is best inside.
 */
export class PointClusters {
  readonly #index: Supercluster<Props, Props>;
  /** getClusterExpansionZoom walks the tree; clusters recur across map boxes, so each is asked once per index. */
  readonly #expansionZoom = new Map<number, number>();

  /** Clusters the points (degrees); the lowest `rank` is the best. */
  constructor(lat: ArrayLike<number>, lng: ArrayLike<number>, rank: ArrayLike<number>, options: PointClusterOptions) {
    this.#index = new Supercluster<Props, Props>({
      radius: options.radiusPx,
      maxZoom: options.maxZoom,
      map: (p) => ({ best: p.best }),
      reduce: (acc, p) => {
        if (rank[p.best]! < rank[acc.best]!) acc.best = p.best;
      },
    });
    this.#index.load(
      Array.from({ length: lat.length }, (_, i) => ({
        type: 'Feature' as const,
        geometry: { type: 'Point' as const, coordinates: [lng[i]!, lat[i]!] },
        properties: { best: i },
      })),
    );
  }

  /**
   * The clusters and lone points in the box at a zoom level, each shaped by
   * the caller (`cluster` or `point`) as it is read, with nothing in between.
   */
  inBox<T>(b: BBox, zoom: number, shape: { cluster: (c: PointCluster) => T; point: (index: number) => T }): T[] {
    return this.#index.getClusters([b.minLng, b.minLat, b.maxLng, b.maxLat], zoom).map((f) => {
      const p = f.properties as Partial<ClusterProperties> & Props;
      if (!p.cluster) return shape.point(p.best);
      const [lng, lat] = f.geometry.coordinates as [number, number];
      return shape.cluster({
        kind: 'cluster',
        clusterId: p.cluster_id!,
        lat,
        lng,
        count: p.point_count!,
        expansionZoom: this.#expansionZoomOf(p.cluster_id!),
        best: p.best,
      });
    });
  }

  #expansionZoomOf(clusterId: number): number {
    let zoom = this.#expansionZoom.get(clusterId);
    if (zoom === undefined) {
      zoom = this.#index.getClusterExpansionZoom(clusterId);
      this.#expansionZoom.set(clusterId, zoom);
    }
    return zoom;
  }
}
