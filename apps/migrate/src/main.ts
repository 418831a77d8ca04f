/**
 * The migration job: applies every pending migration to DATABASE_MIGRATION_URL (else DATABASE_URL) and
 * exits 0 (1 on failure). Runs once before the services start (the compose
 * `migrate` service, a one-off task in AWS); safe to run concurrently and
 * repeatedly.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MIGRATIONS_FOLDER, runMigrations } from '@photospots/db';
import { createLogger, failStartup } from '@photospots/service';
import { loadMigrateConfig, type MigrateConfig } from './config.ts';

/** The build copies the migrations beside the bundle; from source they are read in libs/db. */
const BUNDLED_MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url));

let config: MigrateConfig;
try {
  config = loadMigrateConfig();
} catch (err) {
  failStartup(err);
}
const log = createLogger('migrate', config.LOG_LEVEL);
try {
  const folder = existsSync(BUNDLED_MIGRATIONS) ? BUNDLED_MIGRATIONS : MIGRATIONS_FOLDER;
  const started = performance.now();
  const target = config.DATABASE_MIGRATION_URL ?? config.DATABASE_URL;
  await runMigrations(target, folder);
  const url = new URL(target);
  log.info(
    { database: `${url.host}${url.pathname}`, durationMs: Math.round(performance.now() - started) },
    'migrations applied',
  );
  process.exit(0);
} catch (err) {
  failStartup(err, log);
}
