import type { HotspotSummary } from '@photospots/hotspot-index';

/**
 * A hotspot's hull: its outer ring as flat [lng, lat, lng, lat, …], closed
 * (the first point repeats last). Hulls are convex, so one ring says it all.
 */
export type HullRing = Float64Array;

/**
 * A position in an arena: chunk × SPAN + offset within the chunk. Positions
 * are doubles, exact up to 2^53: 2^21 chunks of up to 4 GiB.
 */
const SPAN = 2 ** 32;

/**
 * Append-only storage of many small values in a few large chunks (UTF-8
 * text in Buffers, hull rings in Float64Arrays), addressed by position.
 * Snapshots share chunks: a patch adds a chunk for what changed and keeps
 * the others, so unchanged text and hulls are never copied.
 */
class Arena<C extends Buffer | Float64Array> {
  readonly chunks: readonly C[];
  /** The chunks' total length (bytes or numbers), live or not. */
  readonly length: number;

  constructor(chunks: readonly C[]) {
    this.chunks = chunks;
    this.length = chunks.reduce((n, c) => n + c.length, 0);
  }

  /** This arena and then another's chunks; `shift` is what the other's positions gain. */
  concat(other: Arena<C>): { arena: Arena<C>; shift: number } {
    return { arena: new Arena([...this.chunks, ...other.chunks]), shift: this.chunks.length * SPAN };
  }

  chunk(position: number): C {
    return this.chunks[Math.floor(position / SPAN)]!;
  }
}

/**
 * Hotspots as parallel columns of numbers, a row per hotspot, and no object
 * per hotspot: a million of them are a few typed arrays and a few large
 * chunks, which the garbage collector never walks. A row's summary is its
 * JSON text without the closing brace (answers append fields to it), parsed
 * only when an answer needs the object.
 */
export interface Columns {
  readonly size: number;
  readonly lat: Float64Array;
  readonly lng: Float64Array;
  readonly id: Float64Array;
  readonly score: Float64Array;
  /** Row r's JSON: textLength[r] bytes of UTF-8 at position textAt[r] of the text arena. */
  readonly textAt: Float64Array;
  readonly textLength: Float64Array;
  readonly text: Arena<Buffer>;
  /** Row r's hull: ringLength[r] numbers at position ringAt[r] of the ring arena (0: no hull). */
  readonly ringAt: Float64Array;
  readonly ringLength: Float64Array;
  readonly rings: Arena<Float64Array>;
  /** What the rows use of the arenas; the rest is text and hulls no row holds any more. */
  readonly liveText: number;
  readonly liveRings: number;
}

/** The numeric columns of a Columns, which rows are copied through. */
const NUMBERS = ['lat', 'lng', 'id', 'score', 'textAt', 'textLength', 'ringAt', 'ringLength'] as const;

type Numbers = Pick<Columns, (typeof NUMBERS)[number]>;

function numbers(size: number): Numbers {
  return {
    lat: new Float64Array(size),
    lng: new Float64Array(size),
    id: new Float64Array(size),
    score: new Float64Array(size),
    textAt: new Float64Array(size),
    textLength: new Float64Array(size),
    ringAt: new Float64Array(size),
    ringLength: new Float64Array(size),
  };
}

/** Copies rows [from, to) of src's numbers to dst from row `at` on, shifting their positions. */
function copyRows(src: Numbers, from: number, to: number, dst: Numbers, at: number, shift = { text: 0, rings: 0 }) {
  if (to <= from) return;
  for (const k of NUMBERS) dst[k].set(src[k].subarray(from, to), at);
  if (shift.text !== 0) for (let r = at; r < at + to - from; r++) dst.textAt[r]! += shift.text;
  if (shift.rings !== 0) for (let r = at; r < at + to - from; r++) dst.ringAt[r]! += shift.rings;
}

function copyRow(src: Numbers, r: number, dst: Numbers, at: number): void {
  for (const k of NUMBERS) dst[k][at] = src[k][r]!;
}

/** Row r's summary JSON without its closing brace. */
export function openJsonAt(c: Columns, r: number): string {
  const at = c.textAt[r]!;
  const offset = at % SPAN;
  return c.text.chunk(at).toString('utf8', offset, offset + c.textLength[r]!);
}

/** Copies row r's summary JSON without its closing brace into `out` at `at`; returns the position after it. */
export function copyOpenJsonAt(c: Columns, r: number, out: Buffer, at: number): number {
  const position = c.textAt[r]!;
  const offset = position % SPAN;
  return at + c.text.chunk(position).copy(out, at, offset, offset + c.textLength[r]!);
}

/** Row r's summary as an object (a new one each call). */
export function summaryAt(c: Columns, r: number): HotspotSummary {
  return JSON.parse(`${openJsonAt(c, r)}}`) as HotspotSummary;
}

/** Row r's hull (a view into the columns), or undefined. */
export function ringAt(c: Columns, r: number): HullRing | undefined {
  const n = c.ringLength[r]!;
  if (n === 0) return undefined;
  const at = c.ringAt[r]!;
  const offset = at % SPAN;
  return c.rings.chunk(at).subarray(offset, offset + n);
}

/** Whether row r of a and row s of b hold the same summary and hull. */
export function sameRow(a: Columns, r: number, b: Columns, s: number): boolean {
  const textA = a.textAt[r]!;
  const textB = b.textAt[s]!;
  const bytes = a.textLength[r]!;
  if (bytes !== b.textLength[s]) return false;
  const offsetA = textA % SPAN;
  const offsetB = textB % SPAN;
  if (a.text.chunk(textA).compare(b.text.chunk(textB), offsetB, offsetB + bytes, offsetA, offsetA + bytes) !== 0)
    return false;
  const ringA = ringAt(a, r);
  const ringB = ringAt(b, s);
  if (!ringA || !ringB) return ringA === ringB;
  return ringA.length === ringB.length && ringA.every((x, k) => x === ringB[k]);
}

/** Rows a builder writes to one chunk. */
const PAGE_ROWS = 8_192;

/**
 * Gathers hotspots as columns, one at a time and in any order; finish()
 * hands them over in score order. Text and hulls go to a chunk per page of
 * rows, written once: reordering the rows moves only their numbers.
 */
export class ColumnsBuilder {
  #size = 0;
  #sorted = true;
  #numbers: Numbers;
  readonly #textChunks: Buffer[] = [];
  readonly #ringChunks: Float64Array[] = [];
  #liveText = 0;
  #liveRings = 0;
  /** The page being gathered: its rows' JSON and hulls, sealed into chunks when full. */
  #pageFrom = 0;
  #pageJson: string[] = [];
  #pageRings = new Float64Array(PAGE_ROWS * 16);
  #pageRingValues = 0;

  /** `expectedRows`: how many rows are coming, if known (the columns grow past it if more come). */
  constructor(expectedRows = PAGE_ROWS) {
    this.#numbers = numbers(Math.max(1, expectedRows));
  }

  get size(): number {
    return this.#size;
  }

  /** Appends a hotspot and its hull (flat [lng, lat, …], closed), if it has one. */
  add(h: HotspotSummary, ring?: ArrayLike<number>): void {
    this.#add(h, openJson(h), ring);
  }

  /** Appends row r of other columns, its text and hull as they are. */
  addRow(c: Columns, r: number): void {
    this.#add({ lat: c.lat[r]!, lng: c.lng[r]!, id: c.id[r]!, score: c.score[r]! }, openJsonAt(c, r), ringAt(c, r));
  }

  #add(h: Pick<HotspotSummary, 'lat' | 'lng' | 'id' | 'score'>, json: string, ring: ArrayLike<number> | undefined) {
    const r = this.#size++;
    if (r === this.#numbers.lat.length) {
      const grown = numbers(r * 2);
      copyRows(this.#numbers, 0, r, grown, 0);
      this.#numbers = grown;
    }
    const c = this.#numbers;
    if (r > 0 && compareRows(c.score[r - 1]!, c.id[r - 1]!, h.score, h.id) > 0) this.#sorted = false;
    c.lat[r] = h.lat;
    c.lng[r] = h.lng;
    c.id[r] = h.id;
    c.score[r] = h.score;
    this.#pageJson.push(json);
    const n = ring?.length ?? 0;
    if (this.#pageRingValues + n > this.#pageRings.length) {
      const grown = new Float64Array(Math.max(2 * this.#pageRings.length, this.#pageRingValues + n));
      grown.set(this.#pageRings.subarray(0, this.#pageRingValues));
      this.#pageRings = grown;
    }
    c.ringAt[r] = this.#ringChunks.length * SPAN + this.#pageRingValues;
    c.ringLength[r] = n;
    for (let k = 0; k < n; k++) this.#pageRings[this.#pageRingValues++] = ring![k]!;
    if (this.#pageJson.length === PAGE_ROWS) this.#seal();
  }

  /** The rows, best score first (ties by lowest id). */
  finish(): Columns {
    this.#seal();
    const n = this.#size;
    const src = this.#numbers;
    const out = numbers(n);
    if (this.#sorted) copyRows(src, 0, n, out, 0);
    else {
      const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) =>
        compareRows(src.score[a]!, src.id[a]!, src.score[b]!, src.id[b]!),
      );
      for (let k = 0; k < n; k++) copyRow(src, order[k]!, out, k);
    }
    return {
      size: n,
      ...out,
      text: new Arena(this.#textChunks),
      rings: new Arena(this.#ringChunks),
      liveText: this.#liveText,
      liveRings: this.#liveRings,
    };
  }

  /** Writes the page's JSON and hulls into a chunk each, and the rows' text positions. */
  #seal(): void {
    if (this.#pageJson.length > 0) {
      const joined = this.#pageJson.join('');
      let chunk = Buffer.from(joined, 'utf8');
      if (chunk.length < Buffer.poolSize) {
        // A small Buffer is a view into Node's shared 8 KiB pool, which a kept chunk would keep whole.
        const own = Buffer.allocUnsafeSlow(chunk.length);
        chunk.copy(own);
        chunk = own;
      }
      // All ASCII (the usual page): a row's bytes are its characters.
      const ascii = chunk.length === joined.length;
      const base = this.#textChunks.length * SPAN;
      let offset = 0;
      for (let k = 0; k < this.#pageJson.length; k++) {
        const json = this.#pageJson[k]!;
        const bytes = ascii ? json.length : Buffer.byteLength(json, 'utf8');
        this.#numbers.textAt[this.#pageFrom + k] = base + offset;
        this.#numbers.textLength[this.#pageFrom + k] = bytes;
        offset += bytes;
      }
      this.#textChunks.push(chunk);
      this.#liveText += chunk.length;
    }
    if (this.#pageRingValues > 0) {
      this.#ringChunks.push(this.#pageRings.slice(0, this.#pageRingValues));
      this.#liveRings += this.#pageRingValues;
    }
    this.#pageFrom = this.#size;
    this.#pageJson = [];
    this.#pageRingValues = 0;
  }
}

/**
 * Merges score-ordered columns: `old` without the rows `drops` (ascending)
 * and with `incoming`'s rows each at its place in score order. The text and
 * hulls of both are shared, not copied, unless what no row holds any more has
 * grown past what the rows hold (beyond `slack`), or the chunks have become
 * many more than the rows need, when they are written afresh.
 */
export function mergeColumns(
  old: Columns,
  drops: readonly number[],
  incoming: Columns,
  slack = { text: 64 * 1024 * 1024, rings: 8 * 1024 * 1024 },
): Columns {
  const { arena: text, shift: textShift } = old.text.concat(incoming.text);
  const { arena: rings, shift: ringShift } = old.rings.concat(incoming.rings);
  let liveText = old.liveText + incoming.liveText;
  let liveRings = old.liveRings + incoming.liveRings;
  for (const r of drops) {
    liveText -= old.textLength[r]!;
    liveRings -= old.ringLength[r]!;
  }
  const size = old.size - drops.length + incoming.size;
  const out = numbers(size);
  const shift = { text: textShift, rings: ringShift };
  let at = 0;
  let from = 0;
  let d = 0;
  /** Copies old rows up to `to` (exclusive), skipping the drops before it. */
  const copyOldUntil = (to: number) => {
    for (; d < drops.length && drops[d]! < to; d++) {
      copyRows(old, from, drops[d]!, out, at);
      at += drops[d]! - from;
      from = drops[d]! + 1;
    }
    copyRows(old, from, to, out, at);
    at += Math.max(0, to - from);
    from = Math.max(from, to);
  };
  for (let k = 0; k < incoming.size; k++) {
    copyOldUntil(insertionPoint(old, incoming.score[k]!, incoming.id[k]!));
    copyRows(incoming, k, k + 1, out, at++, shift);
  }
  copyOldUntil(old.size);
  const merged = { size, ...out, text, rings, liveText, liveRings };
  // Many small patches add many small chunks: beyond a few per page of rows they are merged too.
  const scattered = text.chunks.length > 4 * Math.ceil(size / PAGE_ROWS) + 1_024;
  const wasted = text.length > 2 * liveText + slack.text || rings.length > 2 * liveRings + slack.rings;
  return wasted || scattered ? compacted(merged) : merged;
}

/** The same rows with their text and hulls written into fresh chunks: what no row holds is dropped. */
function compacted(c: Columns): Columns {
  const builder = new ColumnsBuilder(c.size);
  for (let r = 0; r < c.size; r++) builder.addRow(c, r);
  return builder.finish();
}

/** The position of the first row of c that comes after (score, id) in score order (binary search). */
function insertionPoint(c: Columns, score: number, id: number): number {
  let lo = 0;
  let hi = c.size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareRows(c.score[mid]!, c.id[mid]!, score, id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Best score first, then lowest id (the order of top, bbox pages and their cursors), on raw numbers. */
export function compareRows(scoreA: number, idA: number, scoreB: number, idB: number): number {
  return scoreB - scoreA || idA - idB;
}

/** A summary's JSON without its closing brace. */
function openJson(h: HotspotSummary): string {
  return JSON.stringify(h).slice(0, -1);
}
