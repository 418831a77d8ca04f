import { zOrderCode } from '@photospots/geo';
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
 *
 * The rows are in Z-order (by the Morton code of their position, then id), so
 * the hotspots one nearby question reads lie next to each other in memory;
 * `byScore` lists the rows best score first (ties by lowest id), the order of
 * top and of map boxes.
 */
export interface Columns {
  readonly size: number;
  readonly lat: Float64Array;
  readonly lng: Float64Array;
  readonly id: Float64Array;
  readonly score: Float64Array;
  /** The rows' order: zOrderCode of the position. */
  readonly cell: Float64Array;
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
  /** The rows best score first: byScore[rank] is the row of that rank. */
  readonly byScore: Uint32Array;
}

/** Rows in any order with their text and hulls: enough to compare them (what a load gathered, before its order). */
export type Rows = Pick<Columns, 'size' | 'id' | 'textAt' | 'textLength' | 'text' | 'ringAt' | 'ringLength' | 'rings'>;

/** The numeric columns of a Columns, which rows are copied through. */
const NUMBERS = ['lat', 'lng', 'id', 'score', 'cell', 'textAt', 'textLength', 'ringAt', 'ringLength'] as const;

type Numbers = Pick<Columns, (typeof NUMBERS)[number]>;

function numbers(size: number): Numbers {
  return {
    lat: new Float64Array(size),
    lng: new Float64Array(size),
    id: new Float64Array(size),
    score: new Float64Array(size),
    cell: new Float64Array(size),
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
export function ringAt(c: Pick<Columns, 'ringAt' | 'ringLength' | 'rings'>, r: number): HullRing | undefined {
  const n = c.ringLength[r]!;
  if (n === 0) return undefined;
  const at = c.ringAt[r]!;
  const offset = at % SPAN;
  return c.rings.chunk(at).subarray(offset, offset + n);
}

/** Whether row r of a and row s of b hold the same summary and hull. */
export function sameRow(a: Rows, r: number, b: Rows, s: number): boolean {
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

/**
 * Bytes of text a builder or a compaction writes to one chunk: more than glibc's largest threshold for
 * allocating by mmap (32 MiB), so that a chunk is its own mapping and a chunk freed is returned to the system,
 * not kept in the allocator's heap (a load writes its text twice: as it arrives, then in the rows' order).
 */
const CHUNK_BYTES = 40 * 1024 * 1024;
/** Rows a builder expects when not told. */
const DEFAULT_ROWS = 8_192;

/**
 * Gathers hotspots as columns, one at a time and in any order; finish()
 * hands them over in Z-order with their score order. Text and hulls go to a
 * chunk per page of rows as they arrive, and are written once more in the
 * rows' order when they arrived in another.
 *
 * A builder is used once: finish() hands its rows over, discard() drops them,
 * and either returns to the system at once the memory the rows no longer need
 * (at a million hotspots, ~300 MB of text as it arrived), rather than when a
 * garbage collection finds it unreachable.
 */
export class ColumnsBuilder {
  #size = 0;
  #spent = false;
  /** Whether the rows so far arrived best score first (a load reads them so): then nothing is sorted by score. */
  #scoreSorted = true;
  #cellSorted = true;
  #numbers: Numbers;
  readonly #textChunks: Buffer[] = [];
  readonly #ringChunks: Float64Array[] = [];
  #liveText = 0;
  #liveRings = 0;
  /** The page being gathered: its rows' JSON and hulls, sealed into chunks when full. */
  #pageFrom = 0;
  #pageJson: string[] = [];
  #pageBytes = 0;
  #pageRings: Float64Array;
  #pageRingValues = 0;

  /** `expectedRows`: how many rows are coming, if known (the columns grow past it if more come). */
  constructor(expectedRows = DEFAULT_ROWS) {
    this.#numbers = numbers(Math.max(1, expectedRows));
    this.#pageRings = new Float64Array(Math.min(DEFAULT_ROWS, Math.max(1, expectedRows)) * 16);
  }

  get size(): number {
    return this.#size;
  }

  /** Appends a hotspot and its hull (flat [lng, lat, …], closed), if it has one. */
  add(h: HotspotSummary, ring?: ArrayLike<number>): void {
    this.#usable();
    const r = this.#size++;
    if (r === this.#numbers.lat.length) {
      const grown = numbers(r * 2);
      copyRows(this.#numbers, 0, r, grown, 0);
      this.#numbers = grown;
    }
    const c = this.#numbers;
    const cell = zOrderCode(h.lat, h.lng);
    if (r > 0) {
      if (compareRows(c.score[r - 1]!, c.id[r - 1]!, h.score, h.id) > 0) this.#scoreSorted = false;
      if (compareCells(c.cell[r - 1]!, c.id[r - 1]!, cell, h.id) > 0) this.#cellSorted = false;
    }
    c.lat[r] = h.lat;
    c.lng[r] = h.lng;
    c.id[r] = h.id;
    c.score[r] = h.score;
    c.cell[r] = cell;
    const json = openJson(h);
    this.#pageJson.push(json);
    this.#pageBytes += json.length;
    const n = ring?.length ?? 0;
    if (this.#pageRingValues + n > this.#pageRings.length) {
      const grown = new Float64Array(Math.max(2 * this.#pageRings.length, this.#pageRingValues + n));
      grown.set(this.#pageRings.subarray(0, this.#pageRingValues));
      this.#pageRings = grown;
    }
    c.ringAt[r] = this.#ringChunks.length * SPAN + this.#pageRingValues;
    c.ringLength[r] = n;
    for (let k = 0; k < n; k++) this.#pageRings[this.#pageRingValues++] = ring![k]!;
    if (this.#pageBytes >= CHUNK_BYTES) this.#seal();
  }

  /** The rows so far as they arrived, not put in order (views of the builder's own columns). */
  arrived(): Rows {
    this.#usable();
    this.#seal();
    const n = this.#size;
    const c = this.#numbers;
    return {
      size: n,
      id: c.id.subarray(0, n),
      textAt: c.textAt.subarray(0, n),
      textLength: c.textLength.subarray(0, n),
      text: new Arena(this.#textChunks),
      ringAt: c.ringAt.subarray(0, n),
      ringLength: c.ringLength.subarray(0, n),
      rings: new Arena(this.#ringChunks),
    };
  }

  /** The rows in Z-order, and their order by score. */
  finish(): Columns {
    this.#usable();
    this.#seal();
    this.#spent = true;
    const n = this.#size;
    const src = this.#numbers;
    const identity = () => Uint32Array.from({ length: n }, (_, i) => i);
    // Arrival index of each row, and the row of each arrival.
    const byCell = this.#cellSorted
      ? identity()
      : identity().sort((a, b) => compareCells(src.cell[a]!, src.id[a]!, src.cell[b]!, src.id[b]!));
    const out = numbers(n);
    const rowOf = new Uint32Array(n);
    for (let k = 0; k < n; k++) {
      copyRow(src, byCell[k]!, out, k);
      rowOf[byCell[k]!] = k;
    }
    const byScore = this.#scoreSorted
      ? rowOf
      : identity().sort((a, b) => compareRows(out.score[a]!, out.id[a]!, out.score[b]!, out.id[b]!));
    const columns = {
      size: n,
      ...out,
      text: new Arena(this.#textChunks),
      rings: new Arena(this.#ringChunks),
      liveText: this.#liveText,
      liveRings: this.#liveRings,
      byScore,
    };
    // The columns were copied into `out`.
    release(Object.values(src));
    release([this.#pageRings]);
    if (this.#cellSorted) return columns;
    // The text in the rows' order too: a nearby answer then copies neighbouring bytes. Hulls, which only map
    // boxes read, stay where they are.
    const rewritten = textRewritten(columns);
    release(this.#textChunks);
    return rewritten;
  }

  /** Drops the rows gathered (a load that found nothing new): their memory goes back at once. */
  discard(): void {
    if (this.#spent) return;
    this.#spent = true;
    release([...Object.values(this.#numbers), this.#pageRings, ...this.#textChunks, ...this.#ringChunks]);
  }

  #usable(): void {
    if (this.#spent) throw new Error('ColumnsBuilder: its rows were already handed over or discarded');
  }

  /** Writes the page's JSON and hulls into a chunk each, and the rows' text positions. */
  #seal(): void {
    if (this.#pageJson.length > 0) {
      const joined = this.#pageJson.join('');
      let chunk: Buffer = Buffer.from(joined, 'utf8');
      if (chunk.length < Buffer.poolSize) chunk = ownCopy(chunk);
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
    this.#pageBytes = 0;
    this.#pageRingValues = 0;
  }
}

/**
 * Merges columns: `old` without the rows `drops` (ascending) and with
 * `incoming`'s rows each at its place in Z-order, and the two score orders
 * merged into one. The text and hulls of both are shared, not copied, unless
 * what no row holds any more has grown past what the rows hold (beyond
 * `slack`), or the chunks have become many more than the rows need, when they
 * are written afresh.
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
  // Where each old row (-1: dropped) and each incoming row lands.
  const oldRow = new Int32Array(old.size).fill(-1);
  const incomingRow = new Uint32Array(incoming.size);
  let at = 0;
  let from = 0;
  let d = 0;
  const copyOld = (to: number) => {
    copyRows(old, from, to, out, at);
    for (let r = from; r < to; r++) oldRow[r] = at++;
  };
  /** Copies old rows up to `to` (exclusive), skipping the drops before it. */
  const copyOldUntil = (to: number) => {
    for (; d < drops.length && drops[d]! < to; d++) {
      copyOld(drops[d]!);
      from = drops[d]! + 1;
    }
    copyOld(Math.max(from, to));
    from = Math.max(from, to);
  };
  for (let k = 0; k < incoming.size; k++) {
    copyOldUntil(insertionPoint(old, incoming.cell[k]!, incoming.id[k]!));
    incomingRow[k] = at;
    copyRows(incoming, k, k + 1, out, at++, shift);
  }
  copyOldUntil(old.size);
  const byScore = mergeScoreOrders(out, old.byScore, oldRow, incoming.byScore, incomingRow);
  const merged = { size, ...out, text, rings, liveText, liveRings, byScore };
  // Many small patches add many small chunks: beyond a few per chunk of live text they are merged too.
  const scattered = text.chunks.length > 4 * Math.ceil(liveText / CHUNK_BYTES) + 1_024;
  const wasted = text.length > 2 * liveText + slack.text || rings.length > 2 * liveRings + slack.rings;
  return wasted || scattered ? compacted(merged) : merged;
}

/**
 * The merged rows best score first: the old order (its rows moved to `oldRow`, the dropped ones left out)
 * and the incoming one (moved to `incomingRow`), merged by the rows' scores and ids in `merged`.
 */
function mergeScoreOrders(
  merged: Numbers,
  oldOrder: Uint32Array,
  oldRow: Int32Array,
  incomingOrder: Uint32Array,
  incomingRow: Uint32Array,
): Uint32Array {
  const out = new Uint32Array(merged.lat.length);
  const { score, id } = merged;
  let at = 0;
  let i = 0;
  for (let o = 0; o < oldOrder.length; o++) {
    const row = oldRow[oldOrder[o]!]!;
    if (row < 0) continue;
    for (; i < incomingOrder.length; i++) {
      const next = incomingRow[incomingOrder[i]!]!;
      if (compareRows(score[next]!, id[next]!, score[row]!, id[row]!) > 0) break;
      out[at++] = next;
    }
    out[at++] = row;
  }
  for (; i < incomingOrder.length; i++) out[at++] = incomingRow[incomingOrder[i]!]!;
  return out;
}

/** The same rows with their text and hulls written into fresh chunks, in row order: what no row holds is dropped. */
function compacted(c: Columns): Columns {
  return ringsRewritten(textRewritten(c));
}

/** The same rows with their text written into fresh chunks, in row order. */
function textRewritten(c: Columns): Columns {
  const { at, arena, live } = rewritten(c.text, c.textAt, c.textLength, 1, (n) => Buffer.allocUnsafeSlow(n));
  return { ...c, textAt: at, text: arena, liveText: live };
}

/** The same rows with their hulls written into fresh chunks, in row order. */
function ringsRewritten(c: Columns): Columns {
  const { at, arena, live } = rewritten(c.rings, c.ringAt, c.ringLength, 8, (n) => new Float64Array(n));
  return { ...c, ringAt: at, rings: arena, liveRings: live };
}

/**
 * An arena's values of each row (`length[r]` at position `at[r]`, `bytesPerValue` each) copied into fresh chunks
 * of about CHUNK_BYTES, in row order; returns the rows' new positions, the new arena and how much the rows hold.
 */
function rewritten<C extends Buffer | Float64Array>(
  arena: Arena<C>,
  at: Float64Array,
  length: Float64Array,
  bytesPerValue: number,
  allocate: (n: number) => C,
): { at: Float64Array; arena: Arena<C>; live: number } {
  const perChunk = CHUNK_BYTES / bytesPerValue;
  const positions = new Float64Array(at.length);
  const chunks: C[] = [];
  let live = 0;
  for (let from = 0; from < at.length;) {
    let n = 0;
    let to = from;
    for (; to < at.length && n < perChunk; to++) n += length[to]!;
    const chunk = allocate(n);
    let offset = 0;
    for (let r = from; r < to; r++) {
      positions[r] = chunks.length * SPAN + offset;
      const source = at[r]! % SPAN;
      if (length[r]! > 0) chunk.set(arena.chunk(at[r]!).subarray(source, source + length[r]!), offset);
      offset += length[r]!;
    }
    if (n > 0) chunks.push(chunk);
    live += n;
    from = to;
  }
  return { at: positions, arena: new Arena(chunks), live };
}

/** The position of the first row of c that comes after (cell, id) in Z-order (binary search). */
function insertionPoint(c: Columns, cell: number, id: number): number {
  let lo = 0;
  let hi = c.size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareCells(c.cell[mid]!, c.id[mid]!, cell, id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Z-order: by cell, then lowest id. */
function compareCells(cellA: number, idA: number, cellB: number, idB: number): number {
  return cellA - cellB || idA - idB;
}

/** Best score first, then lowest id (the order of top, bbox pages and their cursors), on raw numbers. */
export function compareRows(scoreA: number, idA: number, scoreB: number, idB: number): number {
  return scoreB - scoreA || idA - idB;
}

/**
 * Frees the memory of arrays nothing will read again, now: ArrayBuffer.prototype.transfer(0) detaches each
 * buffer and returns it to the allocator (a 40 MiB text chunk is its own mapping, returned to the system). An
 * array that shares its buffer (a view into Node's Buffer pool, a subarray) is left to the garbage collector.
 */
function release(arrays: Iterable<ArrayBufferView>): void {
  for (const a of arrays) {
    const b = a.buffer;
    if (b instanceof ArrayBuffer && !b.detached && a.byteOffset === 0 && a.byteLength === b.byteLength) b.transfer(0);
  }
}

/** A small Buffer is a view into Node's shared 8 KiB pool, which a kept chunk would keep whole. */
function ownCopy(chunk: Buffer): Buffer {
  const own = Buffer.allocUnsafeSlow(chunk.length);
  chunk.copy(own);
  return own;
}

/** A summary's JSON without its closing brace. */
function openJson(h: HotspotSummary): string {
  return JSON.stringify(h).slice(0, -1);
}
