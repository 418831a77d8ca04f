/** Integer kernel weight at the centre of a disc; densities are sums of these. */
export const KERNEL_UNIT = 1000;

/** Cell offsets within a radius and their Epanechnikov weights, row-major. */
export interface KernelDisc {
  dx: Int32Array;
  dy: Int32Array;
  weight: Int32Array;
  /** Radius in cells the disc was built for. */
  radius: number;
}

const cache = new Map<number, KernelDisc>();

/**
 * Disc of cells within `radiusCells` (quantised to 1/16 cell so discs are shared
 * and results do not depend on floating-point noise). Weights are integers so
 * sums are exact and independent of summation order.
 */
export function kernelDisc(radiusCells: number): KernelDisc {
  const q = Math.max(1, Math.round(radiusCells * 16)) / 16;
  const hit = cache.get(q);
  if (hit) return hit;
  const span = Math.ceil(q);
  const dx: number[] = [];
  const dy: number[] = [];
  const weight: number[] = [];
  const r2 = q * q;
  for (let y = -span; y <= span; y++) {
    for (let x = -span; x <= span; x++) {
      const d2 = x * x + y * y;
      if (d2 >= r2) continue;
      const w = Math.round(KERNEL_UNIT * (1 - d2 / r2));
      if (w <= 0) continue;
      dx.push(x);
      dy.push(y);
      weight.push(w);
    }
  }
  const disc: KernelDisc = {
    dx: Int32Array.from(dx),
    dy: Int32Array.from(dy),
    weight: Int32Array.from(weight),
    radius: q,
  };
  cache.set(q, disc);
  return disc;
}
