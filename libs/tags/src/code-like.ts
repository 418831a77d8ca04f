import { foldText } from './normalise.ts';

const LETTER = /\p{L}/gu;
const DIGIT = /\p{Nd}/gu;
const MIXED = /(?=.*\p{L})(?=.*\p{Nd})/u;
const ORDINAL = /^\p{Nd}+(?:st|nd|rd|th|er|e)$/u;
const LATIN = /^[a-z]+$/;
const VOWEL = /[aeiouy]/;

const count = (s: string, pattern: RegExp) => s.match(pattern)?.length ?? 0;

/** A token a reader takes for a word: Latin letters with a vowel (y counted: sylt), or letters of another script. */
function isWordToken(token: string): boolean {
  const bare = foldText(token);
  return bare !== '' && (!LATIN.test(bare) || VOWEL.test(bare));
}

/**
 * True for a tag that is a code rather than a word, by its shape alone: mostly
 * digits (years, ids, postcodes), letters and digits in one token (camera models
 * and file names: d700, eos5d, img1234; an ordinal such as 5th is a word), or no
 * token with a vowel (brn, dsc). Tags are written without spaces, so even a name
 * with a number in it shows as "Hochwasser2013": not a label.
 */
export function isCodeLike(tag: string): boolean {
  const letters = count(tag, LETTER);
  const digits = count(tag, DIGIT);
  if (letters + digits === 0) return false;
  if (digits >= letters) return true;
  const tokens = tag
    .toLowerCase()
    .split(/[^\p{L}\p{M}\p{N}]+/u)
    .filter(Boolean);
  if (tokens.some((t) => MIXED.test(t) && !ORDINAL.test(t))) return true;
  return !tokens.some(isWordToken);
}
