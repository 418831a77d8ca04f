import type { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import type { NormalisedPhoto, RowError } from '../photos/normalised-photo.ts';
import { isRowError, parseLbsnRecord, REQUIRED_COLUMNS } from './lbsn-row.ts';

export type LbsnItem = { ok: true; line: number; photo: NormalisedPhoto } | { ok: false; error: RowError };

/** Thrown when the file is not an LBSN export at all (wrong header): nothing is imported. */
export class LbsnHeaderError extends Error {
  readonly code = 'INVALID_HEADER';
}

/**
 * Streams an LBSN CSV: one item per data row, valid or not. Rows with broken
 * quoting or the wrong number of columns are reported and skipped; the stream
 * never aborts because of one bad row.
 */
export async function* readLbsnCsv(input: Readable): AsyncGenerator<LbsnItem> {
  const skipped: RowError[] = [];
  let header: string[] | undefined;
  const parser = input.pipe(
    parse({
      bom: true,
      columns: (names: string[]) => {
        header = names.map((n) => n.trim());
        const missing = REQUIRED_COLUMNS.filter((c) => !header!.includes(c));
        if (missing.length > 0) throw new LbsnHeaderError(`not an LBSN export: missing column(s) ${missing.join(', ')}`);
        return header;
      },
      info: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: 1_000_000,
    }),
  );
  parser.on('skip', (err: CsvError & { lines?: number }) => {
    const code = err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' || err.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' ? 'COLUMN_COUNT' : 'CSV_SYNTAX';
    skipped.push({ line: err.lines ?? 0, code, message: err.message });
  });
  input.on('error', (err) => parser.destroy(err));
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    while (skipped.length > 0) yield { ok: false, error: skipped.shift()! };
    const result = parseLbsnRecord(record, info.lines);
    yield isRowError(result) ? { ok: false, error: result } : { ok: true, line: info.lines, photo: result };
  }
  while (skipped.length > 0) yield { ok: false, error: skipped.shift()! };
}
