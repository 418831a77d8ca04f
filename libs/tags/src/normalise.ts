const COMBINING_MARKS = /\p{M}+/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

/**
 * Folds text for comparison and search: lower case, ß → ss, accents and
 * umlauts dropped (brühl → bruhl), punctuation and spaces removed.
 */
export function foldText(raw: string): string {
  return raw.toLowerCase().replace(/ß/g, 'ss').normalize('NFKD').replace(COMBINING_MARKS, '').replace(NOT_WORD, '');
}

const MAX_REMEMBERED_KEYS = 200_000;
const KEYS = new Map<string, string>();

/**
 * The comparison key of a tag. Beyond foldText it collapses doubled letters,
 * because Flickr's machine tags drop ß ("Großer Garten" → grosergarten) while
 * people type ss: grossergarten, grosergarten and großergarten share a key.
 */
export function tagKey(raw: string): string {
  let key = KEYS.get(raw);
  if (key === undefined) {
    key = foldText(raw).replace(/(\p{L})\1+/gu, '$1');
    // Tags repeat (a city's photos share a few thousand): naming folds each occurrence, so the keys are
    // remembered, and forgotten wholesale when too many distinct tags have passed by.
    if (KEYS.size >= MAX_REMEMBERED_KEYS) KEYS.clear();
    KEYS.set(raw, key);
  }
  return key;
}

/**
 * The first `max` UTF-16 units of `s`, one fewer where the cut would split a surrogate pair (an emoji cut in
 * half is stored as U+FFFD).
 */
export function truncateText(s: string, max: number): string {
  if (s.length <= max) return s;
  const last = s.charCodeAt(max - 1);
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/** A tag as stored: trimmed and lower-cased, accents kept for display, at most 100 units; '' if empty. */
export function cleanTag(raw: string): string {
  return truncateText(raw.trim().toLowerCase().replace(/\s+/g, ' '), 100);
}

/** Splits a tag list (';' in LBSN exports, spaces in Flickr's API) into clean, unique tags. */
export function parseTagList(text: string, separator: string | RegExp): string[] {
  const out = new Set<string>();
  for (const part of text.split(separator)) {
    const tag = cleanTag(part);
    if (tag) out.add(tag);
  }
  return [...out];
}

/** Title-cases a stored tag for use as a label ("frauenkirche" → "Frauenkirche"). */
export function displayTag(tag: string): string {
  return tag.replace(/(^|[\s-])(\p{L})/gu, (_, sep: string, ch: string) => sep + ch.toUpperCase());
}
