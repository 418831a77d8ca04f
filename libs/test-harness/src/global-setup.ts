import { randomBytes } from 'node:crypto';
import { runMigrations } from '@photospots/db';
import postgres from 'postgres';
import { obtainBackingServices } from './backing-services.ts';
import { HARNESS_ENV, POOLER_SWITCH } from './harness-env.ts';
import { startPgBouncer, type PgBouncer } from './pgbouncer.ts';

/** Postgres NOTICEs ("extension already exists") are not worth a log line. */
const ignoreNotice = (): void => undefined;

/**
 * Vitest global setup: obtains the backing services once per run, migrates a
 * template database every test file clones, and hands the addresses to the
 * test workers through environment variables. With PHOTOSPOTS_TEST_POOLER=pgbouncer the test databases are
 * reached through PgBouncer in transaction mode (the template is made and cloned directly, since a pooler
 * keeps server connections open to whatever it served).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const services = await obtainBackingServices(process.env);
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const template = `photospots_tpl_${runId}`;
  const admin = postgres(services.adminDatabaseUrl, { max: 1, onnotice: ignoreNotice });
  await admin.unsafe(`create database ${template}`);
  const templateUrl = new URL(services.adminDatabaseUrl);
  templateUrl.pathname = `/${template}`;
  await runMigrations(templateUrl.toString());
  const pooler = await startPooler(services.adminDatabaseUrl);

  process.env[HARNESS_ENV.adminDatabaseUrl] = services.adminDatabaseUrl;
  process.env[HARNESS_ENV.templateDatabase] = template;
  process.env[HARNESS_ENV.redisUrl] = services.redisUrl;
  process.env[HARNESS_ENV.awsEndpoint] = services.awsEndpoint;
  process.env[HARNESS_ENV.runId] = runId;
  process.env[HARNESS_ENV.servicesKind] = services.kind;
  if (pooler) process.env[HARNESS_ENV.poolerUrl] = pooler.urlFor(services.adminDatabaseUrl);
  console.log(
    `[test-harness] using ${services.kind} services: postgres ${new URL(services.adminDatabaseUrl).host}${pooler ? ` through PgBouncer (transaction mode) at ${new URL(pooler.urlFor(services.adminDatabaseUrl)).host}` : ''}, redis ${new URL(services.redisUrl).host}, sqs/s3 ${services.awsEndpoint}`,
  );

  return async () => {
    // Drop the template and any database a crashed test file left behind.
    const leftovers = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`photospots_%${runId}%`}`;
    for (const { datname } of leftovers) {
      await admin.unsafe(`drop database if exists ${datname} with (force)`);
    }
    await admin.end({ timeout: 5 });
    await pooler?.stop();
    await services.stop();
  };
}

async function startPooler(adminUrl: string): Promise<PgBouncer | undefined> {
  const wanted = process.env[POOLER_SWITCH];
  if (!wanted) return undefined;
  if (wanted !== 'pgbouncer')
    throw new Error(`${POOLER_SWITCH}=${wanted}: the one pooler the harness starts is pgbouncer`);
  return startPgBouncer(adminUrl);
}
