import { isStopTag } from './stop-list.ts';
import type { TagCounter } from './tag-counter.ts';

/** Photographer counts per tag key in some area: what a place's tags are compared with. */
export interface TagStats {
  readonly userCount: number;
  usersWith(key: string): number;
}

export interface DistinctiveTag {
  /** Comparison key (folded). */
  key: string;
  /** Most common spelling among the place's photos. */
  tag: string;
  /** Distinct photographers at the place who used it. */
  users: number;
  /** support × ln(lift); higher names the place better. */
  score: number;
}

export interface DistinctiveTagOptions {
  /** A tag must be used by at least this many photographers at the place. */
  minUsers: number;
  limit: number;
  /**
   * Lift above which a tag counts as simply "distinctive": among such tags the
   * one more photographers use wins, so a rare nickname does not beat the name.
   */
  liftCap: number;
}

const DEFAULTS: DistinctiveTagOptions = { minUsers: 2, limit: 10, liftCap: 4 };

/**
 * Tags frequent at a place and rare around it (Crandall et al., WWW 2009),
 * counted in photographers. support = share of the place's photographers using
 * the tag; lift = support / (smoothed share in the surroundings); score =
 * support × ln(min(lift, liftCap)). Stop-listed tags (city, country, camera
 * words) never qualify.
 */
export function distinctiveTags(
  place: TagCounter,
  surroundings: TagStats,
  options: Partial<DistinctiveTagOptions> = {},
): DistinctiveTag[] {
  const { minUsers, limit, liftCap } = { ...DEFAULTS, ...options };
  const placeUsers = place.userCount;
  if (placeUsers === 0) return [];
  const bgUsers = surroundings.userCount;
  const out: DistinctiveTag[] = [];
  for (const key of place.keys()) {
    const users = place.usersWith(key);
    if (users < minUsers) continue;
    const tag = place.spelling(key);
    if (isStopTag(tag)) continue;
    const support = users / placeUsers;
    const background = (surroundings.usersWith(key) + 1) / (bgUsers + 2);
    const lift = support / background;
    if (lift <= 1) continue;
    out.push({ key, tag, users, score: support * Math.log(Math.min(lift, liftCap)) });
  }
  out.sort((a, b) => b.score - a.score || b.users - a.users || (a.key < b.key ? -1 : 1));
  return out.slice(0, limit);
}
