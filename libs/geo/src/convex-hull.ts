/** A ring of [lng, lat] positions, closed (first = last), counter-clockwise. */
export type Ring = [number, number][];

/**
 * Convex hull by Andrew's monotone chain, O(n log n). Returns a closed ring, or
 * null when the points do not span an area (fewer than 3 distinct, or collinear).
 */
export function convexHull(lng: ArrayLike<number>, lat: ArrayLike<number>): Ring | null {
  const n = lng.length;
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => lng[a]! - lng[b]! || lat[a]! - lat[b]!);
  const cross = (o: number, a: number, b: number) =>
    (lng[a]! - lng[o]!) * (lat[b]! - lat[o]!) - (lat[a]! - lat[o]!) * (lng[b]! - lng[o]!);
  const lower: number[] = [];
  for (const i of idx) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, i) <= 0) lower.pop();
    lower.push(i);
  }
  const upper: number[] = [];
  for (let k = idx.length - 1; k >= 0; k--) {
    const i = idx[k]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, i) <= 0) upper.pop();
    upper.push(i);
  }
  lower.pop();
  upper.pop();
  const hull = lower.concat(upper);
  if (hull.length < 3) return null;
  const ring: Ring = hull.map((i) => [lng[i]!, lat[i]!]);
  ring.push([ring[0]![0], ring[0]![1]]);
  return ring;
}
