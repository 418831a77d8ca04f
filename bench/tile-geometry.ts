/**
 * `npm run bench:tile-geometry`: the hulls layer of the query API's vector tiles, cut per tile by the
 * hand-written projection and clip (`TileProjection.ring`, apps/query-api/src/tiles/tile-geometry.ts), beside
 * geojson-vt (the library that does the same, and what vt-pbf is made to encode) over the same hulls.
 *
 * A city's worth of seeded convex hulls (12–24 corners, 20–150 m across, as hotspot hulls are), and every
 * z 15 and z 16 tile over them. Both sides encode each tile with vt-pbf (extent 4096, buffer 256):
 *
 * - hand-written: the hulls whose box meets the tile's buffered box, projected and clipped per request, as the
 *   API does from its in-process snapshot;
 * - geojson-vt: one index of all hulls (built once per snapshot, as an API using it would on every swap),
 *   then getTile per request: the first pass cuts each tile down from its parents, later passes find it cached.
 *   Its simplification is off (tolerance 0), since the API's hulls are not simplified.
 *
 * Prints the index build time and heap, the tiles/s of each pass in alternating rounds (medians), and the
 * ratios. Options: --hulls N (default 20,000), --rounds N (default 5).
 */
import { parseArgs } from 'node:util';
import { seededRandom } from '@photospots/test-harness';
import GeoJSONVT from 'geojson-vt';
import { fromGeojsonVt } from 'vt-pbf';
import {
  TILE_BUFFER,
  TILE_EXTENT,
  TileProjection,
  tileBox,
  type TileAddress,
} from '../apps/query-api/src/tiles/tile-geometry.ts';

const { values } = parseArgs({ options: { hulls: { type: 'string' }, rounds: { type: 'string' } } });
const HULLS = Number(values.hulls ?? 20_000);
const ROUNDS = Number(values.rounds ?? 5);
/** Dresden and its surroundings. */
const BOX = { minLat: 50.98, maxLat: 51.13, minLng: 13.6, maxLng: 13.9 };
const M_PER_DEG = 111_320;

interface Hull {
  id: number;
  /** Closed ring, flat [lng, lat, …], as the snapshot holds it. */
  ring: Float64Array;
  minLng: number;
  maxLng: number;
  minLat: number;
  maxLat: number;
}

/** Seeded convex polygons: corners at increasing angles around a centre, each at its own radius. */
function makeHulls(n: number): Hull[] {
  const random = seededRandom(42);
  const hulls: Hull[] = [];
  for (let id = 1; id <= n; id++) {
    const lat = BOX.minLat + random() * (BOX.maxLat - BOX.minLat);
    const lng = BOX.minLng + random() * (BOX.maxLng - BOX.minLng);
    const corners = 12 + Math.floor(random() * 13);
    const radiusM = 10 + random() * 65;
    const cos = Math.cos((lat * Math.PI) / 180);
    const flat: number[] = [];
    for (let k = 0; k < corners; k++) {
      const a = (2 * Math.PI * k) / corners;
      const r = radiusM * (0.85 + 0.15 * random());
      flat.push(lng + (r * Math.cos(a)) / (M_PER_DEG * cos), lat + (r * Math.sin(a)) / M_PER_DEG);
    }
    flat.push(flat[0]!, flat[1]!);
    const ring = Float64Array.from(flat);
    const lngs = flat.filter((_, i) => i % 2 === 0);
    const lats = flat.filter((_, i) => i % 2 === 1);
    hulls.push({
      id,
      ring,
      minLng: Math.min(...lngs),
      maxLng: Math.max(...lngs),
      minLat: Math.min(...lats),
      maxLat: Math.max(...lats),
    });
  }
  return hulls;
}

function tilesOver(z: number): TileAddress[] {
  const n = 2 ** z;
  const col = (lng: number) => Math.floor(((lng + 180) / 360) * n);
  const row = (lat: number) => {
    const r = (lat * Math.PI) / 180;
    return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  };
  const tiles: TileAddress[] = [];
  for (let y = row(BOX.maxLat); y <= row(BOX.minLat); y++)
    for (let x = col(BOX.minLng); x <= col(BOX.maxLng); x++) tiles.push({ z, x, y });
  return tiles;
}

type Layers = Parameters<typeof fromGeojsonVt>[0];
const encode = (features: unknown[]) =>
  fromGeojsonVt({ hulls: { features } } as unknown as Layers, { version: 2, extent: TILE_EXTENT });

/** The hand-written path: the hulls meeting the tile's buffered box (from a coarse grid), projected and clipped. */
class HandWritten {
  readonly #cells = new Map<number, Hull[]>();
  static readonly CELL_DEG = 0.01;

  constructor(hulls: readonly Hull[]) {
    const c = HandWritten.CELL_DEG;
    for (const h of hulls) {
      for (let gy = Math.floor(h.minLat / c); gy <= Math.floor(h.maxLat / c); gy++)
        for (let gx = Math.floor(h.minLng / c); gx <= Math.floor(h.maxLng / c); gx++) {
          const key = gy * 100_000 + gx;
          const list = this.#cells.get(key);
          if (list) list.push(h);
          else this.#cells.set(key, [h]);
        }
    }
  }

  tile(t: TileAddress): Uint8Array | undefined {
    const box = tileBox(t);
    const c = HandWritten.CELL_DEG;
    const seen = new Set<number>();
    const projection = new TileProjection(t);
    const features: unknown[] = [];
    for (let gy = Math.floor(box.minLat / c); gy <= Math.floor(box.maxLat / c); gy++)
      for (let gx = Math.floor(box.minLng / c); gx <= Math.floor(box.maxLng / c); gx++)
        for (const h of this.#cells.get(gy * 100_000 + gx) ?? []) {
          if (seen.has(h.id)) continue;
          seen.add(h.id);
          if (h.maxLng < box.minLng || h.minLng > box.maxLng || h.maxLat < box.minLat || h.minLat > box.maxLat)
            continue;
          const ring = projection.ring(h.ring);
          if (ring) features.push({ type: 3, id: h.id, geometry: [ring], tags: { id: h.id } });
        }
    return features.length > 0 ? encode(features) : undefined;
  }
}

function geojsonIndex(hulls: readonly Hull[]) {
  return new GeoJSONVT(
    {
      type: 'FeatureCollection',
      features: hulls.map((h) => ({
        type: 'Feature' as const,
        id: h.id,
        properties: { id: h.id },
        geometry: {
          type: 'Polygon' as const,
          coordinates: [Array.from({ length: h.ring.length / 2 }, (_, k) => [h.ring[2 * k]!, h.ring[2 * k + 1]!])],
        },
      })),
    },
    { maxZoom: 16, indexMaxZoom: 5, indexMaxPoints: 100_000, tolerance: 0, extent: TILE_EXTENT, buffer: TILE_BUFFER },
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const heapMb = () => {
  globalThis.gc?.();
  return process.memoryUsage().heapUsed / 1e6;
};

const hulls = makeHulls(HULLS);
const tiles = [...tilesOver(15), ...tilesOver(16)];
console.log(`${HULLS.toLocaleString('en')} hulls, ${tiles.length.toLocaleString('en')} tiles at z 15–16`);

/** The heap an index of these hulls holds once every tile was asked for (the index is dropped after). */
function indexHeap(): { mb: number; tiles: number } {
  const before = heapMb();
  const held = geojsonIndex(hulls);
  for (const t of tiles) held.getTile(t.z, t.x, t.y);
  return { mb: heapMb() - before, tiles: held.tileCoords.length };
}
const { mb: indexMb, tiles: cachedTiles } = indexHeap();

// The same hulls come out of both (features per tile), before anything is timed.
const hand = new HandWritten(hulls);
const check = geojsonIndex(hulls);
let handFeatures = 0;
let libFeatures = 0;
for (const t of tiles) {
  const a = hand.tile(t);
  const b = check.getTile(t.z, t.x, t.y);
  handFeatures += a ? 1 : 0;
  libFeatures += b && b.features.length > 0 ? 1 : 0;
}
console.log(`non-empty tiles: hand-written ${handFeatures}, geojson-vt ${libFeatures}`);

const rate = (fn: () => void) => {
  const t0 = performance.now();
  fn();
  return { ms: performance.now() - t0 };
};
const handRates: number[] = [];
const libColdRates: number[] = [];
const libWarmRates: number[] = [];
const builds: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const h = rate(() => {
    for (const t of tiles) hand.tile(t);
  });
  handRates.push(tiles.length / (h.ms / 1000));
  let index!: ReturnType<typeof geojsonIndex>;
  builds.push(rate(() => (index = geojsonIndex(hulls))).ms);
  const cold = rate(() => {
    for (const t of tiles) {
      const tile = index.getTile(t.z, t.x, t.y);
      if (tile && tile.features.length > 0) encode(tile.features);
    }
  });
  libColdRates.push(tiles.length / (cold.ms / 1000));
  const warm = rate(() => {
    for (const t of tiles) {
      const tile = index.getTile(t.z, t.x, t.y);
      if (tile && tile.features.length > 0) encode(tile.features);
    }
  });
  libWarmRates.push(tiles.length / (warm.ms / 1000));
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const hw = median(handRates);
console.log(`hand-written, per request            ${fmt(hw)} tiles/s`);
console.log(
  `geojson-vt, first request per tile   ${fmt(median(libColdRates))} tiles/s (${(median(libColdRates) / hw).toFixed(2)}× hand-written)`,
);
console.log(
  `geojson-vt, cached tiles             ${fmt(median(libWarmRates))} tiles/s (${(median(libWarmRates) / hw).toFixed(2)}× hand-written)`,
);
console.log(
  `geojson-vt index: built in ${fmt(median(builds))} ms per snapshot; ${fmt(indexMb)} MB of heap with ${fmt(cachedTiles)} tiles cut`,
);
