/** `npm run db:migrate`: applies the committed migrations to DATABASE_MIGRATION_URL, else DATABASE_URL. */
import { loadConfig } from '@photospots/config';
import { runMigrations } from '@photospots/db';
import { migrateEnv } from '@photospots/migrate/config';

const config = loadConfig(migrateEnv);
const target = new URL(config.DATABASE_MIGRATION_URL ?? config.DATABASE_URL);
const started = performance.now();
await runMigrations(target.toString());
console.log(`migrations applied to ${target.host}${target.pathname} in ${Math.round(performance.now() - started)} ms`);
