const COMBINING_MARKS = /\p{M}+/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

/**
 * Folds text for comparison and search: lower case, ß → ss, accents and
 * umlauts dropped (brühl → bruhl), punctuation and spaces removed.
 */
export function foldText(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .replace(NOT_WORD, '');
}

/**
 * The comparison key of a tag. Beyond foldText it collapses doubled letters,
 * because Flickr's machine tags drop ß ("Großer Garten" → grosergarten) while
 * people type ss: grossergarten, grosergarten and großergarten share a key.
 */
export function tagKey(raw: string): string {
  return foldText(raw).replace(/(\p{L})\1+/gu, '$1');
}

/** A tag as stored: trimmed and lower-cased, accents kept for display; '' if empty. */
export function cleanTag(raw: string): string {
  return raw.trim().toLowerCase().replace(/\s+/g, ' ').slice(0, 100);
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
