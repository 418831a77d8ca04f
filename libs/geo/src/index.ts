export { EARTH_RADIUS_M } from './earth.ts';
export { haversineMeters, offsetMeters } from './distance.ts';
export { rulerAt } from './local-ruler.ts';
export { PointGrid } from './point-grid.ts';
export { PointIndex, type NearestPoints } from './point-index.ts';
export { zOrderCode } from './z-order.ts';
export { PointClusters, type PointCluster, type PointClusterOptions } from './point-clusters.ts';
export { mercatorX, mercatorY, mercatorToLat, mercatorToLng, mercatorScale } from './mercator.ts';
export { parseBBox, bboxAreaKm2, bboxContains, expandBBox, unionBBox, type BBox, type BBoxProblem } from './bbox.ts';
export {
  WORK_TILE_ZOOM,
  tileXY,
  tileKeyOf,
  tileKeyFromXY,
  tileXYFromKey,
  tileBounds,
  withNeighbourTiles,
  tilesInBBox,
  tileWidthM,
  influenceTiles,
  tileRing,
  forEachTileWithin,
} from './tiles.ts';
export { convexHull, type Ring } from './convex-hull.ts';
export {
  DEFAULT_CLUSTER_PARAMS,
  clusteringMarginM,
  membershipReachM,
  type PeopleClusterParams,
} from './clustering/params.ts';
export {
  clusterByPeople,
  type ClusterPoints,
  type PeopleCluster,
  type PeakOwnership,
} from './clustering/people-density-clusters.ts';
export {
  planClusterJobs,
  runClusterJob,
  clusterInBlocks,
  DEFAULT_BLOCK_TILES,
  type ClusterJob,
} from './clustering/cluster-jobs.ts';
export { seededRandom } from './seeded-random.ts';
