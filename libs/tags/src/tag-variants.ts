import type { TagStats } from './distinctive-tags.ts';
import { isGenericTag } from './generic-words.ts';
import { isStopTag } from './stop-list.ts';
import type { TagCounter } from './tag-counter.ts';
import { languageOf } from './word-lists.ts';

/**
 * Tag keys of a place that name the same thing, by the key that stands for them (its first member): what
 * TagCounter.withVariants and the surroundings count as one tag.
 */
export type TagVariants = ReadonlyMap<string, readonly string[]>;

export interface TagVariantOptions {
  /** Distinct photographers at the place who used both tags of a translation. */
  minSharedUsers: number;
  /** …and the share of the rarer tag's photographers there that they make up. */
  minSharedShare: number;
  /**
   * Each tag of a translation is rare beyond the place's immediate surroundings: used by fewer than this many
   * times as many photographers in the wider background as in the surroundings (namePlace's broadExtent).
   */
  maxSpread: number;
}

const DEFAULTS: TagVariantOptions = { minSharedUsers: 3, minSharedShare: 0.6, maxSpread: 2 };

/** A tag on this share of the photos or photographers around is the city's, region's or country's name. */
export const CITY_TAG_SHARE = 1 / 3;

/**
 * A key's umlauts as the transliteration writes them ("muenchen") folded to the key of the umlaut
 * ("münchen" → "munchen"). Keys already fold ß/ss/s, accents, doubled letters and the space between words.
 */
const untransliterated = (key: string) => key.replace(/([aou])e/g, '$1');

/**
 * Groups the tags of a place that name one thing, so that they count as one tag before any is scored:
 *
 * - spelling variants the keys do not fold already: "muenchen" and "münchen", when the place holds both;
 * - a name with the city's name joined to it ("frauenkirchedresden") and the name alone;
 * - names in two languages ("blue wonder", "blaues wunder"): one reads as German words and the other as
 *   English ones (languageOf), most photographers here who use the rarer one use the other too (counted in
 *   photographers, so one person's tag list is one vote), and neither is used much beyond the place's
 *   surroundings (a translation marks the same spot; a district's or a river's name is used all over).
 *   Two sights at one spot, both named in one language ("Fürstenzug", "Hofkirche"), stay two tags.
 *
 * The group's first key is the one most photographers here use (the most common local form).
 */
export function tagVariants(
  place: TagCounter,
  background: TagStats,
  local: TagStats,
  options: Partial<TagVariantOptions> = {},
): TagVariants {
  const o = { ...DEFAULTS, ...options };
  const keys = [...place.keys()]
    .filter((k) => place.usersWith(k) >= 2)
    .filter((k) => {
      const tag = place.spelling(k);
      return !isStopTag(tag) && !isGenericTag(tag);
    })
    .sort((a, b) => place.usersWith(b) - place.usersWith(a) || (a < b ? -1 : 1));
  // Union–find over the place's name keys; the root is the key more photographers use.
  const parent = new Map(keys.map((k) => [k, k]));
  const find = (k: string): string => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(k, r);
    return r;
  };
  const join = (a: string, b: string) => {
    const [ra, rb] = [find(a), find(b)];
    if (ra === rb) return;
    const first = keys.indexOf(ra) <= keys.indexOf(rb) ? ra : rb;
    parent.set(first === ra ? rb : ra, first);
  };
  const inKeys = new Set(keys);
  for (const k of keys) {
    const folded = untransliterated(k);
    if (folded !== k && inKeys.has(folded)) join(folded, k);
  }
  // A name with the city (or region, or country) joined to it: "frauenkirchedresden" is the place's
  // "frauenkirche". The city is what nearly everyone tags: a stop-listed tag or a tag of a third of the
  // photographers around.
  const everywhere = [...place.keys()].filter(
    (k) =>
      k.length >= 4 &&
      (isStopTag(place.spelling(k)) || background.usersWith(k) >= CITY_TAG_SHARE * background.userCount),
  );
  for (const k of keys) {
    for (const city of everywhere) {
      // Keys collapse doubled letters, so the joint may have lost one ("dresden" + "neustadt" → "dresdeneustadt").
      const rests = k.startsWith(city)
        ? [k.slice(city.length), city.slice(-1) + k.slice(city.length)]
        : k.endsWith(city)
          ? [k.slice(0, -city.length), k.slice(0, -city.length) + city[0]]
          : [];
      const rest = rests.find((r) => r !== k && inKeys.has(r));
      if (rest !== undefined) join(rest, k);
    }
  }
  // Names in two languages, one to one: each tag pairs with the tag of the other language that most of its
  // photographers here also use, if that one is commoner here and not paired yet.
  const concentrated = (k: string) => background.usersWith(k) < o.maxSpread * Math.max(1, local.usersWith(k));
  const distinctive = (k: string) =>
    place.usersWith(k) / Math.max(1, place.userCount) > (background.usersWith(k) + 1) / (background.userCount + 2);
  const names = keys
    .filter((k) => concentrated(k) && distinctive(k))
    .map((k) => ({ k, language: languageOf(k) }))
    .filter((n) => n.language !== null);
  const paired = new Set<string>();
  for (let j = 1; j < names.length; j++) {
    const b = names[j]!;
    if (paired.has(b.k)) continue;
    let best: string | undefined;
    let bestShared = 0;
    for (let i = 0; i < j; i++) {
      const a = names[i]!;
      if (a.language === b.language || paired.has(a.k)) continue;
      const shared = place.usersWithBoth(a.k, b.k);
      if (shared > bestShared) [best, bestShared] = [a.k, shared];
    }
    if (best !== undefined && bestShared >= o.minSharedUsers && bestShared >= o.minSharedShare * place.usersWith(b.k)) {
      join(best, b.k);
      paired.add(best).add(b.k);
    }
  }
  const groups = new Map<string, string[]>();
  for (const k of keys) {
    const root = find(k);
    const list = groups.get(root);
    if (list) list.push(k);
    else groups.set(root, [k]);
  }
  const out = new Map<string, string[]>();
  for (const [root, members] of groups) {
    if (members.length > 1) out.set(root, [root, ...members.filter((m) => m !== root)]);
  }
  return out;
}
