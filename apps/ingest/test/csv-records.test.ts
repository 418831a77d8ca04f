import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRecords, MAX_RECORD_LENGTH, type CsvItem } from '../src/lbsn/csv-records.ts';

/** Every item csvRecords yields for `bytes` fed in the given chunks. */
async function read(chunks: (Buffer | string)[]): Promise<CsvItem[]> {
  const items: CsvItem[] = [];
  for await (const batch of csvRecords(chunks)) items.push(...batch);
  return items;
}

/** `bytes` cut at the given offsets (which may fall inside a multi-byte character). */
function cut(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((a) => a % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    parts.push(bytes.subarray(from, p));
    from = p;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

const quoted = (f: string) => `"${f.replaceAll('"', '""')}"`;
const needsQuotes = (f: string) => /[",\r\n]/.test(f) || f.startsWith('"');

const tricky = fc.constantFrom(
  '',
  ' ',
  '"',
  '""',
  ',',
  '\n',
  '\r\n',
  'a"b',
  'x,y',
  'line\nbreak',
  'Brücke 🌉',
  '\uFEFF',
  '\t',
);
const field = fc.oneof(tricky, fc.string(), fc.string({ unit: 'grapheme' }));

describe('reading CSV records', () => {
  it('reads what csv-parse reads from well-formed CSV, fields and end lines, however the bytes arrive', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 2, max: 5 })
          .chain((width) =>
            fc.array(
              fc.tuple(
                fc.array(field, { minLength: width, maxLength: width }),
                fc.array(fc.boolean(), { minLength: width, maxLength: width }),
              ),
              { minLength: 1, maxLength: 12 },
            ),
          ),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (rows, eol, bom, trailingEol, cuts) => {
          const lines = rows.map(([fields, force]) =>
            fields.map((f, i) => (force[i] || needsQuotes(f) ? quoted(f) : f)).join(','),
          );
          const text = `${bom ? '\uFEFF' : ''}${lines.join(eol)}${trailingEol ? eol : ''}`;
          const expected = (
            parse(text, {
              bom: true,
              info: true,
              relax_quotes: true,
              skip_empty_lines: true,
              record_delimiter: eol,
            }) as unknown as { record: string[]; info: { lines: number } }[]
          ).map(({ record, info }) => ({ ok: true, fields: record, line: info.lines }));
          const items = await read(cut(Buffer.from(text), cuts));
          // csv-parse counts a CR inside a quoted field as a line of its own (CRLF as two); here CRLF is one break.
          const comparable = (list: { line: number }[]) =>
            /\r/.test(rows.flatMap(([f]) => f).join('')) ? list.map((i) => ({ ...i, line: 0 })) : list;
          expect(comparable(items)).toEqual(comparable(expected));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reports a quote never closed at its line and reads on from the next line', async () => {
    const items = await read(['a,b\n1,"open\n2,3\n']);
    expect(items).toEqual([
      { ok: true, fields: ['a', 'b'], line: 1 },
      { ok: false, line: 2, message: expect.stringContaining('not closed') },
      { ok: true, fields: ['2', '3'], line: 3 },
    ]);
  });

  it('reports text after a closing quote and reads on from the next line', async () => {
    const items = await read(['"2",51.05,"13.74,"broken quote\r\nx,y\r\n']);
    expect(items).toEqual([
      { ok: false, line: 1, message: expect.stringContaining('followed by something other than a comma') },
      { ok: true, fields: ['x', 'y'], line: 2 },
    ]);
  });

  it('keeps quotes inside unquoted fields, skips empty lines, and counts line breaks inside quoted fields', async () => {
    const items = await read(['a,b\n\n5 "inch",x\n"multi\nline",y\n\r\nlast,z']);
    expect(items).toEqual([
      { ok: true, fields: ['a', 'b'], line: 1 },
      { ok: true, fields: ['5 "inch"', 'x'], line: 3 },
      { ok: true, fields: ['multi\nline', 'y'], line: 5 },
      { ok: true, fields: ['last', 'z'], line: 7 },
    ]);
  });

  it('reports an over-long record without holding it, and reads on after it', async () => {
    const long = 'x'.repeat(MAX_RECORD_LENGTH + 10);
    const chunks = ['a,b\n', ...long.match(/.{1,65536}/gs)!, ',y\nok,1\n"', long, '\nafter,2\n'];
    const items = await read(chunks);
    expect(items.map((i) => (i.ok ? [i.line, ...i.fields] : [i.line, 'error']))).toEqual([
      [1, 'a', 'b'],
      [2, 'error'],
      [3, 'ok', '1'],
      [4, 'error'],
      [5, 'after', '2'],
    ]);
  });

  it('never throws and never yields more items than the text has lines, whatever the bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.array(fc.constantFrom('"', ',', '\n', '\r', 'a', '""'), { maxLength: 60 }).map((a) => a.join('')),
        ),
        fc.array(fc.nat(), { maxLength: 4 }),
        async (text, cuts) => {
          const items = await read(cut(Buffer.from(text), cuts));
          expect(items.length).toBeLessThanOrEqual(text.split('\n').length);
          const lines = items.map((i) => i.line);
          expect(lines).toEqual([...lines].sort((a, b) => a - b));
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
