/**
 * Parameters of people-density clustering. Distances are true metres; the
 * grid is Web Mercator so that every window of the world shares one lattice.
 */
export interface PeopleClusterParams {
  /** Side of a density-grid cell in Web Mercator metres (≈ 7.5 m true at 51°N). */
  cellSizeMercM: number;
  /** Kernel radius: how far one photographer's presence spreads. */
  bandwidthM: number;
  /** A peak must be the densest cell within this radius; lower maxima drain into it. */
  peakSeparationM: number;
  /** A hotspot needs at least this many distinct photographers. */
  minUsers: number;
  /** Radius around a peak in which those photographers are counted. */
  minUsersRadiusM: number;
  /** No member lies farther than this from its peak (landmark scale, not city scale). */
  maxRadiusM: number;
  /** Cells thinner than this (in photographers) belong to no hotspot. */
  minDensity: number;
  /** Cells thinner than this share of their peak's density belong to no hotspot. */
  relativeFloor: number;
  /**
   * One photographer's photos within a square of this many grid cells count as
   * one presence (a burst from one spot). 1 = one grid cell (7.5 m at 51°N); 2 is a little
   * faster but lost a landmark's label in the evaluation (docs/benchmarks.md).
   */
  burstCells: number;
}

/** Defaults chosen by the parameter sweep on the Dresden sample (see docs/clustering.md). */
export const DEFAULT_CLUSTER_PARAMS: Readonly<PeopleClusterParams> = Object.freeze({
  cellSizeMercM: 12,
  bandwidthM: 50,
  peakSeparationM: 60,
  minUsers: 3,
  minUsersRadiusM: 100,
  maxRadiusM: 150,
  minDensity: 0.5,
  relativeFloor: 0.15,
  burstCells: 1,
});

/**
 * How far beyond the area whose hotspots are computed the input must reach for
 * the result to equal a computation over the whole world: a member lies within
 * maxRadius of its peak, its uphill path within maxRadius of itself, a path may
 * look peakSeparation further, and the density there depends on bandwidth more.
 */
export function clusteringMarginM(p: PeopleClusterParams): number {
  return Math.max(2 * p.maxRadiusM + p.peakSeparationM + p.bandwidthM, p.maxRadiusM + p.minUsersRadiusM);
}

/**
 * How far apart two areas whose hotspots are computed must lie for no photo to be a member on both sides:
 * a member lies within maxRadius of its peak (give or take a grid cell), and the peak in its area.
 */
export function membershipReachM(p: PeopleClusterParams): number {
  return 2 * (p.maxRadiusM + p.cellSizeMercM);
}
