import { createHash } from 'node:crypto';
import type { Sql } from '@photospots/db';

/** Namespace (first key) of the harvest advisory locks. */
const HARVEST_LOCK_NAMESPACE = 4_712;

/** Another process is running the same harvest right now. */
export class HarvestInProgressError extends Error {
  readonly code = 'HARVEST_IN_PROGRESS';
}

/**
 * Runs `task` holding a session advisory lock on the harvest key, so two
 * processes never work the same harvest at once (a duplicate request waits
 * for nothing and fails fast). The lock dies with the connection, so a killed
 * process never leaves it behind.
 */
export async function withHarvestLock<T>(sql: Sql, harvestKey: string, task: () => Promise<T>): Promise<T> {
  const id = createHash('sha256').update(harvestKey).digest().readInt32BE(0);
  const connection = await sql.reserve();
  try {
    const [row] = await connection<
      { locked: boolean }[]
    >`select pg_try_advisory_lock(${HARVEST_LOCK_NAMESPACE}, ${id}) as locked`;
    if (!row?.locked) throw new HarvestInProgressError('this harvest is already running in another process');
    try {
      return await task();
    } finally {
      await connection`select pg_advisory_unlock(${HARVEST_LOCK_NAMESPACE}, ${id})`.catch(() => undefined);
    }
  } finally {
    connection.release();
  }
}
