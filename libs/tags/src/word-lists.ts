import { dictionary as german } from '@zxcvbn-ts/language-de';
import { dictionary as english } from '@zxcvbn-ts/language-en';
import { tagKey } from './normalise.ts';

/** Small words that stay lower case inside a name ("Palais im Großen Garten", "Church of Our Lady"). */
export const FUNCTION_WORDS = new Set([
  ...['am', 'an', 'auf', 'aus', 'bei', 'beim', 'das', 'dem', 'den', 'der', 'des', 'die', 'im', 'in', 'mit', 'über'],
  ...['und', 'unter', 'vom', 'von', 'vor', 'zu', 'zum', 'zur'],
  ...['and', 'at', 'by', 'for', 'in', 'of', 'on', 'the', 'to'],
  ...['de', 'del', 'des', 'di', 'du', 'et', 'la', 'le', 'les'],
]);

/** Word costs and written forms, both by tag key. */
export interface WordList {
  /** −log p(word), wordninja-style from the word's frequency rank: ln((rank + 1) · ln N). */
  cost: Map<string, number>;
  /** Written forms of a key, and the cost of each. */
  forms: Map<string, Map<string, number>>;
}

function addRanked(list: WordList, words: readonly string[]): void {
  const lnN = Math.log(words.length);
  words.forEach((word, rank) => {
    const key = tagKey(word);
    if (!key) return;
    const cost = Math.log((rank + 1) * lnN);
    if (cost < (list.cost.get(key) ?? Infinity)) list.cost.set(key, cost);
    let forms = list.forms.get(key);
    if (!forms) list.forms.set(key, (forms = new Map()));
    if (cost < (forms.get(word) ?? Infinity)) forms.set(word, cost);
  });
}

export type Language = 'de' | 'en';

const lists = new Map<Language, WordList>();

/**
 * Words ranked by frequency in Wikipedia and in film subtitles (zxcvbn-ts's German and English lists, MIT).
 * Frequency lists, not plain word lists: segmentation needs to know that "frauenkirche" is a word as common
 * as "frauen kirche".
 */
export function wordList(language: Language): WordList {
  let list = lists.get(language);
  if (!list) {
    const dictionary = language === 'de' ? german : english;
    list = { cost: new Map(), forms: new Map() };
    addRanked(list, dictionary.wikipedia as string[]);
    addRanked(list, dictionary.commonWords as string[]);
    lists.set(language, list);
  }
  return list;
}

const MAX_PART = 24;

/** The cheapest reading of a key as words of one list (Σ −log p), Infinity when it has none. */
function phraseCost(key: string, list: WordList): number {
  const n = key.length;
  const best = new Float64Array(n + 1).fill(Infinity);
  best[0] = 0;
  for (let i = 1; i <= n; i++) {
    for (let j = Math.max(0, i - MAX_PART); j < i; j++) {
      if (best[j] === Infinity) continue;
      const piece = key.slice(j, i);
      if (piece.length < 3 && !FUNCTION_WORDS.has(piece)) continue;
      const c = best[j]! + (list.cost.get(piece) ?? Infinity);
      if (c < best[i]!) best[i] = c;
    }
  }
  return best[n]!;
}

/** How much likelier one language's reading must be (in nats, e^2 ≈ 7.4 times) for the key to be in it. */
const LANGUAGE_MARGIN = 2;
const MAX_REMEMBERED = 50_000;
const languages = new Map<string, Language | null>();

/**
 * The language a tag key reads in: German or English when its words are clearly likelier in one of the two
 * ("bluewonder" → en, "blaueswunder" → de), null when neither list reads it or both do about as well
 * ("dresden", "phaeton").
 */
export function languageOf(key: string): Language | null {
  let found = languages.get(key);
  if (found === undefined) {
    const de = phraseCost(key, wordList('de'));
    const en = phraseCost(key, wordList('en'));
    if (de === Infinity && en === Infinity) found = null;
    else found = de + LANGUAGE_MARGIN <= en ? 'de' : en + LANGUAGE_MARGIN <= de ? 'en' : null;
    if (languages.size >= MAX_REMEMBERED) languages.clear();
    languages.set(key, found);
  }
  return found;
}
