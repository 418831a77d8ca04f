import type { HotspotSummary } from '@photospots/hotspot-index';

/**
 * A hotspot's hull: its outer ring as flat [lng, lat, lng, lat, …], closed
 * (the first point repeats last). Hulls are convex, so one ring says it all.
 */
export type HullRing = Float64Array;

/**
 * Hotspots as parallel columns of numbers and bytes, a row per hotspot, and
 * no object per hotspot: a million of them are a few typed arrays and one
 * buffer, which the garbage collector never walks. A row's summary is its
 * JSON text, without the closing brace (answers append fields to it), parsed
 * only when an answer needs the object.
 */
export interface Columns {
  readonly size: number;
  readonly lat: Float64Array;
  readonly lng: Float64Array;
  readonly id: Float64Array;
  readonly score: Float64Array;
  /** Row r's JSON is text[textStart[r], textStart[r + 1]) as UTF-8 (size + 1 offsets). */
  readonly textStart: Float64Array;
  readonly text: Buffer;
  /** Row r's hull is rings[ringStart[r], ringStart[r + 1]); empty when it has none (size + 1 offsets). */
  readonly ringStart: Float64Array;
  readonly rings: Float64Array;
}

/** Columns for `size` rows, `textBytes` of JSON and `ringValues` numbers of hulls, to be filled. */
export function emptyColumns(size: number, textBytes: number, ringValues: number): Columns {
  return {
    size,
    lat: new Float64Array(size),
    lng: new Float64Array(size),
    id: new Float64Array(size),
    score: new Float64Array(size),
    textStart: new Float64Array(size + 1),
    text: Buffer.allocUnsafe(textBytes),
    ringStart: new Float64Array(size + 1),
    rings: new Float64Array(ringValues),
  };
}

/** Row r's summary JSON without its closing brace. */
export function openJsonAt(c: Columns, r: number): string {
  return c.text.toString('utf8', c.textStart[r], c.textStart[r + 1]);
}

/** Row r's summary as an object (a new one each call). */
export function summaryAt(c: Columns, r: number): HotspotSummary {
  return JSON.parse(`${openJsonAt(c, r)}}`) as HotspotSummary;
}

/** Row r's hull (a view into the columns), or undefined. */
export function ringAt(c: Columns, r: number): HullRing | undefined {
  const from = c.ringStart[r]!;
  const to = c.ringStart[r + 1]!;
  return to > from ? c.rings.subarray(from, to) : undefined;
}

export function textBytesAt(c: Columns, r: number): number {
  return c.textStart[r + 1]! - c.textStart[r]!;
}

export function ringValuesAt(c: Columns, r: number): number {
  return c.ringStart[r + 1]! - c.ringStart[r]!;
}

/** Whether row r of a and row s of b hold the same summary and hull. */
export function sameRow(a: Columns, r: number, b: Columns, s: number): boolean {
  if (a.text.compare(b.text, b.textStart[s], b.textStart[s + 1], a.textStart[r], a.textStart[r + 1]) !== 0)
    return false;
  const n = ringValuesAt(a, r);
  if (n !== ringValuesAt(b, s)) return false;
  const ra = a.ringStart[r]!;
  const rb = b.ringStart[s]!;
  for (let k = 0; k < n; k++) if (a.rings[ra + k] !== b.rings[rb + k]) return false;
  return true;
}

/**
 * Copies rows [from, to) of src to dst from row `at` on, in blocks; dst's
 * offsets at row `at` must already be set (they are, by the rows before).
 */
export function copyRows(src: Columns, from: number, to: number, dst: Columns, at: number): void {
  if (to <= from) return;
  for (const k of ['lat', 'lng', 'id', 'score'] as const) dst[k].set(src[k].subarray(from, to), at);
  const textShift = dst.textStart[at]! - src.textStart[from]!;
  src.text.copy(dst.text, dst.textStart[at], src.textStart[from], src.textStart[to]);
  const ringShift = dst.ringStart[at]! - src.ringStart[from]!;
  dst.rings.set(src.rings.subarray(src.ringStart[from], src.ringStart[to]), dst.ringStart[at]);
  for (let r = from + 1; r <= to; r++) {
    dst.textStart[at + r - from] = src.textStart[r]! + textShift;
    dst.ringStart[at + r - from] = src.ringStart[r]! + ringShift;
  }
}

/** copyRows() of one row, without the blocks' set-up (the reordering of a load copies rows one at a time). */
export function copyRow(src: Columns, r: number, dst: Columns, at: number): void {
  dst.lat[at] = src.lat[r]!;
  dst.lng[at] = src.lng[r]!;
  dst.id[at] = src.id[r]!;
  dst.score[at] = src.score[r]!;
  const textFrom = dst.textStart[at]!;
  dst.textStart[at + 1] = textFrom + src.text.copy(dst.text, textFrom, src.textStart[r], src.textStart[r + 1]);
  const ringFrom = dst.ringStart[at]!;
  const ringTo = src.ringStart[r + 1]!;
  for (let k = src.ringStart[r]!, o = ringFrom; k < ringTo; k++, o++) dst.rings[o] = src.rings[k]!;
  dst.ringStart[at + 1] = ringFrom + (ringTo - src.ringStart[r]!);
}

/**
 * Gathers hotspots as columns, one at a time and in any order, growing its
 * arrays as needed; finish() hands them over in score order. A load of a
 * million rows passes through it in pages, so no page outlives its own rows.
 */
export class ColumnsBuilder {
  #size = 0;
  #textBytes = 0;
  #ringValues = 0;
  #c: Columns = emptyColumns(1024, 64 * 1024, 8 * 1024);
  #sorted = true;

  get size(): number {
    return this.#size;
  }

  /** Appends a hotspot and its hull (flat [lng, lat, …], closed), if it has one. */
  add(h: HotspotSummary, ring?: ArrayLike<number>): void {
    const json = openJson(h);
    const ringLength = ring?.length ?? 0;
    this.#reserve(Buffer.byteLength(json), ringLength);
    const c = this.#c;
    const r = this.#size++;
    if (r > 0 && compareRows(c.score[r - 1]!, c.id[r - 1]!, h.score, h.id) > 0) this.#sorted = false;
    c.lat[r] = h.lat;
    c.lng[r] = h.lng;
    c.id[r] = h.id;
    c.score[r] = h.score;
    c.textStart[r] = this.#textBytes;
    this.#textBytes += c.text.write(json, this.#textBytes, 'utf8');
    c.textStart[r + 1] = this.#textBytes;
    c.ringStart[r] = this.#ringValues;
    for (let k = 0; k < ringLength; k++) c.rings[this.#ringValues + k] = ring![k]!;
    this.#ringValues += ringLength;
    c.ringStart[r + 1] = this.#ringValues;
  }

  /** The rows, best score first (ties by lowest id), in columns of exactly their size. */
  finish(): Columns {
    const src = this.#c;
    const n = this.#size;
    const out = emptyColumns(n, this.#textBytes, this.#ringValues);
    if (this.#sorted) copyRows(src, 0, n, out, 0);
    else {
      const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) =>
        compareRows(src.score[a]!, src.id[a]!, src.score[b]!, src.id[b]!),
      );
      for (let k = 0; k < n; k++) copyRow(src, order[k]!, out, k);
    }
    this.#c = emptyColumns(0, 0, 0);
    this.#size = this.#textBytes = this.#ringValues = 0;
    return out;
  }

  #reserve(textBytes: number, ringValues: number): void {
    const c = this.#c;
    const rows = this.#size + 1 > c.size ? c.size * 2 : c.size;
    const text =
      this.#textBytes + textBytes > c.text.length
        ? Math.max(c.text.length * 2, this.#textBytes + textBytes)
        : c.text.length;
    const rings =
      this.#ringValues + ringValues > c.rings.length
        ? Math.max(c.rings.length * 2, this.#ringValues + ringValues)
        : c.rings.length;
    if (rows === c.size && text === c.text.length && rings === c.rings.length) return;
    const grown = emptyColumns(rows, text, rings);
    copyRows(c, 0, this.#size, grown, 0);
    this.#c = grown;
  }
}

/** Best score first, then lowest id (the order of top, bbox pages and their cursors), on raw numbers. */
export function compareRows(scoreA: number, idA: number, scoreB: number, idB: number): number {
  return scoreB - scoreA || idA - idB;
}

/** A summary's JSON without its closing brace. */
export function openJson(h: HotspotSummary): string {
  return JSON.stringify(h).slice(0, -1);
}
