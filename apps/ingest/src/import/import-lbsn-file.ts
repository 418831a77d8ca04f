import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { FILE_IMPORT_JOB, type Sql, type TransactionSql } from '@photospots/db';
import { throwIfStopping, type MessagePublisher } from '@photospots/queue';
import type { Logger } from '@photospots/service';
import { readLbsnCsv } from '../lbsn/read-lbsn-csv.ts';
import type { NormalisedPhoto, RowError, RowErrorCode } from '../photos/normalised-photo.ts';
import { prepareBatch, stagingMethodOf, type PreparedBatch } from '../photos/photo-store.ts';
import { batchTransaction } from '../photos/batch-transaction.ts';
import { storePhotoBatch } from '../photos/store-photo-batch.ts';
import { locateFile } from './open-location.ts';

/** At most this many row errors are kept in a report (all are counted). */
const MAX_REPORTED_ERRORS = 100;

export interface ImportCounters {
  rowsRead: number;
  rowsRejected: number;
  inserted: number;
  updated: number;
  unchanged: number;
  batches: number;
  messagesQueued: number;
}

export interface ImportReport extends ImportCounters {
  location: string;
  errorsByCode: Partial<Record<RowErrorCode, number>>;
  /** The first rejected rows, with line numbers. */
  errors: RowError[];
  /** Line after which a previous, interrupted run of the same file was resumed (0 = from the start). */
  resumedAfterLine: number;
  durationMs: number;
}

export interface ImportDeps {
  sql: Sql;
  publisher: MessagePublisher;
  log: Logger;
  s3?: S3Client | undefined;
  batchSize: number;
  /**
   * A batch that has not committed after this long is given up (its COPY ended, the import failed, to be
   * resumed from the checkpoint): a reply lost on a dead connection costs a retry, not a hang.
   */
  batchTimeoutMs: number;
  /** Called after every committed batch. */
  onProgress?: (counters: Readonly<ImportCounters>) => void;
  /** Called after every commit so the outbox is relayed while the import goes on. */
  afterCommit?: () => void;
  /** Stops the import after the batch being written (the next run resumes after it). */
  signal?: AbortSignal;
}

interface CheckpointState {
  fingerprint: string;
  line: number;
  counters: ImportCounters;
  errorsByCode: Partial<Record<RowErrorCode, number>>;
}

async function loadCheckpoint(sql: Sql, key: string): Promise<{ done: boolean; state: CheckpointState } | undefined> {
  const [row] = await sql<{ done: boolean; state: CheckpointState }[]>`
    select done, state from ingest_checkpoints where job = ${FILE_IMPORT_JOB} and key = ${key}`;
  return row;
}

async function saveCheckpoint(
  tx: TransactionSql | Sql,
  key: string,
  state: CheckpointState,
  done: boolean,
): Promise<void> {
  await tx`
    insert into ingest_checkpoints (job, key, done, state, updated_at)
    values (${FILE_IMPORT_JOB}, ${key}, ${done}, ${JSON.stringify(state)}::jsonb, now())
    on conflict (job, key) do update set done = excluded.done, state = excluded.state, updated_at = now()`;
}

const emptyCounters = (): ImportCounters => ({
  rowsRead: 0,
  rowsRejected: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
  batches: 0,
  messagesQueued: 0,
});

/**
 * Imports an LBSN CSV: streams and validates every row, upserts valid photos
 * in batches (one transaction each, with its photos.ingested message in the
 * outbox and a checkpoint), and reports rejected rows by line. An interrupted
 * import of an unchanged file resumes after the last committed batch.
 */
export async function importLbsnFile(
  location: string,
  deps: ImportDeps,
  correlationId: string = randomUUID(),
): Promise<ImportReport> {
  const started = performance.now();
  const file = await locateFile(location, deps.s3);
  const previous = await loadCheckpoint(deps.sql, location);
  const resume =
    previous && !previous.done && previous.state.fingerprint === file.fingerprint ? previous.state : undefined;
  const counters = resume ? { ...resume.counters } : emptyCounters();
  const errorsByCode: Partial<Record<RowErrorCode, number>> = resume ? { ...resume.errorsByCode } : {};
  const resumedAfterLine = resume?.line ?? 0;
  const errors: RowError[] = [];
  if (resume) deps.log.info({ location, afterLine: resumedAfterLine }, 'resuming an interrupted import');

  let batch: NormalisedPhoto[] = [];
  let lastLine = resumedAfterLine;
  const method = await stagingMethodOf(deps.sql);

  /** A batch cut from the file, with what had been read when it was cut: its checkpoint. */
  interface CutBatch {
    prepared: PreparedBatch;
    line: number;
    rowsRead: number;
    rowsRejected: number;
    errorsByCode: Partial<Record<RowErrorCode, number>>;
  }
  // What was read up to the batch's last line: the parser reads on while earlier batches are written, and the
  // checkpoint must not count rows a resumed run would read again.
  const cut = (photos: NormalisedPhoto[]): CutBatch => ({
    prepared: prepareBatch(photos, method),
    line: lastLine,
    rowsRead: counters.rowsRead,
    rowsRejected: counters.rowsRejected,
    errorsByCode: { ...errorsByCode },
  });

  /** Commits a batch and its checkpoint; the file's last commit marks the import done in the same transaction. */
  const commit = async (b: CutBatch, done: boolean) => {
    await batchTransaction(deps.sql, deps.batchTimeoutMs, `the batch ending at line ${b.line}`, async (tx, signal) => {
      const batchId = `${correlationId}:${counters.batches + 1}`;
      const result = await storePhotoBatch(tx, deps.publisher, {
        photos: b.prepared,
        source: 'lbsn',
        batchId,
        correlationId,
        signal,
        bulk: true,
      });
      counters.inserted += result.inserted;
      counters.updated += result.updated;
      counters.unchanged += b.prepared.photos.length - result.inserted - result.updated;
      counters.batches++;
      if (result.announced) counters.messagesQueued++;
      await saveCheckpoint(
        tx,
        location,
        {
          fingerprint: file.fingerprint,
          line: b.line,
          counters: { ...counters, rowsRead: b.rowsRead, rowsRejected: b.rowsRejected },
          errorsByCode: b.errorsByCode,
        },
        done,
      );
    });
    deps.log.debug({ location, line: b.line, batches: counters.batches }, 'batch committed');
    deps.afterCommit?.();
    deps.onProgress?.(counters);
  };

  // One batch is written while the next is read, validated and prepared (Node's CPU; writing is Postgres'): at most
  // one commit in flight, so batches and their checkpoints still commit in file order. A full batch is held until
  // the next one is cut, so that the file's last batch, whichever it is, commits the import's end with its photos:
  // processing, woken by that commit, sees the import finished (a running import holds its tiles back, see
  // fileImportRunning). A stop request is honoured before the next commit starts; rows read past the last commit
  // are read again by the resumed run.
  let writing: Promise<void> = Promise.resolve();
  let held: CutBatch | undefined;
  const startCommit = (b: CutBatch) => {
    writing = commit(b, false);
    writing.catch(() => undefined); // awaited before the next commit; not an unhandled rejection meanwhile
  };
  try {
    for await (const item of readLbsnCsv(await file.open())) {
      const line = item.ok ? item.line : item.error.line;
      if (line <= resumedAfterLine) continue;
      counters.rowsRead++;
      if (item.ok) {
        batch.push(item.photo);
        lastLine = line;
        if (batch.length >= deps.batchSize) {
          // The batch's text is built before waiting for the commit in flight (Node works while Postgres does).
          const next = cut(batch);
          batch = [];
          await writing;
          throwIfStopping(deps.signal);
          if (held) startCommit(held);
          held = next;
        }
      } else {
        counters.rowsRejected++;
        errorsByCode[item.error.code] = (errorsByCode[item.error.code] ?? 0) + 1;
        if (errors.length < MAX_REPORTED_ERRORS) errors.push(item.error);
        lastLine = Math.max(lastLine, line);
      }
    }
  } finally {
    // Whatever ended the loop, no transaction is left running when this returns or throws.
    await writing.catch(() => undefined);
  }
  await writing;
  if (batch.length > 0) {
    if (held) await commit(held, false);
    held = cut(batch);
  }
  // The last commit checkpoints the whole file: its last line, and every row read and rejected.
  const end = { line: lastLine, rowsRead: counters.rowsRead, rowsRejected: counters.rowsRejected, errorsByCode };
  if (held) await commit({ ...held, ...end }, true);
  else
    await saveCheckpoint(
      deps.sql,
      location,
      { fingerprint: file.fingerprint, line: lastLine, counters, errorsByCode },
      true,
    );

  const report: ImportReport = {
    location,
    ...counters,
    errorsByCode,
    // The CSV parser reports broken records as soon as it sees them, so order by line.
    errors: errors.sort((a, b) => a.line - b.line),
    resumedAfterLine,
    durationMs: Math.round(performance.now() - started),
  };
  deps.log.info(
    {
      location,
      rowsRead: report.rowsRead,
      rejected: report.rowsRejected,
      inserted: report.inserted,
      updated: report.updated,
      unchanged: report.unchanged,
      durationMs: report.durationMs,
    },
    'import finished',
  );
  return report;
}
