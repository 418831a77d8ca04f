/**
 * Whether a label segment reads as a code rather than a word: a number, a file
 * or camera model code, or letters a reader cannot pronounce. Pure, and about
 * the shape of the text only, so it holds for any city's labels.
 */

const VOWELS = /[aeiouyæøœı]/;
const LATIN_WORD = /^\p{Script=Latin}+$/u;
const LETTER = /\p{L}/gu;
const DIGIT = /\p{Nd}/gu;
/** Characters written names do not use but tags and file names do (machine tags, IMG_1234, #hashtags). */
const MACHINE_CHARACTER = /[_=:@#\\|<>{}[\]~^*+]/;
/** A token of letters and digits together, as in model codes (D750, A7III, X-T2), except ordinals (21st, 3rd). */
const MIXED_TOKEN = /(?=.*\p{L})(?=.*\p{Nd})/u;
const ORDINAL = /^\p{Nd}+(st|nd|rd|th|er|e|ème|º|ª)\.?$/iu;

const count = (s: string, pattern: RegExp) => s.match(pattern)?.length ?? 0;

/**
 * A token a reader takes for a word: in Latin script at least two letters and a
 * vowel ("Brn", "Hbf", "X" are not); in other scripts any letters.
 */
function isWordToken(token: string): boolean {
  const letters = token.replace(/[^\p{L}\p{M}]/gu, '');
  if (letters === '') return false;
  const bare = letters.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  if (!LATIN_WORD.test(bare)) return true;
  return bare.length >= 2 && VOWELS.test(bare);
}

/**
 * True when a label segment (one name of "A · B") is code-like: it has no
 * letters, digits are at least half of its letters and digits, a token mixes
 * letters and digits, it contains characters of machine tags, or none of its
 * tokens is a word. Abbreviations beside a word ("St. Pauli") still read.
 */
export function isCodeLike(segment: string): boolean {
  const text = segment.trim();
  const letters = count(text, LETTER);
  const digits = count(text, DIGIT);
  if (letters === 0) return true;
  if (digits >= letters) return true;
  if (MACHINE_CHARACTER.test(text)) return true;
  const tokens = text.split(/\s+/);
  if (tokens.some((t) => MIXED_TOKEN.test(t) && !ORDINAL.test(t))) return true;
  return !tokens.some((t) => t.split(/[-‐–'’.]+/).some(isWordToken));
}
