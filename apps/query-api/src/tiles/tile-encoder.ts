import type { HotspotSummary } from '@photospots/hotspot-index';
import { fromGeojsonVt } from 'vt-pbf';
import { rankClusters, representative, type MapCluster, type MapHull } from '../hotspots/hotspot-snapshot.ts';
import { TILE_EXTENT, TileProjection, type TileAddress } from './tile-geometry.ts';

/** Layer names, as styles refer to them. */
export const HOTSPOTS_LAYER = 'hotspots';
export const HULLS_LAYER = 'hulls';

/** A feature as geojson-vt leaves it in a tile (what vt-pbf's fromGeojsonVt encodes): 1 a point, 3 a polygon. */
interface TileFeature {
  type: 1 | 3;
  /** The MVT feature id: the hotspot's id (for a cluster, its best hotspot's, which a cluster hides at its zoom). */
  id: number;
  /** Points: [[x, y]]; polygons: rings of closed [x, y] lists. */
  geometry: [number, number][] | [number, number][][];
  tags: Record<string, string | number>;
}

/**
 * Encodes one tile as a Mapbox Vector Tile 2.1: the `hotspots` layer (lone
 * hotspots and clusters as points, best first, so a map placing labels in
 * order keeps the best) and the `hulls` layer (polygons). Empty layers are
 * left out; undefined when both are empty.
 */
export function encodeTile(
  t: TileAddress,
  points: readonly (MapCluster | HotspotSummary)[],
  hulls: readonly MapHull[],
): Uint8Array | undefined {
  const projection = new TileProjection(t);
  const hotspotFeatures: TileFeature[] = rankClusters(points).map((p) => ({
    type: 1,
    id: representative(p).id,
    geometry: [[projection.x(p.lng), projection.y(p.lat)]],
    tags:
      'kind' in p
        ? {
            kind: 'cluster',
            id: p.best.id,
            ...labelTag(p.best.label),
            score: p.best.score,
            count: p.count,
            expansionZoom: p.expansionZoom,
          }
        : {
            kind: 'hotspot',
            id: p.id,
            ...labelTag(p.label),
            score: p.score,
            userCount: p.userCount,
            photoCount: p.photoCount,
          },
  }));
  const hullFeatures: TileFeature[] = [];
  for (const h of hulls) {
    const ring = projection.ring(h.ring);
    if (ring)
      hullFeatures.push({
        type: 3,
        id: h.id,
        geometry: [ring],
        tags: { id: h.id, ...labelTag(h.label), score: h.score },
      });
  }
  const layers: Record<string, { features: TileFeature[] }> = {};
  if (hotspotFeatures.length > 0) layers[HOTSPOTS_LAYER] = { features: hotspotFeatures };
  if (hullFeatures.length > 0) layers[HULLS_LAYER] = { features: hullFeatures };
  if (Object.keys(layers).length === 0) return undefined;
  // @types/vt-pbf types a layer as a whole geojson-vt index; vt-pbf reads only the `features` of a tile.
  return fromGeojsonVt(layers as unknown as Parameters<typeof fromGeojsonVt>[0], { version: 2, extent: TILE_EXTENT });
}

/** MVT has no null: a hotspot without a label simply has no `label`. */
function labelTag(label: string | null): { label?: string } {
  return label === null ? {} : { label };
}
