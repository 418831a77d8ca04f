import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Sql, TransactionSql } from '@photospots/db';
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

const JOB = 'file-import';

async function loadCheckpoint(sql: Sql, key: string): Promise<{ done: boolean; state: CheckpointState } | undefined> {
  const [row] = await sql<{ done: boolean; state: CheckpointState }[]>`
    select done, state from ingest_checkpoints where job = ${JOB} and key = ${key}`;
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
    values (${JOB}, ${key}, ${done}, ${JSON.stringify(state)}::jsonb, now())
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

  const commit = async (prepared: PreparedBatch) => {
    const line = lastLine;
    // What was read up to this batch's last line: the parser reads on while the batch is written, and the
    // checkpoint must not count rows a resumed run would read again.
    const read = {
      rowsRead: counters.rowsRead,
      rowsRejected: counters.rowsRejected,
      errorsByCode: { ...errorsByCode },
    };
    await batchTransaction(deps.sql, deps.batchTimeoutMs, `the batch ending at line ${line}`, async (tx, signal) => {
      const batchId = `${correlationId}:${counters.batches + 1}`;
      const result = await storePhotoBatch(tx, deps.publisher, {
        photos: prepared,
        source: 'lbsn',
        batchId,
        correlationId,
        signal,
        bulk: true,
      });
      counters.inserted += result.inserted;
      counters.updated += result.updated;
      counters.unchanged += prepared.photos.length - result.inserted - result.updated;
      counters.batches++;
      if (result.announced) counters.messagesQueued++;
      await saveCheckpoint(
        tx,
        location,
        {
          fingerprint: file.fingerprint,
          line,
          counters: { ...counters, rowsRead: read.rowsRead, rowsRejected: read.rowsRejected },
          errorsByCode: read.errorsByCode,
        },
        false,
      );
    });
    deps.log.debug({ location, line, batches: counters.batches }, 'batch committed');
    deps.afterCommit?.();
    deps.onProgress?.(counters);
  };

  // One batch is written while the next is read, validated and prepared (Node's CPU; writing is Postgres'): at most
  // one commit in flight, so batches and their checkpoints still commit in file order. A stop request is honoured
  // before the next commit starts; rows read past the last commit are read again by the resumed run.
  let writing: Promise<void> = Promise.resolve();
  const startCommit = (prepared: PreparedBatch) => {
    writing = commit(prepared);
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
          const prepared = prepareBatch(batch, method);
          batch = [];
          await writing;
          throwIfStopping(deps.signal);
          startCommit(prepared);
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
  if (batch.length > 0) await commit(prepareBatch(batch, method));
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
