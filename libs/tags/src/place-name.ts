import { distinctiveTags, type DistinctiveTag, type TagStats } from './distinctive-tags.ts';
import { isGenericTag } from './generic-words.ts';
import { displayTag } from './normalise.ts';
import type { TagCounter } from './tag-counter.ts';

export interface PlaceName {
  /** "Frauenkirche", "Blaues Wunder · Blasewitz", or null when no tag names the place. */
  label: string | null;
  /** The place's distinctive tags against the city, best first (generic words included). */
  topTags: string[];
}

export interface PlaceNameOptions {
  /** A second name joins when its city-level score is at least this share of the first's. */
  qualifierShare: number;
  /** A name shared with the neighbourhood (local lift below this) gets a qualifier. */
  minLocalLift: number;
  /** A qualifier must be used by at least this share of the place's photographers (and 3). */
  minQualifierSupport: number;
  /**
   * A tag whose users around the city outnumber its users right here by this
   * factor names something broad (a river, a district): it needs a qualifier,
   * and never is one.
   */
  broadExtent: number;
  /** Every tag in the label is used by at least this many of the place's photographers. */
  minNameUsers: number;
  limit: number;
}

const DEFAULTS: PlaceNameOptions = {
  qualifierShare: 0.5,
  minLocalLift: 1.5,
  minQualifierSupport: 0.1,
  broadExtent: 2,
  minNameUsers: 2,
  limit: 10,
};

/**
 * Two tags that contain one another, or that nearly the same photographers
 * use (Jaccard ≥ 0.7: a translation such as bluewonder / blaueswunder), say
 * the same thing. Tags of two sights at one spot overlap far less.
 */
function redundant(place: TagCounter, a: DistinctiveTag, b: DistinctiveTag): boolean {
  if (a.key.includes(b.key) || b.key.includes(a.key)) return true;
  const both = place.usersWithBoth(a.key, b.key);
  return both >= 0.7 * (a.users + b.users - both);
}

/**
 * Names a place the way photographers do (Crandall et al., WWW 2009): the tag
 * most distinctive of it against the city around it, if that tag is a name
 * and not a generic word. When the name is shared by the neighbourhood (a
 * riverbank's "elbe", both ends of a bridge) or a second name is nearly as
 * strong, the best name distinctive against the immediate surroundings is
 * added, so two viewpoints of one sight read differently.
 *
 * With `apart` (the tags of a nearby place that got the same label), the
 * qualifier is the best name distinctive against that place instead, so the
 * two read differently; failing one, the place takes its next own name.
 */
export function namePlace(
  place: TagCounter,
  city: TagStats,
  local: TagStats,
  options: Partial<PlaceNameOptions> = {},
  apart?: TagStats,
): PlaceName {
  const o = { ...DEFAULTS, ...options };
  // Top tags (what a search matches) of small places (a handful of photographers) may come from one
  // photographer, if someone nearby used the tag too (one person's "berlin" says nothing); bigger ones need two.
  const minUsers = place.userCount >= 6 ? 2 : 1;
  const corroborated = (t: DistinctiveTag) => t.users >= 2 || local.usersWith(t.key) >= 2;
  const top = distinctiveTags(place, city, { limit: o.limit, minUsers }).filter(corroborated);
  const topTags = top.map((t) => t.tag);
  // One photographer's word is a caption, not yet the place's name. Two, not three: three leaves most small
  // places unnamed, real names among them (the measurement is in docs/clustering.md, Naming).
  const isName = (t: DistinctiveTag) => t.users >= o.minNameUsers && !isGenericTag(t.tag);
  const names = top.filter(isName);
  const primary = names[0];
  if (!primary) return { label: null, topTags };

  const broad = (t: DistinctiveTag) => city.usersWith(t.key) >= o.broadExtent * Math.max(1, local.usersWith(t.key));
  const minQualifierUsers = Math.max(minUsers, Math.min(3, o.minQualifierSupport * place.userCount));
  const usable = (t: DistinctiveTag) => isName(t) && t.users >= minQualifierUsers && !redundant(place, primary, t);

  if (apart) return { label: nameApart(place, apart, primary, names, usable, broad, o, minUsers), topTags };

  // Two sights at one spot: name both.
  const second = names.slice(1).find(usable);
  if (second && second.score >= o.qualifierShare * primary.score) {
    return { label: `${displayTag(primary.tag)} · ${displayTag(second.tag)}`, topTags };
  }
  // A name the neighbourhood shares: add what is special right here.
  const placeShare = primary.users / Math.max(1, place.userCount);
  const localShare = (local.usersWith(primary.key) + 1) / (local.userCount + 2);
  if (placeShare / localShare >= o.minLocalLift && !broad(primary)) return { label: displayTag(primary.tag), topTags };
  const candidates = distinctiveTags(place, local, { limit: o.limit, minUsers }).filter(
    (t) => corroborated(t) && usable(t) && !broad(t),
  );
  const qualifier = candidates[0];
  return {
    label: qualifier ? `${displayTag(primary.tag)} · ${displayTag(qualifier.tag)}` : displayTag(primary.tag),
    topTags,
  };
}

/**
 * The label of a place that a neighbour shares the name of: its name with what
 * sets it apart from that neighbour. A broad tag may qualify here (one bank of
 * a river against the other), though a narrow one is preferred; without any,
 * the next own name that is not the shared one.
 */
function nameApart(
  place: TagCounter,
  apart: TagStats,
  primary: DistinctiveTag,
  names: DistinctiveTag[],
  usable: (t: DistinctiveTag) => boolean,
  broad: (t: DistinctiveTag) => boolean,
  o: PlaceNameOptions,
  minUsers: number,
): string {
  const candidates = distinctiveTags(place, apart, { limit: o.limit, minUsers }).filter(usable);
  const qualifier = candidates.find((t) => !broad(t)) ?? candidates[0];
  if (qualifier) return `${displayTag(primary.tag)} · ${displayTag(qualifier.tag)}`;
  const other = names.find((t) => t !== primary && !redundant(place, primary, t));
  return displayTag((other ?? primary).tag);
}
