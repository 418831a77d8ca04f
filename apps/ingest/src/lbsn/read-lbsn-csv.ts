import type { Readable } from 'node:stream';
import type { NormalisedPhoto, RowError } from '../photos/normalised-photo.ts';
import { csvRecords } from './csv-records.ts';
import { isRowError, LBSN_COLUMNS, parseLbsnRecord, REQUIRED_COLUMNS } from './lbsn-row.ts';

export type LbsnItem = { ok: true; line: number; photo: NormalisedPhoto } | { ok: false; error: RowError };

/** Thrown when the file is not an LBSN export at all (wrong header): nothing is imported. */
export class LbsnHeaderError extends Error {
  readonly code = 'INVALID_HEADER';
}

type Column = (typeof LBSN_COLUMNS)[number];

/** Reads the header: where each LBSN column is (-1 if absent); a name given twice means its last column. */
function columnsOf(header: string[]): Record<Column, number> {
  const names = header.map((n) => n.trim());
  const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) throw new LbsnHeaderError(`not an LBSN export: missing column(s) ${missing.join(', ')}`);
  return Object.fromEntries(LBSN_COLUMNS.map((c) => [c, names.lastIndexOf(c)])) as Record<Column, number>;
}

/** A row's fields by LBSN column name (one object shape for every row; other columns are not read). */
function recordOf(f: string[], c: Record<Column, number>): Record<Column, string | undefined> {
  return {
    origin_id: f[c.origin_id],
    lat: f[c.lat],
    lng: f[c.lng],
    guid: f[c.guid],
    user_guid: f[c.user_guid],
    post_create_date: f[c.post_create_date],
    post_publish_date: f[c.post_publish_date],
    post_body: f[c.post_body],
    hashtags: f[c.hashtags],
    emoji: f[c.emoji],
    post_views_count: f[c.post_views_count],
    post_like_count: f[c.post_like_count],
    loc_id: f[c.loc_id],
    loc_name: f[c.loc_name],
  };
}

/**
 * Streams an LBSN CSV: one item per data row, valid or not. Rows with broken
 * quoting or the wrong number of columns are reported and skipped; the stream
 * never aborts because of one bad row.
 */
export async function* readLbsnCsv(input: Readable): AsyncGenerator<LbsnItem> {
  let columns: Record<Column, number> | undefined;
  let width = 0;
  for await (const items of csvRecords(input)) {
    for (const item of items) {
      if (!item.ok) {
        if (columns === undefined)
          throw new LbsnHeaderError(`not an LBSN export: the header cannot be read (${item.message})`);
        yield { ok: false, error: { line: item.line, code: 'CSV_SYNTAX', message: item.message } };
        continue;
      }
      if (columns === undefined) {
        columns = columnsOf(item.fields);
        width = item.fields.length;
        continue;
      }
      if (item.fields.length !== width) {
        yield {
          ok: false,
          error: {
            line: item.line,
            code: 'COLUMN_COUNT',
            message: `the header has ${width} columns, this row ${item.fields.length}`,
          },
        };
        continue;
      }
      const result = parseLbsnRecord(recordOf(item.fields, columns), item.line);
      yield isRowError(result) ? { ok: false, error: result } : { ok: true, line: item.line, photo: result };
    }
  }
}
