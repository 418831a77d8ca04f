import { haversineMeters } from '@photospots/geo';

export interface StoredIdentity {
  id: number;
  lat: number;
  lng: number;
  photoIds: readonly number[];
}

export interface ComputedPlace {
  lat: number;
  lng: number;
  photoIds: readonly number[];
}

export interface IdentityPlan {
  /** Candidate index → stored id it keeps. */
  keep: Map<number, number>;
  /** Candidates that get a new id; `splitFrom` when carved out of a stored hotspot. */
  create: { candidate: number; splitFrom: number | null }[];
  /** Stored hotspots that disappear; `into` = candidate that took most of their photos (a merge). */
  retire: { id: number; intoCandidate: number | null }[];
}

export interface MatchOptions {
  /** Share of the smaller member set two places must share to be the same place. */
  minOverlap: number;
  /** Places this close are the same place even if their photos changed completely. */
  sameCentroidM: number;
}

const DEFAULTS: MatchOptions = { minOverlap: 0.5, sameCentroidM: 50 };

/**
 * Decides which computed places keep which stored ids, so favorites and caches
 * survive re-clustering. Pairs are taken greedily by shared photos (then by
 * centroid distance), one to one; the rest are explicit splits, merges, new
 * places and retirements. Deterministic for the same inputs.
 */
export function matchIdentities(
  stored: readonly StoredIdentity[],
  computed: readonly ComputedPlace[],
  options: Partial<MatchOptions> = {},
): IdentityPlan {
  const { minOverlap, sameCentroidM } = { ...DEFAULTS, ...options };
  const ownerOf = new Map<number, number>();
  stored.forEach((s, si) => {
    for (const p of s.photoIds) ownerOf.set(p, si);
  });

  // overlap[c] = Map(storedIndex → shared photos)
  const overlap = computed.map((c) => {
    const counts = new Map<number, number>();
    for (const p of c.photoIds) {
      const si = ownerOf.get(p);
      if (si !== undefined) counts.set(si, (counts.get(si) ?? 0) + 1);
    }
    return counts;
  });

  type Pair = { c: number; s: number; shared: number; distance: number };
  const pairs: Pair[] = [];
  // Candidate pairs: any shared photo, or centroids within sameCentroidM (found
  // through a latitude-sorted scan instead of comparing every pair).
  const byLat = stored.map((_, si) => si).sort((a, b) => stored[a]!.lat - stored[b]!.lat);
  const latWindow = sameCentroidM / 111_000;
  computed.forEach((c, ci) => {
    const seen = new Set<number>();
    const consider = (si: number) => {
      if (seen.has(si)) return;
      seen.add(si);
      const s = stored[si]!;
      const shared = overlap[ci]!.get(si) ?? 0;
      const distance = haversineMeters(c.lat, c.lng, s.lat, s.lng);
      const sameMembers = shared > 0 && shared >= minOverlap * Math.min(c.photoIds.length, s.photoIds.length);
      if (sameMembers || distance <= sameCentroidM) pairs.push({ c: ci, s: si, shared, distance });
    };
    for (const si of overlap[ci]!.keys()) consider(si);
    let lo = 0;
    let hi = byLat.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (stored[byLat[mid]!]!.lat < c.lat - latWindow) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < byLat.length && stored[byLat[k]!]!.lat <= c.lat + latWindow; k++) consider(byLat[k]!);
  });
  pairs.sort(
    (a, b) => b.shared - a.shared || a.distance - b.distance || stored[a.s]!.id - stored[b.s]!.id || a.c - b.c,
  );

  const keep = new Map<number, number>();
  const storedTaken = new Set<number>();
  for (const pair of pairs) {
    if (keep.has(pair.c) || storedTaken.has(pair.s)) continue;
    keep.set(pair.c, stored[pair.s]!.id);
    storedTaken.add(pair.s);
  }

  const create: IdentityPlan['create'] = [];
  computed.forEach((_, ci) => {
    if (keep.has(ci)) return;
    let from: number | null = null;
    let best = 0;
    for (const [si, shared] of overlap[ci]!) {
      if (shared > best || (shared === best && from !== null && stored[si]!.id < from)) {
        best = shared;
        from = stored[si]!.id;
      }
    }
    create.push({ candidate: ci, splitFrom: best > 0 ? from : null });
  });

  const retire: IdentityPlan['retire'] = [];
  stored.forEach((s, si) => {
    if (storedTaken.has(si)) return;
    let into: number | null = null;
    let best = 0;
    computed.forEach((_, ci) => {
      const shared = overlap[ci]!.get(si) ?? 0;
      if (shared > best) {
        best = shared;
        into = ci;
      }
    });
    retire.push({ id: s.id, intoCandidate: into });
  });
  return { keep, create, retire };
}
