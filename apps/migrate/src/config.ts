import { loadConfig, sharedEnv } from '@photospots/config';

export const migrateEnv = {
  DATABASE_URL: sharedEnv.DATABASE_URL,
  LOG_LEVEL: sharedEnv.LOG_LEVEL,
} as const;

export type MigrateConfig = ReturnType<typeof loadMigrateConfig>;

export function loadMigrateConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(migrateEnv, env);
}
