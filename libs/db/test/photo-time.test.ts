import { createTestEnv, type TestEnv } from '@photospots/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPlaceholderTakenAt, photoTimeSql } from '../src/index.ts';

const NOW = Date.now();
const DAY = 86_400_000;

/** Taken dates and whether each is a placeholder for "unknown". */
const CASES: [string, number, boolean][] = [
  ['0001-01-01 (.NET)', Date.UTC(1, 0, 1), true],
  ['1900-01-01 (Excel, NTP)', Date.UTC(1900, 0, 1), true],
  ['1901-01-01 (the Dresden sample)', Date.UTC(1901, 0, 1), true],
  ['1901-12-13 20:45:52 (32-bit Unix time)', Date.UTC(1901, 11, 13, 20, 45, 52), true],
  ['1921-06-01 (a scanned print)', Date.UTC(1921, 5, 1), false],
  ['1969-12-31 19:00 (Unix 0 in New York)', Date.UTC(1969, 11, 31, 19), true],
  ['1970-01-01 (Unix 0)', Date.UTC(1970, 0, 1), true],
  ['1970-01-02', Date.UTC(1970, 0, 2), false],
  ['2017-08-19 21:30', Date.UTC(2017, 7, 19, 21, 30), false],
  ['later today in a zone ahead of UTC', NOW + DAY / 2, false],
  ['next week', NOW + 7 * DAY, true],
];

describe('isPlaceholderTakenAt', () => {
  it.each(CASES)('%s', (_, ms, placeholder) => expect(isPlaceholderTakenAt(ms, NOW)).toBe(placeholder));
});

describe('photoTimeSql', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(() => env.close());

  it('agrees with isPlaceholderTakenAt, and falls back to the upload time when that is no placeholder', async () => {
    const taken = CASES.map(([, ms]) => new Date(ms).toISOString());
    const uploads = [null, '2018-03-04T05:06:07.000Z', '1970-01-01T00:00:00.000Z'];
    const rows = await env.database.sql<{ ms: number | null }[]>`
      select (extract(epoch from ${photoTimeSql(env.database.sql, 'p')}) * 1000)::float8 as ms
      from (select t.taken_at::timestamptz, u.uploaded_at::timestamptz, t.n, u.m
            from unnest(${taken}::text[]) with ordinality as t(taken_at, n)
            cross join unnest(${uploads}::text[]) with ordinality as u(uploaded_at, m)) p
      order by p.n, p.m`;
    const expected = CASES.flatMap(([, ms, placeholder]) =>
      placeholder ? [null, Date.parse(uploads[1]!), null] : [ms, ms, ms],
    );
    expect(rows.map((r) => r.ms)).toEqual(expected);
  });
});
