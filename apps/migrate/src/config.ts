import { loadConfig, sharedEnv, z } from '@photospots/config';

export const migrateEnv = {
  DATABASE_URL: sharedEnv.DATABASE_URL,
  DATABASE_MIGRATION_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional()
    .describe(
      "The connection migrations run through when DATABASE_URL is a transaction pooler's (Supabase: the direct or session connection, port 5432); unset: DATABASE_URL.",
    ),
  LOG_LEVEL: sharedEnv.LOG_LEVEL,
} as const;

export type MigrateConfig = ReturnType<typeof loadMigrateConfig>;

export function loadMigrateConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(migrateEnv, env);
}
