import type { PendingQuery, Row } from 'postgres';
import type { Queryable } from './client.ts';

const DAY_MS = 86_400_000;

/**
 * Taken dates before this are placeholders, not the time a photo was taken: software fills an unknown date
 * with 1900-01-01 (Excel, NTP), 1901-01-01 or 1901-12-13 (the smallest 32-bit Unix time), 0001-01-01 (.NET).
 * Consumer photography began with the Kodak Brownie in 1900, so a genuine date this old is rare, and a scan
 * of such a photo says nothing about when people come to a place today.
 */
export const EARLIEST_TAKEN_AT = Date.UTC(1902, 0, 1);

/** Unix time 0 (a camera or exporter with no date), as the calendar day it shows in any time zone. */
const EPOCH_DAY_FROM = Date.UTC(1969, 11, 31);
const EPOCH_DAY_TO = Date.UTC(1970, 0, 2);

/**
 * True when a taken date (epoch ms, wall clock kept as UTC) is a placeholder for "unknown": before
 * EARLIEST_TAKEN_AT, on the day of Unix time 0, or more than a day in the future (a camera clock set
 * wrong; a day covers every time zone). The one definition of the rule; photoTimeSql is its SQL form.
 */
export function isPlaceholderTakenAt(ms: number, now = Date.now()): boolean {
  return ms < EARLIEST_TAKEN_AT || (ms >= EPOCH_DAY_FROM && ms < EPOCH_DAY_TO) || ms > now + DAY_MS;
}

/** SQL: true when the timestamp column is known and no placeholder (isPlaceholderTakenAt). */
function plausibleSql(sql: Queryable, column: PendingQuery<Row[]>) {
  const at = (ms: number) => sql`${new Date(ms).toISOString()}::timestamptz`;
  return sql`(${column} >= ${at(EARLIEST_TAKEN_AT)}
    and not (${column} >= ${at(EPOCH_DAY_FROM)} and ${column} < ${at(EPOCH_DAY_TO)})
    and ${column} <= now() + interval '1 day')`;
}

/**
 * When a photo was taken as far as we know, in SQL: `alias.taken_at`, else the upload time, each only when
 * it is no placeholder (isPlaceholderTakenAt); null when neither is known. Rows stored before the import
 * recognised placeholders still hold some: this keeps them out of histograms, first and last dates and recency.
 */
export function photoTimeSql(sql: Queryable, alias: string) {
  const taken = sql`${sql(alias)}.taken_at`;
  const uploaded = sql`${sql(alias)}.uploaded_at`;
  return sql`case when ${plausibleSql(sql, taken)} then ${taken}
    when ${plausibleSql(sql, uploaded)} then ${uploaded} end`;
}
