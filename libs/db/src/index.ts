export * as schema from './schema.ts';
export { photos, hotspots, hotspotPhotos, users, favorites, ingestCheckpoints, dirtyTiles, outbox } from './schema.ts';
export {
  createDatabase,
  openDatabase,
  poolOptions,
  type Database,
  type DatabaseOptions,
  type Sql,
  type TransactionSql,
  type Queryable,
} from './client.ts';
export { runMigrations, MIGRATIONS_FOLDER } from './migrate.ts';
export { ensureLeaseTable, withLease, LeaseHeldError, LeaseLostError, type LeaseOptions } from './leases.ts';
export { enqueueOutbox, enqueueOutboxMany, drainOutbox, countOutbox, type OutboxRow } from './outbox.ts';
export { lockTiles, tryLockTiles, tilesLockedByOthers, type TilesHeld } from './locks.ts';
export { markTilesDirty } from './dirty-tiles.ts';
export { FILE_IMPORT_JOB, fileImportRunning } from './file-imports.ts';
export { isPlaceholderTakenAt, photoTimeSql } from './photo-time.ts';
export { USER_DAYS_CAP } from './score-basis.ts';
