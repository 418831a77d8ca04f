import { DEG, EARTH_RADIUS_M } from './earth.ts';

/** Great-circle distance in metres between two WGS84 points (haversine). */
export function haversineMeters(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const dLat = (lat2 - lat1) * DEG;
  const dLng = (lng2 - lng1) * DEG;
  const s = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * DEG) * Math.cos(lat2 * DEG) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(s)));
}

/** Offsets a point by metres north and east (small distances; flat-earth approximation). */
export function offsetMeters(lat: number, lng: number, northM: number, eastM: number): { lat: number; lng: number } {
  const dLat = northM / (EARTH_RADIUS_M * DEG);
  const dLng = eastM / (EARTH_RADIUS_M * DEG * Math.cos(lat * DEG));
  return { lat: lat + dLat, lng: lng + dLng };
}
