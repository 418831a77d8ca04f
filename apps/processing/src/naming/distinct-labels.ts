import { haversineMeters } from '@photospots/geo';

/** What telling nearby labels apart needs to know of a hotspot candidate. */
export interface LabelledPlace {
  lat: number;
  lng: number;
  label: string | null;
  userCount: number;
  photoCount: number;
  /** Ascending; the first breaks ties between equally strong places. */
  photoIds: number[];
}

/** Renames of one place at most, when its new label meets yet another neighbour's. */
const MAX_TRIES = 3;

const stronger = (a: LabelledPlace, b: LabelledPlace) =>
  b.userCount - a.userCount || b.photoCount - a.photoCount || (a.photoIds[0] ?? 0) - (b.photoIds[0] ?? 0);

/**
 * Gives places within `withinM` of each other different labels: a name shared
 * along a neighbourhood (a river, a square) would otherwise name several of them
 * alike. Only the places named in this pass (`renamed`) change: one that kept
 * its stored name (its photos did not change) keeps it, and a renamed place that
 * meets it reads differently instead. Among renamed places the stronger (more
 * photographers) keeps the shared label, so an incremental pass gives the names
 * a full rebuild gives. `rename(i, j)` names place i again, apart from place j.
 * Returns how many places were renamed. Places sharing a label are few, so each
 * looks through the others of its label.
 */
export function distinguishNearbyLabels(
  places: readonly LabelledPlace[],
  renamed: ReadonlySet<number>,
  withinM: number,
  rename: (i: number, j: number) => void,
): number {
  const holders = new Map<string, number[]>();
  const hold = (i: number) => {
    const label = places[i]!.label;
    if (label === null) return;
    const list = holders.get(label);
    if (list) list.push(i);
    else holders.set(label, [i]);
  };
  places.forEach((_, i) => {
    if (!renamed.has(i)) hold(i);
  });
  const nearestHolder = (i: number, tried: Set<number>) => {
    const p = places[i]!;
    let nearest = -1;
    let nearestM = withinM;
    for (const j of (p.label !== null && holders.get(p.label)) || []) {
      if (tried.has(j)) continue;
      const d = haversineMeters(p.lat, p.lng, places[j]!.lat, places[j]!.lng);
      if (d <= nearestM) {
        nearest = j;
        nearestM = d;
      }
    }
    return nearest;
  };
  let changed = 0;
  for (const i of [...renamed].sort((a, b) => stronger(places[a]!, places[b]!) || a - b)) {
    // The new label may be that of another neighbour (two spots qualified by one sight): that one is told
    // apart next, a bounded number of times, since each try asks the surroundings again.
    const tried = new Set<number>();
    for (let j = nearestHolder(i, tried); j !== -1 && tried.size < MAX_TRIES; j = nearestHolder(i, tried)) {
      tried.add(j);
      rename(i, j);
    }
    if (tried.size > 0) changed++;
    hold(i);
  }
  return changed;
}
