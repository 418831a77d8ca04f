/** Environment variables through which global setup tells test workers where services are. */
export const HARNESS_ENV = {
  adminDatabaseUrl: 'PHOTOSPOTS_TEST_ADMIN_DATABASE_URL',
  templateDatabase: 'PHOTOSPOTS_TEST_TEMPLATE_DATABASE',
  redisUrl: 'PHOTOSPOTS_TEST_REDIS_URL',
  awsEndpoint: 'PHOTOSPOTS_TEST_AWS_ENDPOINT',
  runId: 'PHOTOSPOTS_TEST_RUN_ID',
  /** How the run's services were obtained: env, containers or local. */
  servicesKind: 'PHOTOSPOTS_TEST_SERVICES_KIND',
  /** The admin server's URL through PgBouncer in transaction mode, when the run goes through it. */
  poolerUrl: 'PHOTOSPOTS_TEST_POOLER_URL',
} as const;

/** Set to `pgbouncer` to run the services and tests through PgBouncer in transaction mode. */
export const POOLER_SWITCH = 'PHOTOSPOTS_TEST_POOLER';

/** The pooler URL when this run goes through one (optional, unlike the other values). */
export function harnessPoolerUrl(): string | undefined {
  return process.env[HARNESS_ENV.poolerUrl] || undefined;
}

export function harnessValue(key: keyof typeof HARNESS_ENV): string {
  const value = process.env[HARNESS_ENV[key]];
  if (!value)
    throw new Error(`${HARNESS_ENV[key]} is not set: run tests through vitest with the root config (npm test)`);
  return value;
}
