import type { Queryable } from '@photospots/db';

/**
 * A timestamptz column as ISO-8601 UTC text with milliseconds, formatted by
 * Postgres, so the API does not depend on how the driver maps timestamps.
 */
export function isoTime(sql: Queryable, column: string) {
  return sql`to_char(${sql(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}
