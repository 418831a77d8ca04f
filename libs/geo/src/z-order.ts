/** Cells of the Z-order grid on each axis: 2^24 (~2.4 m of longitude at the equator, ~1.2 m of latitude). */
const CELLS = 2 ** 24;

/**
 * The Z-order (Morton) code of a position: its cell in a 2^24 × 2^24 grid of
 * the whole globe, the bits of the column and row interleaved, so that points
 * close together on the map mostly have codes close together. Sorting by it
 * lays out neighbours next to each other in memory. An integer below 2^48.
 */
export function zOrderCode(lat: number, lng: number): number {
  const x = cellOf((lng + 180) / 360);
  const y = cellOf((lat + 90) / 180);
  const low = (spreadBits(x & 0xffff) | (spreadBits(y & 0xffff) << 1)) >>> 0;
  const high = spreadBits(x >>> 16) | (spreadBits(y >>> 16) << 1);
  return high * 2 ** 32 + low;
}

function cellOf(fraction: number): number {
  return Math.min(CELLS - 1, Math.max(0, Math.floor(fraction * CELLS)));
}

/** The 16 low bits of v moved to the even bits of a 32-bit word. */
function spreadBits(v: number): number {
  let x = v & 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  return (x | (x << 1)) & 0x55555555;
}
