/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL. */
import { loadConfig, sharedEnv } from '@photospots/config';
import { runMigrations } from '@photospots/db';

const config = loadConfig({ DATABASE_URL: sharedEnv.DATABASE_URL });
const started = performance.now();
await runMigrations(config.DATABASE_URL);
console.log(
  `migrations applied to ${new URL(config.DATABASE_URL).host}${new URL(config.DATABASE_URL).pathname} in ${Math.round(performance.now() - started)} ms`,
);
