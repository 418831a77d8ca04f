/** WGS84 ellipsoid: equatorial radius (m) and flattening. */
const RE = 6_378_137;
const FE = 1 / 298.257223563;
const E2 = FE * (2 - FE);
const RAD = Math.PI / 180;

/**
 * Metres per degree of longitude (kx) and latitude (ky) around a latitude,
 * from the ellipsoid's radii of curvature (the "cheap ruler" method). Within
 * tens of kilometres of that latitude, √((Δlng·kx)² + (Δlat·ky)²) matches
 * the geodesic distance to well under 0.1%, with no trigonometry per point —
 * the in-process nearby search measures hundreds of candidates per request.
 */
export function metresPerDegree(lat: number): { kx: number; ky: number } {
  const m = RAD * RE;
  const coslat = Math.cos(lat * RAD);
  const w2 = 1 / (1 - E2 * (1 - coslat * coslat));
  const w = Math.sqrt(w2);
  return { kx: m * w * coslat, ky: m * w * w2 * (1 - E2) };
}
