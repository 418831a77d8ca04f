import { Readable } from 'node:stream';
import { LBSN_HEADER } from '@photospots/test-harness';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDateFast, parseDateGeneral, parseLbsnRecord } from '../src/lbsn/lbsn-row.ts';
import { readLbsnCsv } from '../src/lbsn/read-lbsn-csv.ts';

const COLUMNS = LBSN_HEADER.split(',');

/** Field values a hostile or broken export could contain. */
const field = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.double().map(String),
  fc.integer().map(String),
  fc.constantFrom(
    '',
    ' ',
    'NaN',
    'Infinity',
    '-0',
    '1e308',
    '90.0000001',
    '2019-02-29',
    '2020-02-29',
    "'; drop table photos; --",
    '\u0000',
    '"',
    '""',
    ';;;',
    'null',
  ),
);

describe('fuzzing the LBSN row parser', () => {
  it('never throws: every record is a photo with valid coordinates or an error with a code and its line', () => {
    fc.assert(
      fc.property(
        fc.record(Object.fromEntries(COLUMNS.map((c) => [c, field]))),
        fc.integer({ min: 2, max: 1e7 }),
        (record, line) => {
          const result = parseLbsnRecord(record as Record<string, string>, line);
          if ('code' in result) {
            expect(result.line).toBe(line);
            expect(result.message.length).toBeGreaterThan(0);
          } else {
            expect(Number.isFinite(result.lat) && Math.abs(result.lat) <= 90).toBe(true);
            expect(Number.isFinite(result.lng) && Math.abs(result.lng) <= 180).toBe(true);
            expect(result.sourceId.length).toBeGreaterThan(0);
            expect(result.views).toBeGreaterThanOrEqual(0);
            for (const d of [result.takenAt, result.uploadedAt]) if (d) expect(Number.isNaN(d.getTime())).toBe(false);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('never aborts a file: whatever bytes follow the header, every line is a photo or a reported error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.string({ unit: 'binary' }),
            fc.array(field, { maxLength: 16 }).map((f) => f.join(',')),
          ),
          { maxLength: 30 },
        ),
        async (lines) => {
          const text = `${LBSN_HEADER}\n${lines.join('\n')}\n`;
          let items = 0;
          for await (const item of readLbsnCsv(Readable.from([Buffer.from(text)]))) {
            items++;
            if (!item.ok) expect(item.error.code).toMatch(/^[A-Z_]+$/);
          }
          // A generated "line" may hold line breaks of its own: bound by the physical lines.
          expect(items).toBeLessThanOrEqual(lines.join('\n').split(/\r\n|\r|\n/).length + 1);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the fast date path', () => {
  const now = Date.UTC(2026, 10, 25);
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  it('agrees with the general parser on every date and date-time it accepts, and leaves it the rest', () => {
    const dateLike = fc.oneof(
      fc
        .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
        .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`),
      fc
        .tuple(
          fc.integer({ min: 1800, max: 2030 }),
          fc.integer({ min: 1, max: 12 }),
          fc.integer({ min: 1, max: 31 }),
          fc.integer({ min: 0, max: 25 }),
          fc.integer({ min: 0, max: 61 }),
          fc.integer({ min: 0, max: 61 }),
        )
        .map(([y, m, d, h, mi, s]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`),
      fc.constantFrom(
        '2020-02-29',
        '2019-02-29',
        '1900-02-29',
        '2000-02-29',
        '2019-05-01T12:00:00Z',
        '2019-05-01 12:00',
        '2019-5-01',
        '20190501',
        ' 2019-05-01',
        '2019-05-01 24:00:00',
        '１９９９-01-01',
      ),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(dateLike, (text) => {
        const general = parseDateGeneral(text, now);
        const fast = parseDateFast(text);
        if (fast === undefined) return;
        // Accepted by the fast path: the general parser reads the same instant (or the same out-of-range verdict).
        if (general instanceof Date) expect(fast).toBe(general.getTime());
        else expect(general === 'invalid' && (fast < Date.UTC(1826, 0, 1) || fast > now + 86_400_000)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
    expect(parseDateFast('2019-05-01 10:20:30')).toBe(Date.UTC(2019, 4, 1, 10, 20, 30));
    expect(parseDateFast('2019-02-29')).toBeUndefined();
  });
});
