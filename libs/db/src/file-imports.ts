import type { Queryable } from './client.ts';

/** The ingest_checkpoints job of a file import: one row per file, done once its last batch committed. */
export const FILE_IMPORT_JOB = 'file-import';

/**
 * Whether a file import is running: a checkpoint not yet done that moved within the last `withinMs` (every
 * batch's commit moves it; the file's last commit marks it done, with its photos). An import that stopped or
 * died stops counting once its checkpoint has not moved for that long.
 *
 * A file import writes anywhere in its file's extent, in the file's order: a pause in its writes to an area
 * says nothing about whether more are coming, so processing holds the tiles back while one runs (its
 * dirty-tile repository) and clusters them once.
 */
export async function fileImportRunning(sql: Queryable, withinMs: number): Promise<boolean> {
  const [row] = await sql<{ running: boolean }[]>`
    select exists (
      select from ingest_checkpoints
      where job = ${FILE_IMPORT_JOB} and not done
        and updated_at > clock_timestamp() - make_interval(secs => ${withinMs / 1000})
    ) as running`;
  return row?.running ?? false;
}
