import KDBush from 'kdbush';
import { mercatorScale, mercatorToLat, mercatorToLng, mercatorX, mercatorY } from '../mercator.ts';
import { KERNEL_UNIT, kernelDisc, type KernelDisc } from './kernel-disc.ts';
import { clusteringMarginM, DEFAULT_CLUSTER_PARAMS, type PeopleClusterParams } from './params.ts';

/** Photos to cluster, as parallel arrays. `user` holds small non-negative integers. */
export interface ClusterPoints {
  lat: ArrayLike<number>;
  lng: ArrayLike<number>;
  user: ArrayLike<number>;
}

/** A place many photographers went to, found as a peak of photographer density. */
export interface PeopleCluster {
  /** Centre of the grid cell at the density peak. */
  peakLat: number;
  peakLng: number;
  /** Mode estimate: mean of photographer positions near the peak, each photographer weighing 1. */
  lat: number;
  lng: number;
  /** Kernel-weighted photographers at the peak (1 = one photographer standing on the peak). */
  density: number;
  /** Distinct photographers within minUsersRadiusM of the peak. */
  nearbyUsers: number;
  /** Indices into the input arrays, ascending. */
  members: Int32Array;
}

/** Decides whether a peak belongs to the area being computed (the rest is margin). */
export type PeakOwnership = (peakLat: number, peakLng: number) => boolean;

interface PeakInfo {
  qualifies: boolean;
  nearbyUsers: number;
}

/**
 * Clusters photos into hotspots by the density of distinct photographers.
 *
 * Each photographer adds one Epanechnikov kernel to a Web Mercator grid, and
 * where their own kernels overlap only the largest counts, so one person's
 * 4,000 photos weigh no more than one photo (P-DBSCAN, Kisilevich 2010).
 * Every occupied cell then climbs the density surface (steepest ascent, with
 * jumps out of minor maxima to the densest cell within peakSeparation) to a
 * peak, as mean shift would (Crandall 2009) but on a grid, so a dense old town
 * separates into its sights instead of chaining into one blob. A peak is a
 * hotspot if enough distinct photographers stand near it.
 *
 * The result for an area depends only on photos within clusteringMarginM of it,
 * and integer densities with index tie-breaks make it exact, so computing the
 * world in windows, or only the windows new photos touched, gives the same
 * clusters as one computation over everything.
 */
export function clusterByPeople(
  points: ClusterPoints,
  params: PeopleClusterParams = DEFAULT_CLUSTER_PARAMS,
  owns: PeakOwnership = () => true,
): PeopleCluster[] {
  const groups = separateGroups(points, params);
  if (groups.length <= 1) return clusterOnOneGrid(points, params, owns).map((c) => c.cluster);
  const found: GridCluster[] = [];
  for (const group of groups) {
    const subset: ClusterPoints = {
      lat: Float64Array.from(group, (i) => points.lat[i]!),
      lng: Float64Array.from(group, (i) => points.lng[i]!),
      user: Int32Array.from(group, (i) => points.user[i]!),
    };
    for (const c of clusterOnOneGrid(subset, params, owns)) {
      c.cluster.members = c.cluster.members.map((k) => group[k]!);
      found.push(c);
    }
  }
  // The order of one grid over everything: peaks in lattice row-major order.
  return found.sort((a, b) => a.peakY - b.peakY || a.peakX - b.peakX).map((c) => c.cluster);
}

/** A cluster and its peak's cell on the global lattice. */
export interface GridCluster {
  cluster: PeopleCluster;
  peakX: number;
  peakY: number;
}

/**
 * Splits the photos into groups so far apart that none can change another's clusters: photos of different
 * groups lie more than the clustering margin apart (see clusteringMarginM). Each group then gets a density
 * grid of its own extent: a window with a village in each corner costs four small grids, not one grid over
 * the fields between them. Groups hold ascending indices into the input; the largest first.
 */
export function separateGroups(
  points: ClusterPoints,
  params: PeopleClusterParams = DEFAULT_CLUSTER_PARAMS,
): Int32Array[] {
  const n = points.lat.length;
  if (n === 0) return [];
  let maxAbsLat = 0;
  for (let i = 0; i < n; i++) maxAbsLat = Math.max(maxAbsLat, Math.abs(points.lat[i]!));
  // Coarse cells at least the margin wide (in Mercator metres at the highest latitude, where a metre is longest):
  // photos within the margin of each other share a coarse cell or touch neighbouring ones.
  const side = (clusteringMarginM(params) + 2 * params.cellSizeMercM) * mercatorScale(maxAbsLat);
  const cellOf = new Map<string, number>();
  const cellX: number[] = [];
  const cellY: number[] = [];
  const pointCell = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const x = Math.floor(mercatorX(points.lng[i]!) / side);
    const y = Math.floor(mercatorY(points.lat[i]!) / side);
    const key = `${x},${y}`;
    let c = cellOf.get(key);
    if (c === undefined) {
      c = cellX.length;
      cellOf.set(key, c);
      cellX.push(x);
      cellY.push(y);
    }
    pointCell[i] = c;
  }
  const cells = cellX.length;
  if (cells === 1) return [Int32Array.from({ length: n }, (_, i) => i)];
  // Union-find over occupied coarse cells that touch (8-neighbourhood).
  const up = Int32Array.from({ length: cells }, (_, c) => c);
  const find = (c: number): number => {
    while (up[c] !== c) c = up[c] = up[up[c]!]!;
    return c;
  };
  for (let c = 0; c < cells; c++) {
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const other = cellOf.get(`${cellX[c]! + dx},${cellY[c]! + dy}`);
        if (other === undefined) continue;
        const a = find(c);
        const b = find(other);
        if (a !== b) up[Math.max(a, b)] = Math.min(a, b);
      }
  }
  const sizes = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = find(pointCell[i]!);
    sizes.set(r, (sizes.get(r) ?? 0) + 1);
  }
  const groups = new Map<number, { members: Int32Array; filled: number }>();
  for (const [root, size] of sizes) groups.set(root, { members: new Int32Array(size), filled: 0 });
  for (let i = 0; i < n; i++) {
    const g = groups.get(find(pointCell[i]!))!;
    g.members[g.filled++] = i;
  }
  return [...groups.values()].map((g) => g.members).sort((a, b) => b.length - a.length);
}

/**
 * clusterByPeople on one density grid over the photos' whole extent, however far apart they lie: what
 * clusterByPeople computes group by group, and the reference its tests compare it with.
 */
export function clusterOnOneGrid(
  points: ClusterPoints,
  params: PeopleClusterParams = DEFAULT_CLUSTER_PARAMS,
  owns: PeakOwnership = () => true,
): GridCluster[] {
  const n = points.lat.length;
  if (n === 0) return [];
  const cell = params.cellSizeMercM;

  // Global lattice coordinates; a window is a rectangle of that lattice.
  const gx = new Int32Array(n);
  const gy = new Int32Array(n);
  let minGx = Infinity,
    minGy = Infinity,
    maxGx = -Infinity,
    maxGy = -Infinity,
    maxAbsLat = 0;
  let maxUser = 0;
  for (let i = 0; i < n; i++) {
    const lat = points.lat[i]!;
    const x = Math.floor(mercatorX(points.lng[i]!) / cell);
    const y = Math.floor(mercatorY(lat) / cell);
    gx[i] = x;
    gy[i] = y;
    if (x < minGx) minGx = x;
    if (x > maxGx) maxGx = x;
    if (y < minGy) minGy = y;
    if (y > maxGy) maxGy = y;
    if (Math.abs(lat) > maxAbsLat) maxAbsLat = Math.abs(lat);
    const u = points.user[i]!;
    if (u > maxUser) maxUser = u;
  }
  const pad = Math.ceil((params.bandwidthM * mercatorScale(maxAbsLat)) / cell) + 2 + Math.max(1, params.burstCells);
  const x0 = minGx - pad;
  const y0 = minGy - pad;
  const W = maxGx - minGx + 1 + 2 * pad;
  const H = maxGy - minGy + 1 + 2 * pad;
  const WH = W * H;

  // Row latitude (cell centres) and the true-metre scale of each row.
  const rowScale = new Float64Array(H);
  for (let r = 0; r < H; r++) rowScale[r] = mercatorScale(mercatorToLat((y0 + r + 0.5) * cell));
  const cellsFor = (meters: number, row: number) => (meters * rowScale[row]!) / cell;

  // 1. One "user post location" per photographer and burst cell (burstCells × burstCells grid
  // cells, ~15 m): a burst of shots from one spot counts once. A burst cell is represented by its
  // first grid cell, on the global lattice, so every window agrees.
  const b = Math.max(1, params.burstCells);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const bx = Math.floor(gx[i]! / b) * b;
    const by = Math.floor(gy[i]! / b) * b;
    keys[i] = points.user[i]! * WH + (by - y0) * W + (bx - x0);
  }
  keys.sort();
  let m = 0;
  for (let i = 0; i < n; i++) if (i === 0 || keys[i] !== keys[m - 1]) keys[m++] = keys[i]!;
  const uplUser = new Int32Array(m);
  const uplCell = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const u = Math.floor(keys[k]! / WH);
    uplUser[k] = u;
    uplCell[k] = keys[k]! - u * WH;
  }

  // 2. Density: per photographer, the maximum of their kernels; then the sum over photographers.
  // A photographer with one location here adds their kernel directly; only several locations of
  // one photographer need the per-cell maximum (stamp = user + 1, so a fresh array needs no fill).
  const dens = new Int32Array(WH);
  const stamp = new Int32Array(WH);
  const userMax = new Int32Array(WH);
  const flatOffsets = new Map<KernelDisc, Int32Array>();
  const offsetsOf = (disc: KernelDisc) => {
    let o = flatOffsets.get(disc);
    if (!o) {
      o = new Int32Array(disc.dx.length);
      for (let j = 0; j < o.length; j++) o[j] = disc.dy[j]! * W + disc.dx[j]!;
      flatOffsets.set(disc, o);
    }
    return o;
  };
  const rowDisc: (KernelDisc | undefined)[] = new Array(H);
  const discAt = (c0: number) => {
    const row = (c0 / W) | 0;
    return (rowDisc[row] ??= kernelDisc(cellsFor(params.bandwidthM, row)));
  };
  // Two locations of one photographer can share cells only within two kernel radii.
  const reach = 2 * Math.ceil((params.bandwidthM * mercatorScale(maxAbsLat)) / cell);
  const addDirect = (c0: number) => {
    const disc = discAt(c0);
    const offs = offsetsOf(disc);
    const wts = disc.weight;
    for (let j = 0; j < offs.length; j++) {
      const c = c0 + offs[j]!;
      dens[c] = dens[c]! + wts[j]!;
    }
  };
  /** True when another location of the same photographer (start..end, row-major sorted) is within reach of k. */
  const hasNeighbour = (k: number, start: number, end: number) => {
    const c = uplCell[k]!;
    const x = c % W;
    const y = (c / W) | 0;
    for (let j = k - 1; j >= start; j--) {
      const o = uplCell[j]!;
      const oy = (o / W) | 0;
      if (y - oy > reach) break;
      if (Math.abs((o % W) - x) <= reach) return true;
    }
    for (let j = k + 1; j < end; j++) {
      const o = uplCell[j]!;
      const oy = (o / W) | 0;
      if (oy - y > reach) break;
      if (Math.abs((o % W) - x) <= reach) return true;
    }
    return false;
  };
  let touched = new Int32Array(4096);
  for (let start = 0; start < m;) {
    const u = uplUser[start]!;
    let end = start + 1;
    while (end < m && uplUser[end] === u) end++;
    const mark = u + 1;
    let touchedN = 0;
    for (let k = start; k < end; k++) {
      const c0 = uplCell[k]!;
      // An isolated location overlaps no other of this photographer: its kernel adds directly.
      if (end - start === 1 || !hasNeighbour(k, start, end)) {
        addDirect(c0);
        continue;
      }
      const disc = discAt(c0);
      const offs = offsetsOf(disc);
      const wts = disc.weight;
      for (let j = 0; j < offs.length; j++) {
        const c = c0 + offs[j]!;
        const w = wts[j]!;
        if (stamp[c] !== mark) {
          stamp[c] = mark;
          userMax[c] = w;
          if (touchedN === touched.length) {
            const grown = new Int32Array(touched.length * 2);
            grown.set(touched);
            touched = grown;
          }
          touched[touchedN++] = c;
        } else if (w > userMax[c]!) {
          userMax[c] = w;
        }
      }
    }
    for (let t = 0; t < touchedN; t++) {
      const c = touched[t]!;
      dens[c] = dens[c]! + userMax[c]!;
    }
    start = end;
  }

  // Strict total order on cells: density, then lattice position (row-major index
  // order equals global (y, x) order, so ties break the same in every window).
  const higher = (a: number, b: number) => dens[a]! > dens[b]! || (dens[a] === dens[b] && a > b);

  // 3. Steepest-ascent parent and minor-maximum jump, computed lazily; caches
  // hold index + 1 (0 = not computed yet).
  const parent = new Int32Array(WH);
  const jump = userMax.fill(0);
  const parentOf = (c: number): number => {
    const cached = parent[c]!;
    if (cached > 0) return cached - 1;
    const x = c % W;
    const y = (c / W) | 0;
    let best = c;
    for (let dy = -1; dy <= 1; dy++) {
      const ny = y + dy;
      if (ny < 0 || ny >= H) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const nx = x + dx;
        if ((dx === 0 && dy === 0) || nx < 0 || nx >= W) continue;
        const nc = ny * W + nx;
        if (higher(nc, best)) best = nc;
      }
    }
    parent[c] = best + 1;
    return best;
  };
  const jumpOf = (c: number): number => {
    const cached = jump[c]!;
    if (cached > 0) return cached - 1;
    const x = c % W;
    const y = (c / W) | 0;
    const r = cellsFor(params.peakSeparationM, y);
    const span = Math.ceil(r);
    const r2 = r * r;
    let best = c;
    for (let dy = -span; dy <= span; dy++) {
      const ny = y + dy;
      if (ny < 0 || ny >= H) continue;
      for (let dx = -span; dx <= span; dx++) {
        const nx = x + dx;
        if (nx < 0 || nx >= W || dx * dx + dy * dy > r2) continue;
        const nc = ny * W + nx;
        if (higher(nc, best)) best = nc;
      }
    }
    jump[c] = best + 1;
    return best;
  };

  // 4. Climb from every occupied cell; a climb that strays beyond maxRadius ends in noise.
  const rootOfCell = new Map<number, number>();
  const climb = (start: number): number => {
    const sx = start % W;
    const sy = (start / W) | 0;
    const limit = cellsFor(params.maxRadiusM, sy);
    const limit2 = limit * limit;
    let cur = start;
    for (;;) {
      let next = parentOf(cur);
      if (next === cur) {
        next = jumpOf(cur);
        if (next === cur) return cur;
      }
      const dx = (next % W) - sx;
      const dy = ((next / W) | 0) - sy;
      if (dx * dx + dy * dy > limit2) return -1;
      cur = next;
    }
  };

  // 5. Peaks qualify by distinct photographers nearby.
  const uplIndex = new KDBush(m, 64, Int32Array);
  for (let k = 0; k < m; k++) uplIndex.add(uplCell[k]! % W, (uplCell[k]! / W) | 0);
  uplIndex.finish();
  const userStamp = new Int32Array(maxUser + 1).fill(-1);
  const peaks = new Map<number, PeakInfo>();
  const peakInfo = (p: number): PeakInfo => {
    const hit = peaks.get(p);
    if (hit) return hit;
    const px = p % W;
    const py = (p / W) | 0;
    let nearbyUsers = 0;
    if (dens[p]! >= params.minDensity * KERNEL_UNIT) {
      for (const k of uplIndex.within(px, py, cellsFor(params.minUsersRadiusM, py))) {
        const u = uplUser[k]!;
        if (userStamp[u] !== p) {
          userStamp[u] = p;
          nearbyUsers++;
        }
      }
    }
    const info = {
      qualifies:
        nearbyUsers >= params.minUsers &&
        owns(mercatorToLat((y0 + py + 0.5) * cell), mercatorToLng((x0 + px + 0.5) * cell)),
      nearbyUsers,
    };
    peaks.set(p, info);
    return info;
  };

  // 6. Members: points whose cell climbs to a qualifying peak and is dense enough.
  const absoluteFloor = params.minDensity * KERNEL_UNIT;
  const membersOf = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const c = (gy[i]! - y0) * W + (gx[i]! - x0);
    let root = rootOfCell.get(c);
    if (root === undefined) {
      root = climb(c);
      rootOfCell.set(c, root);
    }
    if (root < 0) continue;
    if (!peakInfo(root).qualifies) continue;
    if (dens[c]! < Math.max(absoluteFloor, params.relativeFloor * dens[root]!)) continue;
    let list = membersOf.get(root);
    if (!list) membersOf.set(root, (list = []));
    list.push(i);
  }

  // 7. Summaries: a mode near each peak, with every photographer weighing one.
  const clusters: GridCluster[] = [];
  const perUser = new Map<number, number>();
  let clusterNo = 0;
  for (const [p, members] of [...membersOf].sort((a, b) => a[0] - b[0])) {
    // Members, not just the neighbourhood of the peak, must come from enough people.
    clusterNo++;
    let memberUsers = 0;
    for (const i of members) {
      const u = points.user[i]!;
      if (userStamp[u] !== -1 - clusterNo) {
        userStamp[u] = -1 - clusterNo;
        memberUsers++;
      }
    }
    if (memberUsers < params.minUsers) continue;
    const px = p % W;
    const py = (p / W) | 0;
    const near = uplIndex.within(px, py, cellsFor(params.bandwidthM, py));
    perUser.clear();
    for (const k of near) perUser.set(uplUser[k]!, (perUser.get(uplUser[k]!) ?? 0) + 1);
    let sx = 0,
      sy = 0,
      sw = 0;
    for (const k of near) {
      const w = 1 / perUser.get(uplUser[k]!)!;
      sx += w * ((uplCell[k]! % W) + 0.5);
      sy += w * (((uplCell[k]! / W) | 0) + 0.5);
      sw += w;
    }
    const mx = sw > 0 ? sx / sw : px + 0.5;
    const my = sw > 0 ? sy / sw : py + 0.5;
    clusters.push({
      cluster: {
        peakLat: mercatorToLat((y0 + py + 0.5) * cell),
        peakLng: mercatorToLng((x0 + px + 0.5) * cell),
        lat: mercatorToLat((y0 + my) * cell),
        lng: mercatorToLng((x0 + mx) * cell),
        density: dens[p]! / KERNEL_UNIT,
        nearbyUsers: peakInfo(p).nearbyUsers,
        members: Int32Array.from(members),
      },
      peakX: x0 + px,
      peakY: y0 + py,
    });
  }
  return clusters;
}
