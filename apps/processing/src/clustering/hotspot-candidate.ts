import { USER_DAYS_CAP } from '@photospots/db';
import { convexHull, haversineMeters, tileKeyOf, type PeopleCluster } from '@photospots/geo';
import { namePlace, TagCounter, tagVariants, type TagStats, type TagVariants } from '@photospots/tags';
import type { WindowPhotos } from './window-photos.ts';

/** A hotspot as computed from the photos, before it is matched to a stored identity. */
export interface HotspotCandidate {
  lat: number;
  lng: number;
  tile: number;
  /** Member photo ids, ascending. */
  photoIds: number[];
  radiusM: number;
  photoCount: number;
  userCount: number;
  userDays: number;
  viewCount: number;
  /** User-days with each photographer counting at most USER_DAYS_CAP days (what scoring weighs). */
  cappedUserDays: number;
  /** Sum over photographers of their best photo's views: one uploader's thousands of photos count once. */
  bestViews: number;
  /** Each photographer's latest photo here (epoch ms, ascending), for those whose photos have a time. */
  userLastPhotoAt: number[];
  peakDensity: number;
  /** Filled by nameCandidate (or kept from the stored hotspot when its photos did not change). */
  label: string | null;
  topTags: string[];
  /** WKT polygon of the members' convex hull, or null when they span no area. */
  hullWkt: string | null;
  monthHistogram: number[];
  hourHistogram: number[] | null;
  firstPhotoAt: Date | null;
  lastPhotoAt: Date | null;
}

const DAY_MS = 86_400_000;

/** Radius covering 90% of the members: robust to a few far-flung photos. */
const roundDegrees = (deg: number) => Math.round(deg * 1e7) / 1e7;

function radiusOf(lat: number, lng: number, photos: WindowPhotos, members: Int32Array): number {
  const d = Array.from(members, (i) => haversineMeters(lat, lng, photos.lat[i]!, photos.lng[i]!)).sort((a, b) => a - b);
  return Math.max(10, Math.round(d[Math.min(d.length - 1, Math.floor(0.9 * d.length))] ?? 10));
}

/**
 * Describes a cluster: counts of photos, photographers and user-days (one per
 * photographer per day: a burst of 200 shots is one), distinctive tags against
 * the surroundings, hull, radius and when people come.
 */
export interface NamingOptions {
  /** The "city" a hotspot's tags are compared with to find its name (metres around it). */
  backgroundRadiusM: number;
  /** The immediate surroundings that decide whether the name needs a qualifier (metres). */
  localRadiusM: number;
  /** A second name joins the label when nearly as distinctive (share of the first's score). */
  qualifierShare: number;
  /** Background-to-local usage ratio from which a name counts as broad (see namePlace). */
  broadExtent: number;
}

export const DEFAULT_NAMING: NamingOptions = {
  backgroundRadiusM: 1500,
  localRadiusM: 400,
  qualifierShare: 0.5,
  broadExtent: 2,
};

export function describeCluster(cluster: PeopleCluster, photos: WindowPhotos): HotspotCandidate {
  const members = cluster.members;
  const userDays = new Set<string>();
  const months = new Array<number>(12).fill(0);
  const hours = new Array<number>(24).fill(0);
  const monthDays = new Set<string>();
  let timed = 0;
  let views = 0;
  let first = Infinity;
  let last = -Infinity;
  // Per photographer (so its size is the photographers): days with a photo (capped), best views, latest photo.
  const perUser = new Map<number, { days: number; bestViews: number; lastAt: number }>();
  for (const i of members) {
    const u = photos.user[i]!;
    views += photos.views[i]!;
    let mine = perUser.get(u);
    if (!mine) perUser.set(u, (mine = { days: 0, bestViews: 0, lastAt: Number.NaN }));
    if (photos.views[i]! > mine.bestViews) mine.bestViews = photos.views[i]!;
    const t = photos.takenAt[i]!;
    if (Number.isNaN(t)) continue;
    if (!(t <= mine.lastAt)) mine.lastAt = t;
    const day = Math.floor(t / DAY_MS);
    const key = `${u}:${day}`;
    if (!userDays.has(key)) {
      userDays.add(key);
      mine.days++;
      const date = new Date(t);
      const monthKey = `${u}:${date.getUTCFullYear()}:${date.getUTCMonth()}`;
      if (!monthDays.has(monthKey)) {
        monthDays.add(monthKey);
        months[date.getUTCMonth()]!++;
      }
    }
    // Exports that only keep the day put every photo at midnight: no time of day is known then.
    if (t % DAY_MS !== 0) {
      timed++;
      hours[new Date(t).getUTCHours()]!++;
    }
    if (t < first) first = t;
    if (t > last) last = t;
  }
  let cappedUserDays = 0;
  let bestViews = 0;
  const userLastPhotoAt: number[] = [];
  for (const mine of perUser.values()) {
    cappedUserDays += Math.min(mine.days, USER_DAYS_CAP);
    bestViews += mine.bestViews;
    // Whole milliseconds, as stored (timestamptz written from an ISO string) and read back for comparison.
    if (!Number.isNaN(mine.lastAt)) userLastPhotoAt.push(Math.trunc(mine.lastAt));
  }
  userLastPhotoAt.sort((a, b) => a - b);
  const ids = Array.from(members, (i) => photos.id[i]!).sort((a, b) => a - b);
  const hull = convexHull(
    Array.from(members, (i) => photos.lng[i]!),
    Array.from(members, (i) => photos.lat[i]!),
  );
  // To 1e-7° (about 1 cm): the mode is summed in the coordinates of the window being rebuilt, so two windows
  // holding the same photos can differ in the last bits; rounded, a rebuild of unchanged photos writes nothing new.
  const lat = roundDegrees(cluster.lat);
  const lng = roundDegrees(cluster.lng);
  return {
    lat,
    lng,
    tile: tileKeyOf(cluster.peakLat, cluster.peakLng),
    photoIds: ids,
    radiusM: radiusOf(lat, lng, photos, members),
    photoCount: members.length,
    userCount: perUser.size,
    userDays: userDays.size,
    viewCount: views,
    cappedUserDays,
    bestViews,
    userLastPhotoAt,
    peakDensity: Math.round(cluster.density * 1000) / 1000,
    label: null,
    topTags: [],
    hullWkt: hull ? `POLYGON((${hull.map(([x, y]) => `${x} ${y}`).join(',')}))` : null,
    monthHistogram: months,
    hourHistogram: timed >= Math.max(3, members.length / 4) ? hours : null,
    firstPhotoAt: Number.isFinite(first) ? new Date(first) : null,
    lastPhotoAt: Number.isFinite(last) ? new Date(last) : null,
  };
}

/** Tag usage by photographer among a cluster's members. */
export function clusterTags(cluster: PeopleCluster, photos: WindowPhotos): TagCounter {
  const tags = new TagCounter();
  for (const i of cluster.members) tags.add(photos.user[i]!, photos.tags[i]!);
  return tags;
}

/**
 * Names a candidate from its members' tags against the photos around it
 * (see namePlace), and against `apart`, a neighbour's tags, when the two must
 * read differently. Variants of one name (tagVariants) count as one tag, spelt
 * in the most common local form; the others stay among the top tags, where a
 * search finds them. The surroundings reach backgroundRadiusM beyond the
 * hotspot, so the window must have loaded photos that far out.
 */
export function nameCandidate(
  candidate: HotspotCandidate,
  cluster: PeopleCluster,
  photos: WindowPhotos,
  surroundings: (
    lat: number,
    lng: number,
    radiusM: number,
    keys: readonly string[],
    variants?: TagVariants,
  ) => TagStats,
  naming: NamingOptions = DEFAULT_NAMING,
  apart?: TagCounter,
): void {
  let tags = clusterTags(cluster, photos);
  // Naming compares only the place's own tags with its surroundings: those are all it asks about.
  let keys = [...tags.keys()];
  const { lat, lng } = candidate;
  let background = surroundings(lat, lng, naming.backgroundRadiusM, keys);
  let local = surroundings(lat, lng, naming.localRadiusM, keys);
  const variants = tagVariants(tags, background, local, { maxSpread: naming.broadExtent });
  // The other forms of a group, by the form that stands for it (the top tag that shows it).
  const others = new Map<string, string[]>();
  if (variants.size > 0) {
    for (const [key, members] of variants)
      others.set(
        tags.spelling(key),
        members.slice(1).map((m) => tags.spelling(m)),
      );
    tags = tags.withVariants(variants);
    apart = apart?.withVariants(variants);
    keys = [...tags.keys()];
    background = surroundings(lat, lng, naming.backgroundRadiusM, keys, variants);
    local = surroundings(lat, lng, naming.localRadiusM, keys, variants);
  }
  const name = namePlace(
    tags,
    background,
    local,
    { qualifierShare: naming.qualifierShare, broadExtent: naming.broadExtent },
    apart,
  );
  candidate.label = name.label;
  // Each variant right after the tag that stands for it.
  candidate.topTags = name.topTags.flatMap((t) => [t, ...(others.get(t) ?? [])]);
}
