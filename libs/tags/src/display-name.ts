import { foldText, tagKey } from './normalise.ts';
import { CITY_TAG_SHARE } from './tag-variants.ts';
import { FUNCTION_WORDS, wordList, type WordList } from './word-lists.ts';

/** Endings of a declined German adjective: goldene, goldener, goldenes, goldenen, goldenem. */
const ADJECTIVE_ENDINGS = ['e', 'er', 'es', 'en', 'em'];
/** Suffixes that make German adjectives: of a material (-ern, -en), -ig, -isch, -lich, -sam, -bar, -haft, -los. */
const ADJECTIVE_SUFFIX = /(?:ern|en|ig|isch|lich|sam|bar|haft|los)$/u;

const NOT_WORD = /[^\p{L}\p{N}]+/gu;
const WORD_BREAK = /[\s\-_/]+/u;
const NON_ASCII = /[^\p{ASCII}]/u;
const MIN_PART = 3;
/** The longest run of title words a joined tag is matched against. */
const MAX_PHRASE_WORDS = 4;
const MAX_PART = 24;

function bump(map: Map<string, Map<string, number>>, key: string, form: string): void {
  let forms = map.get(key);
  if (!forms) map.set(key, (forms = new Map()));
  forms.set(form, (forms.get(form) ?? 0) + 1);
}

/** The most frequent form that passes `keep` (ties: the alphabetically first). */
function mostFrequent(forms: Map<string, number> | undefined, keep: (form: string) => boolean): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const [form, count] of forms ?? []) {
    if (!keep(form)) continue;
    if (count > bestCount || (count === bestCount && best !== undefined && form < best)) {
      best = form;
      bestCount = count;
    }
  }
  return best;
}

const capitalise = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * Turns tags into names as people write them ("goldenerreiter" → "Goldener Reiter", "pragerstrase" →
 * "Prager Straße"), from evidence in the photos (the tag's spellings, the words people use as tags or in
 * titles) and a bundled German frequency list. Built once per batch of photos; display() is memoised.
 */
export class DisplayLexicon {
  /** Spellings of each whole tag, by tag key. */
  readonly #spellings = new Map<string, Map<string, number>>();
  /** Lower-case forms of each word used on its own: a one-word tag, or a word of a tag or title. */
  readonly #words = new Map<string, Map<string, number>>();
  /** Words seen beside other words (in a title or a tag with spaces): a word even when it is a whole tag. */
  readonly #phraseWords = new Set<string>();
  /** Forms of each word as written in titles, case kept. */
  readonly #cased = new Map<string, Map<string, number>>();
  /** Runs of 2–4 consecutive title words, lower case, by the key of the words joined ("café prag" → cafeprag). */
  readonly #titlePhrases = new Map<string, Map<string, number>>();
  #wordTotal = 0;
  /** Photos whose tags were added. */
  #photos = 0;
  readonly #memo = new Map<string, string>();
  readonly #list: WordList;

  constructor(list: WordList = wordList('de')) {
    this.#list = list;
  }

  /** Adds a photo's tags (lower-cased, as stored). */
  addTags(tags: readonly string[]): void {
    this.#memo.clear();
    this.#photos++;
    for (const tag of tags) {
      const key = tagKey(tag);
      if (!key) continue;
      bump(this.#spellings, key, tag);
      this.#addWords(tag.split(WORD_BREAK), false);
    }
  }

  /** Adds a photo's title: its words, how it writes them, and the runs of words a joined tag may stand for. */
  addTitle(title: string): void {
    this.#memo.clear();
    this.#addWords(title.split(WORD_BREAK), true);
    const words = title
      .split(WORD_BREAK)
      .map((w) => w.replace(NOT_WORD, '').toLowerCase())
      .filter((w) => w !== '');
    for (let i = 0; i < words.length; i++) {
      for (let n = 2; n <= MAX_PHRASE_WORDS && i + n <= words.length; n++) {
        const phrase = words.slice(i, i + n);
        bump(this.#titlePhrases, tagKey(phrase.join('')), phrase.join(' '));
      }
    }
  }

  #addWords(raw: readonly string[], cased: boolean): void {
    const words = raw.map((w) => w.replace(NOT_WORD, '')).filter((w) => w !== '');
    for (const word of words) {
      const key = tagKey(word);
      if (!key) continue;
      this.#wordTotal++;
      bump(this.#words, key, word.toLowerCase());
      if (words.length > 1) this.#phraseWords.add(key);
      if (cased) bump(this.#cased, key, word);
    }
  }

  /** The tag as a person writes it: words split where the evidence says so, ß and umlauts restored, capitalised. */
  display(tag: string): string {
    let shown = this.#memo.get(tag);
    if (shown === undefined) {
      shown = this.#display(tag.toLowerCase().trim());
      this.#memo.set(tag, shown);
    }
    return shown;
  }

  /** A label of tags joined by " · " (as namePlace writes it), each shown as written. */
  displayLabel(label: string): string {
    return label
      .split(' · ')
      .map((part) => this.display(part))
      .join(' · ');
  }

  #display(tag: string): string {
    // Another spelling of the tag in the data may say more: with spaces, where the words break; with ß,
    // which Flickr's tags drop. Other spellings of the key ("glas" for "glass", "vögel" for "vogel") are
    // other words.
    const key = tagKey(tag);
    const spellings = this.#spellings.get(key);
    const fold = foldText(tag);
    // A title that writes the tag's words apart ("Café Prag" for "cafeprag") says where they break, unless
    // titles write it as one word more often ("Frauenkirche", not "Frauen Kirche").
    const titled = mostFrequent(this.#titlePhrases.get(key), () => true);
    const asOneWord = this.#cased.get(key);
    const titlePhrase =
      titled !== undefined && this.#titlePhrases.get(key)!.get(titled)! > (asOneWord ? sum(asOneWord) : 0)
        ? titled
        : undefined;
    const spelling =
      mostFrequent(spellings, (s) => s.includes(' ')) ??
      titlePhrase ??
      mostFrequent(spellings, (s) => s.includes('ß') && foldText(s.replace(/ß/g, 's')) === fold) ??
      mostFrequent(spellings, (s) => s.includes('ß') && foldText(s) === fold) ??
      tag;
    const parts = spelling.includes(' ')
      ? spelling.split(WORD_BREAK).filter((w) => w !== '')
      : this.#segment(spelling.replace(NOT_WORD, ''), key);
    if (parts.length === 1) {
      const district = this.#district(parts[0]!);
      if (district) return district;
    }
    return parts.map((part, i) => this.#case(this.#written(part), i)).join(' ');
  }

  /**
   * A city's name joined to a name within it, written as German writes a district ("dresdenneustadt" →
   * "Dresden-Neustadt"): the city is what a third of the photos are tagged with, and the rest a known word
   * that more photos are tagged with alone than joined ("neustadt"; a compound such as "sachsenplatz" is
   * not "platz" of Saxony).
   */
  #district(word: string): string | undefined {
    const count = (key: string) => sum(this.#spellings.get(key) ?? new Map<string, number>());
    const joined = count(tagKey(word));
    for (let cut = 4; cut <= word.length - 4; cut++) {
      // Cut the word, not its key: keys collapse doubled letters ("dresdenneustadt" → "dresdeneustadt").
      const [head, tail] = [word.slice(0, cut), word.slice(cut)];
      const rest = tagKey(tail);
      if (count(tagKey(head)) < this.#photos * CITY_TAG_SHARE || !this.#known(rest) || count(rest) <= joined) continue;
      return `${this.#case(this.#written(head), 0)}-${this.#case(this.#written(tail), 0)}`;
    }
    return undefined;
  }

  /** −log p of a word key, from the bundled list or the data; Infinity when neither knows it. */
  #cost(key: string): number {
    const listed = this.#list.cost.get(key) ?? Infinity;
    const count = this.#words.get(key)?.size ? sum(this.#words.get(key)!) : 0;
    const seen = count > 0 ? Math.log(this.#wordTotal / count) : Infinity;
    return Math.min(listed, seen);
  }

  #known(key: string): boolean {
    return this.#list.cost.has(key) || this.#words.has(key);
  }

  /**
   * Unigram segmentation (as wordninja): the split minimising Σ −log p(word) with every part a known word.
   * It is kept only when it beats the whole (the tag's own use as a tag is no evidence it is one word) and
   * reads as a German or English phrase, not a compound: German joins nouns ("kunsthofpassage") and writes
   * a declined adjective or a place's -er adjective apart ("goldener reiter", "prager straße").
   */
  #segment(text: string, wholeKey: string): string[] {
    const n = text.length;
    if (n < 2 * MIN_PART) return [text];
    const best = new Float64Array(n + 1).fill(Infinity);
    const from = new Int32Array(n + 1);
    best[0] = 0;
    for (let i = 1; i <= n; i++) {
      for (let j = Math.max(0, i - MAX_PART); j < i; j++) {
        if (best[j] === Infinity || (j === 0 && i === n)) continue;
        const piece = text.slice(j, i);
        const pieceKey = tagKey(piece);
        if (piece.length < MIN_PART && !FUNCTION_WORDS.has(piece)) continue;
        // Keys collapse doubled letters, so "goldenerreiter" would also read "goldene rreiter".
        if (piece[0] === piece[1]) continue;
        const c = best[j]! + this.#cost(pieceKey);
        if (c < best[i]!) {
          best[i] = c;
          from[i] = j;
        }
      }
    }
    if (best[n] === Infinity) return [text];
    const wholeCost = this.#phraseWords.has(wholeKey)
      ? this.#cost(wholeKey)
      : (this.#list.cost.get(wholeKey) ?? Infinity);
    if (best[n]! >= wholeCost) return [text];
    const parts: string[] = [];
    for (let i = n; i > 0; i = from[i]!) parts.unshift(text.slice(from[i]!, i));
    return this.#readsAsPhrase(parts) ? parts : [text];
  }

  /** Between function words, every word but the last modifies the next (an adjective), as in a phrase. */
  #readsAsPhrase(parts: readonly string[]): boolean {
    const isFunction = (p: string) => FUNCTION_WORDS.has(p);
    if (isFunction(parts[0]!) || isFunction(parts.at(-1)!)) return false;
    return parts.every(
      (p, i) =>
        isFunction(p) ||
        i === parts.length - 1 ||
        isFunction(parts[i + 1]!) ||
        this.#modifies(p, i > 0 && isFunction(parts[i - 1]!)),
    );
  }

  /**
   * A declined adjective (three of its forms are known words), or a place's -er adjective (Prager,
   * Loschwitzer). A name's adjective ends in -e, -er or -es; -en only after a preposition or article ("im
   * Großen Garten"), as "platten", "marien" and "georgen" begin compounds.
   */
  #modifies(word: string, afterFunctionWord: boolean): boolean {
    const key = tagKey(word);
    const ending = ADJECTIVE_ENDINGS.find((e) => key.endsWith(e) && key.length - e.length >= 3);
    if (ending !== undefined && (afterFunctionWord || (ending !== 'en' && ending !== 'em'))) {
      const stem = key.slice(0, -ending.length);
      const forms = ADJECTIVE_ENDINGS.filter((e) => this.#known(tagKey(stem + e))).length;
      if (forms >= 3) return true;
      // Two forms are enough when the stem is itself a word with an adjective's suffix ("gläsern", "golden",
      // "hölzern", "sächsisch"): a noun's stem ("kirch", "brück") is none.
      if (forms >= 2 && ADJECTIVE_SUFFIX.test(stem) && this.#known(stem)) return true;
    }
    // A plural noun such as "kinder" is a listed word; "prager" is not, while "prag" is.
    return key.endsWith('er') && key.length >= 6 && !this.#list.cost.has(key) && this.#known(key.slice(0, -2));
  }

  /**
   * A word's written form. ß folds to "ss" and Flickr's tags drop it to "s", so a form with ß competes with
   * the word as tagged: the data's own wins, else the commoner listed one ("straße", but "fluss" rather
   * than the old "fluß"; "strase" is no word, "fliesen" is). Umlauts survive in tags: a form with one is
   * only taken when the word as tagged is unknown ("grun", but not "bar" or "vogel").
   */
  #written(word: string): string {
    if (NON_ASCII.test(word)) return word;
    const key = tagKey(word);
    const listed = this.#list.forms.get(key) ?? new Map<string, number>();
    const data = this.#words.get(key);
    const fold = foldText(word);
    // Tags hold Flickr's "strase" as often as people's "straße": only the word list tells "fliesen" is a word.
    const listedWord = listed.has(word);
    const known = listedWord || data?.has(word) === true;
    const sharp = (f: string) =>
      f.includes('ß') && (foldText(f) === fold || (!listedWord && foldText(f.replace(/ß/g, 's')) === fold));
    const fromData = mostFrequent(data, (f) => sharp(f) || (!known && NON_ASCII.test(f) && foldText(f) === fold));
    if (fromData) return fromData;
    const candidates = [...listed].filter(([f]) => f === word || sharp(f) || (!known && foldText(f) === fold));
    return candidates.sort((x, y) => x[1] - y[1])[0]?.[0] ?? word;
  }

  /** Capitalised as a name, small words lower case inside it; casing that titles show (TU, McDonald's) kept. */
  #case(word: string, index: number): string {
    const cased = mostFrequent(this.#cased.get(tagKey(word)), (f) => f.toLowerCase() === word);
    if (cased !== undefined && cased !== word) return index === 0 ? capitalise(cased) : cased;
    return index > 0 && FUNCTION_WORDS.has(word) ? word : capitalise(word);
  }
}

function sum(counts: Map<string, number>): number {
  let total = 0;
  for (const c of counts.values()) total += c;
  return total;
}
