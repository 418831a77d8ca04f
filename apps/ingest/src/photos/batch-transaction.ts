import type { Sql, TransactionSql } from '@photospots/db';
import pTimeout from 'p-timeout';

/** A batch that did not commit within its deadline; the import or harvest fails and resumes from its checkpoint. */
export class BatchTimeoutError extends Error {
  readonly code = 'BATCH_TIMEOUT';
  constructor(batch: string, ms: number) {
    super(`${batch} did not commit within ${ms} ms; the work resumes from its last checkpoint`);
  }
}

/**
 * Runs one batch's transaction with a deadline. `work` gets the deadline's signal for its COPY (which the
 * signal ends, so the server aborts it); a batch still not committed at the deadline (a reply lost on a dead
 * connection) rejects with BatchTimeoutError, and the server's own timeouts end what it left behind.
 */
export async function batchTransaction<T>(
  sql: Sql,
  timeoutMs: number,
  batch: string,
  work: (tx: TransactionSql, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const signal = AbortSignal.timeout(timeoutMs);
  const transaction = sql.begin((tx) => work(tx, signal)) as Promise<T>;
  return pTimeout(transaction, { milliseconds: timeoutMs, message: new BatchTimeoutError(batch, timeoutMs) });
}
