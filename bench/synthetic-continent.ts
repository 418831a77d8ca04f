import { rulerAt, seededRandom } from '@photospots/geo';

/** A continent of points as bench:api-scale's fill shapes it. */
export function continent(n: number): { lat: Float64Array; lng: Float64Array } {
  const rnd = seededRandom(42);
  const lat = new Float64Array(n);
  const lng = new Float64Array(n);
  const cities = Math.max(1, Math.round(n / 330));
  const centres = Array.from({ length: cities }, () => ({
    lat: 36 + rnd() * 34,
    lng: -10 + rnd() * 50,
    sigmaM: 200 + rnd() * 1500,
  }));
  // Zipf: city r holds ∝ 1/(r + 1) of the city hotspots.
  let total = 0;
  for (let r = 0; r < cities; r++) total += 1 / (r + 1);
  const cumulative = new Float64Array(cities);
  for (let r = 0, sum = 0; r < cities; r++) cumulative[r] = sum += 1 / (r + 1) / total;
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  for (let i = 0; i < n; i++) {
    if (rnd() < 0.1) {
      lat[i] = 36 + rnd() * 34;
      lng[i] = -10 + rnd() * 50;
      continue;
    }
    const u = rnd();
    let lo = 0;
    let hi = cities - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    const c = centres[lo]!;
    const { kx, ky } = rulerAt(c.lat);
    lat[i] = c.lat + (gaussian() * c.sigmaM) / ky;
    lng[i] = c.lng + (gaussian() * c.sigmaM) / kx;
  }
  return { lat, lng };
}
