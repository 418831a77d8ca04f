import { DEG, MERCATOR_RADIUS_M } from './earth.ts';

/** Latitude limit of Web Mercator; points beyond it are clamped. */
export const MAX_MERCATOR_LAT = 85.05112878;

/** Web Mercator x in metres. */
export function mercatorX(lng: number): number {
  return MERCATOR_RADIUS_M * lng * DEG;
}

/** Web Mercator y in metres (north positive). */
export function mercatorY(lat: number): number {
  const clamped = Math.max(-MAX_MERCATOR_LAT, Math.min(MAX_MERCATOR_LAT, lat));
  return MERCATOR_RADIUS_M * Math.log(Math.tan(Math.PI / 4 + (clamped * DEG) / 2));
}

export function mercatorToLng(x: number): number {
  return x / MERCATOR_RADIUS_M / DEG;
}

export function mercatorToLat(y: number): number {
  return (2 * Math.atan(Math.exp(y / MERCATOR_RADIUS_M)) - Math.PI / 2) / DEG;
}

/**
 * Mercator metres per true metre at a latitude. Mercator is conformal, so over
 * a few kilometres distances are a true distance times this factor.
 */
export function mercatorScale(lat: number): number {
  return 1 / Math.cos(Math.min(MAX_MERCATOR_LAT, Math.abs(lat)) * DEG);
}
