import { expandBBox, unionBBox, type BBox } from '../bbox.ts';
import { tileBounds, tileKeyOf, tileXYFromKey, tileKeyFromXY } from '../tiles.ts';
import { clusterByPeople, type ClusterPoints, type PeopleCluster } from './people-density-clusters.ts';
import { clusteringMarginM, DEFAULT_CLUSTER_PARAMS, type PeopleClusterParams } from './params.ts';

/** A unit of clustering work: hotspots peaking in coreTiles, computed from photos in window. */
export interface ClusterJob {
  coreTiles: number[];
  window: BBox;
}

/** Work tiles per block side; bounds the grid (and memory) of one clusterByPeople call. */
export const DEFAULT_BLOCK_TILES = 12;

/**
 * Groups work tiles into square blocks and gives each block the window of
 * photos it must read: its tiles' bounds plus the clustering margin.
 */
export function planClusterJobs(
  tileKeys: Iterable<number>,
  params: PeopleClusterParams = DEFAULT_CLUSTER_PARAMS,
  blockTiles = DEFAULT_BLOCK_TILES,
  /** A wider margin when the caller also needs photos around the hotspots (e.g. to name them). */
  minMarginM = 0,
): ClusterJob[] {
  const blocks = new Map<number, number[]>();
  for (const key of new Set(tileKeys)) {
    const { x, y } = tileXYFromKey(key);
    const blockKey = tileKeyFromXY(Math.floor(x / blockTiles), Math.floor(y / blockTiles));
    let list = blocks.get(blockKey);
    if (!list) blocks.set(blockKey, (list = []));
    list.push(key);
  }
  const margin = Math.max(clusteringMarginM(params), minMarginM);
  return [...blocks.keys()]
    .sort((a, b) => a - b)
    .map((blockKey) => {
      const coreTiles = blocks.get(blockKey)!.sort((a, b) => a - b);
      return { coreTiles, window: expandBBox(unionBBox(coreTiles.map(tileBounds)), margin) };
    });
}

/** Runs one job over points already restricted to (at least) its window. */
export function runClusterJob(
  job: ClusterJob,
  points: ClusterPoints,
  params: PeopleClusterParams = DEFAULT_CLUSTER_PARAMS,
): PeopleCluster[] {
  const core = new Set(job.coreTiles);
  return clusterByPeople(points, params, (lat, lng) => core.has(tileKeyOf(lat, lng)));
}

/**
 * Clusters an in-memory set of any extent, block by block. Equal, cluster for
 * cluster, to clusterByPeople over all points at once; bounded in memory.
 */
export function clusterInBlocks(
  points: ClusterPoints,
  params: PeopleClusterParams = DEFAULT_CLUSTER_PARAMS,
  blockTiles = DEFAULT_BLOCK_TILES,
): PeopleCluster[] {
  const n = points.lat.length;
  const tiles = new Int32Array(n);
  // Bucket points by block so each job reads only its block and the 8 around it
  // (the margin is narrower than a tile, so a window never reaches further).
  const byBlock = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = tileKeyOf(points.lat[i]!, points.lng[i]!);
    tiles[i] = key;
    const { x, y } = tileXYFromKey(key);
    const blockKey = tileKeyFromXY(Math.floor(x / blockTiles), Math.floor(y / blockTiles));
    let list = byBlock.get(blockKey);
    if (!list) byBlock.set(blockKey, (list = []));
    list.push(i);
  }
  const jobs = planClusterJobs(tiles, params, blockTiles);
  const out: PeopleCluster[] = [];
  for (const job of jobs) {
    const w = job.window;
    const { x: tx, y: ty } = tileXYFromKey(job.coreTiles[0]!);
    const bx = Math.floor(tx / blockTiles);
    const by = Math.floor(ty / blockTiles);
    const idx: number[] = [];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const i of byBlock.get(tileKeyFromXY(bx + dx, by + dy)) ?? []) {
          const lat = points.lat[i]!;
          const lng = points.lng[i]!;
          if (lat >= w.minLat && lat <= w.maxLat && lng >= w.minLng && lng <= w.maxLng) idx.push(i);
        }
      }
    }
    idx.sort((a, b) => a - b);
    const sub: ClusterPoints = {
      lat: Float64Array.from(idx, (i) => points.lat[i]!),
      lng: Float64Array.from(idx, (i) => points.lng[i]!),
      user: Int32Array.from(idx, (i) => points.user[i]!),
    };
    for (const c of runClusterJob(job, sub, params)) {
      out.push({ ...c, members: Int32Array.from(c.members, (j) => idx[j]!) });
    }
  }
  return out;
}
