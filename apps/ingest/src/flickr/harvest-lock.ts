import { LeaseHeldError, withLease, type Sql } from '@photospots/db';

/** Another process is running the same harvest right now. */
export class HarvestInProgressError extends Error {
  readonly code = 'HARVEST_IN_PROGRESS';
}

/** A harvest's lease lasts this long unless its holder renews it (every third of it). */
export const HARVEST_LEASE_SECONDS = 20;

/**
 * Runs `task` holding the harvest's lease, so two processes never work the same harvest at once (a duplicate
 * request waits for nothing and fails fast). A lease row, not a session lock, so that it holds through a
 * transaction pooler; a killed process leaves it until it expires (20 s), long before its message comes
 * back. `waitSeconds` waits for it instead of failing at once (the CLI run again after a killed one). The
 * task's signal aborts if the lease is lost.
 */
export async function withHarvestLock<T>(
  sql: Sql,
  harvestKey: string,
  { waitSeconds = 0 }: { waitSeconds?: number },
  task: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  try {
    return await withLease(
      sql,
      `harvest:${harvestKey}`,
      { ttlSeconds: HARVEST_LEASE_SECONDS, waitSeconds, label: 'ingest' },
      task,
    );
  } catch (err) {
    if (err instanceof LeaseHeldError)
      throw new HarvestInProgressError(`this harvest is already running (${err.holder})`);
    throw err;
  }
}
