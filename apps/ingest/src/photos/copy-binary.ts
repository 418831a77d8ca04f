import type { NormalisedPhoto } from './normalised-photo.ts';

/**
 * A batch of photos in Postgres' binary COPY format, in STAGING_COLUMNS order
 * (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4). Against CSV text this spares
 * both sides their conversions: no number or date is printed here or parsed by the server, and no text is
 * quoted or unquoted. Both sides spend less CPU per photo than with CSV (figures: docs/benchmarks.md).
 */

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const COLUMN_COUNT = 14;
const TEXT_OID = 25;
/** Postgres counts time in microseconds from 2000-01-01 UTC. */
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 4_294_967_296;

/** Postgres text cannot hold NUL: free text from any source loses them (ids with one are rejected before). */
export const withoutNul = (s: string) => (s.includes('\0') ? s.replaceAll('\0', '') : s);
/** Tags as stored: without NUL, and without the empty or repeated tags removing it makes. */
export const storedTags = (tags: readonly string[]): readonly string[] =>
  tags.some((t) => t.includes('\0')) ? [...new Set(tags.map(withoutNul).filter((t) => t !== ''))] : tags;

class BinaryWriter {
  #buf: Buffer;
  #at = 0;

  constructor(capacity: number) {
    this.#buf = Buffer.allocUnsafe(capacity);
  }

  #room(bytes: number): void {
    if (this.#at + bytes <= this.#buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#at + bytes));
    this.#buf.copy(bigger, 0, 0, this.#at);
    this.#buf = bigger;
  }

  bytes(b: Buffer): void {
    this.#room(b.length);
    this.#at += b.copy(this.#buf, this.#at);
  }

  int16(v: number): void {
    this.#room(2);
    this.#at = this.#buf.writeInt16BE(v, this.#at);
  }

  int32(v: number): void {
    this.#room(4);
    this.#at = this.#buf.writeInt32BE(v, this.#at);
  }

  /** A field's length word, then the value: an int4 column. */
  int4Field(v: number): void {
    this.#room(8);
    this.#at = this.#buf.writeInt32BE(4, this.#at);
    this.#at = this.#buf.writeInt32BE(v, this.#at);
  }

  /** -0 is stored as 0, as text and JSON write it. */
  float8Field(v: number): void {
    this.#room(12);
    this.#at = this.#buf.writeInt32BE(8, this.#at);
    this.#at = this.#buf.writeDoubleBE(v + 0, this.#at);
  }

  null(): void {
    this.int32(-1);
  }

  /** A text value with its length word: UTF-8, as many bytes as it takes. */
  textField(s: string): void {
    this.#room(4 + 3 * s.length);
    const n = this.#buf.write(s, this.#at + 4, 'utf8');
    this.#buf.writeInt32BE(n, this.#at);
    this.#at += 4 + n;
  }

  textOrNullField(s: string | null): void {
    if (s === null) this.null();
    else this.textField(withoutNul(s));
  }

  timestamptzField(d: Date | null): void {
    if (d === null) return this.null();
    const micros = (d.getTime() - PG_EPOCH_MS) * 1000;
    this.#room(12);
    this.#at = this.#buf.writeInt32BE(8, this.#at);
    if (Number.isSafeInteger(micros)) {
      // An int64 as two words: exact for every instant within ±285 years of 2000.
      const high = Math.floor(micros / TWO_32);
      this.#at = this.#buf.writeInt32BE(high, this.#at);
      this.#at = this.#buf.writeUInt32BE(micros - high * TWO_32, this.#at);
    } else {
      this.#at = this.#buf.writeBigInt64BE(BigInt(d.getTime() - PG_EPOCH_MS) * 1000n, this.#at);
    }
  }

  /** A one-dimensional text[] (no NULL elements), or an empty one. */
  textArrayField(values: readonly string[]): void {
    const start = this.#at;
    this.#room(4 + 20);
    this.#at += 4; // the field's length, filled in below
    this.#at = this.#buf.writeInt32BE(values.length === 0 ? 0 : 1, this.#at); // dimensions
    this.#at = this.#buf.writeInt32BE(0, this.#at); // no NULL elements
    this.#at = this.#buf.writeInt32BE(TEXT_OID, this.#at);
    if (values.length > 0) {
      this.#at = this.#buf.writeInt32BE(values.length, this.#at);
      this.#at = this.#buf.writeInt32BE(1, this.#at); // lower bound
      for (const v of values) this.textField(v);
    }
    this.#buf.writeInt32BE(this.#at - start - 4, start);
  }

  finish(): Buffer {
    return this.#buf.subarray(0, this.#at);
  }
}

/** The photos as one binary COPY stream (header, one tuple each, trailer), in STAGING_COLUMNS order. */
export function photosToCopyBinary(photos: readonly NormalisedPhoto[]): Buffer {
  const w = new BinaryWriter(64 + photos.length * 192);
  w.bytes(SIGNATURE);
  w.int32(0); // flags
  w.int32(0); // header extension length
  for (const p of photos) {
    w.int16(COLUMN_COUNT);
    w.textField(p.source);
    w.textField(p.sourceId);
    w.textField(p.ownerId);
    w.textOrNullField(p.ownerName);
    w.float8Field(p.lat);
    w.float8Field(p.lng);
    w.int4Field(p.tile);
    w.timestamptzField(p.takenAt);
    w.timestamptzField(p.uploadedAt);
    w.textArrayField(storedTags(p.tags));
    w.textOrNullField(p.title);
    w.int4Field(p.views);
    w.textOrNullField(p.license);
    w.textOrNullField(p.imageUrl);
  }
  w.int16(-1);
  return w.finish();
}
