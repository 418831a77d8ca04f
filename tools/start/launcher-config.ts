/**
 * What `npm start` reads from the environment. The services' own variables
 * pass through to them unchanged; the launcher only needs to know which
 * backing services were named (DATABASE_URL, AWS_ENDPOINT_URL, REDIS_URL) and
 * the queue and bucket names to create.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, queueEnv, redisEnv, sharedEnv, storageEnv, z } from '@photospots/config';

/** The repository root: services, data and .data/ are found from here. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const launcherEnv = {
  ...sharedEnv,
  // Unset means "embed one", so no default here (the services' default points at a local server).
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  ...queueEnv,
  ...storageEnv,
  ...redisEnv,
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
};

export interface LauncherConfig {
  env: ReturnType<typeof loadConfig<typeof launcherEnv>>;
  /** True when PORT was given (then a busy port is an error, not a reason to pick another). */
  portGiven: boolean;
  /** The git-ignored folder holding the embedded database, saved messages and logs. */
  dataDir: string;
  /** The sample imported on first run. */
  sampleCsv: string;
}

export function loadLauncherConfig(env: Record<string, string | undefined> = process.env): LauncherConfig {
  return {
    env: loadConfig(launcherEnv, env),
    portGiven: Boolean(env.PORT),
    dataDir: path.join(REPO_ROOT, '.data'),
    sampleCsv: path.join(REPO_ROOT, 'data', 'flickr-dresden-cc-by.csv'),
  };
}
