import { StringDecoder } from 'node:string_decoder';

/**
 * One CSV record with the physical line it ends on, or a record that could not be read.
 * Lines count from 1 and every line break counts, also those inside quoted fields.
 */
export type CsvItem = { ok: true; fields: string[]; line: number } | { ok: false; line: number; message: string };

/** Longest record, or quoted field, read before it is reported and skipped. */
export const MAX_RECORD_LENGTH = 1_000_000;

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * Where scanning a record ended: a record; a broken one (reading goes on at `next`); one that never ends
 * (a quote not closed before the end of the file); or the end of what has arrived so far.
 */
type Scan =
  | { kind: 'record'; fields: string[]; next: number; lines: number }
  | { kind: 'broken'; message: string; lines: number; next: number }
  | { kind: 'unended'; message: string }
  | { kind: 'more' }
  | { kind: 'end' };

const MORE: Scan = { kind: 'more' };

/** Line breaks in s[from, to). */
function countLf(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Index just past the line break at or after `from`, or -1 if none has arrived. */
function pastLineBreak(s: string, from: number): number {
  const i = s.indexOf('\n', from);
  return i < 0 ? -1 : i + 1;
}

/**
 * Reads the record starting at `start`. Fields are separated by commas and records by LF or CRLF. A field
 * that starts with a quote is quoted: it ends at a quote not doubled, may hold commas and line breaks, and
 * must be followed by a comma or the end of the record. A quote anywhere else is an ordinary character.
 * `lines` counts the line breaks the record spans, its own terminator included.
 */
function scanRecord(s: string, start: number, eof: boolean): Scan {
  const n = s.length;
  if (start >= n) return eof ? { kind: 'end' } : MORE;
  const fields: string[] = [];
  let pos = start;
  let lines = 0;
  /** The first line break at or after pos (or -1): quoted fields count the breaks they hold only when one is inside. */
  let lf = s.indexOf('\n', start);
  for (;;) {
    if (pos < n && s.charCodeAt(pos) === QUOTE) {
      let value = '';
      let from = pos + 1;
      for (;;) {
        const q = s.indexOf('"', from);
        if (q < 0 || (q + 1 >= n && !eof)) {
          if (!eof) return MORE;
          return { kind: 'unended', message: 'a quoted field is not closed before the end of the file' };
        }
        if (s.charCodeAt(q + 1) === QUOTE) {
          value += s.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += s.slice(from, q);
        if (lf >= 0 && lf < q) {
          lines += countLf(s, lf, q);
          lf = s.indexOf('\n', q);
        }
        pos = q + 1;
        break;
      }
      fields.push(value);
      if (pos >= n) {
        if (!eof) return MORE;
        return { kind: 'record', fields, next: n, lines };
      }
      const c = s.charCodeAt(pos);
      if (c === COMMA) {
        pos++;
        continue;
      }
      if (c === LF) return { kind: 'record', fields, next: pos + 1, lines: lines + 1 };
      if (c === CR) {
        if (pos + 1 >= n) return eof ? { kind: 'record', fields, next: n, lines } : MORE;
        if (s.charCodeAt(pos + 1) === LF) return { kind: 'record', fields, next: pos + 2, lines: lines + 1 };
      }
      const next = pastLineBreak(s, pos);
      if (next < 0 && !eof) return MORE;
      return {
        kind: 'broken',
        message: 'a quoted field is followed by something other than a comma or the end of the line',
        lines: lines + (next < 0 ? 0 : 1),
        next: next < 0 ? n : next,
      };
    }
    let i = pos;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === COMMA || c === LF) break;
      i++;
    }
    if (i >= n && !eof) return MORE;
    const atLf = i < n && s.charCodeAt(i) === LF;
    const end = (atLf || i >= n) && i > pos && s.charCodeAt(i - 1) === CR ? i - 1 : i;
    fields.push(s.slice(pos, end));
    if (i < n && s.charCodeAt(i) === COMMA) {
      pos = i + 1;
      continue;
    }
    return { kind: 'record', fields, next: atLf ? i + 1 : n, lines: lines + (atLf ? 1 : 0) };
  }
}

/**
 * Streams the records of a CSV text: RFC 4180 with LF or CRLF line ends, a byte-order mark ignored, empty
 * lines skipped, and quotes inside unquoted fields kept as they are. A record that cannot be read (a quote
 * never closed, text after a closing quote, a record longer than MAX_RECORD_LENGTH) is reported with its line
 * and reading goes on at the next line, so one broken row never costs the rows after it.
 */
export async function* csvRecords(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
): AsyncGenerator<CsvItem[]> {
  const decoder = new StringDecoder('utf8');
  let text = '';
  let line = 1;
  let first = true;
  /** Discarding an over-long line until its end arrives. */
  let skipping = false;

  const drain = (eof: boolean): CsvItem[] => {
    const items: CsvItem[] = [];
    let at = 0;
    for (;;) {
      if (skipping) {
        const next = pastLineBreak(text, at);
        if (next < 0) {
          at = text.length;
          break;
        }
        skipping = false;
        at = next;
        line++;
      }
      const scan = scanRecord(text, at, eof);
      if (scan.kind === 'end') break;
      if (scan.kind === 'more' && text.length - at <= MAX_RECORD_LENGTH) break;
      if (scan.kind === 'more' || scan.kind === 'unended') {
        // The record never ends (a quote not closed) or is too long to be one: report it, and go on at the
        // line after the one it started on.
        const message =
          scan.kind === 'unended'
            ? scan.message
            : `a record is longer than ${MAX_RECORD_LENGTH.toLocaleString('en')} characters (or a quote is never closed)`;
        items.push({ ok: false, line, message });
        const next = pastLineBreak(text, at);
        if (next < 0) skipping = true;
        else line++;
        at = next < 0 ? text.length : next;
        continue;
      }
      if (scan.kind === 'broken') {
        items.push({ ok: false, line, message: scan.message });
        at = scan.next;
        line += scan.lines;
        continue;
      }
      const { fields } = scan;
      const endLine = line + scan.lines - (text.charCodeAt(scan.next - 1) === LF ? 1 : 0);
      if (!(fields.length === 1 && fields[0] === '' && text.charCodeAt(at) !== QUOTE))
        items.push({ ok: true, fields, line: endLine });
      at = scan.next;
      line += scan.lines;
    }
    text = text.slice(at);
    return items;
  };

  for await (const chunk of input) {
    let piece = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (first && piece.length > 0) {
      if (piece.charCodeAt(0) === 0xfeff) piece = piece.slice(1);
      first = false;
    }
    text += piece;
    const items = drain(false);
    if (items.length > 0) yield items;
  }
  text += decoder.end();
  const items = drain(true);
  if (items.length > 0) yield items;
}
