import {
  listeningPort,
  pipelineState,
  startFaultProxy,
  startService,
  waitFor,
  waitForHttpOk,
  type FaultProxy,
  type ServiceProcess,
  type TestEnv,
} from '@photospots/test-harness';

export type App = 'ingest' | 'processing' | 'scoring' | 'query-api';

/** Secrets the stack's services are given; they must never appear in any log line. */
export const STACK_SECRETS = {
  databasePassword: 'S3cr3t-db-pw-never-logged',
  flickrKey: 'flickr-key-never-logged-0123456789',
  jwtSecret: 'jwt-shared-secret-never-logged-0123456789',
};

/** The database role the stack's services log in as. */
const STACK_ROLE = 'photospots_stack';

export interface LocalStack {
  /** The query API's address (it changes when the query API is started again). */
  readonly api: string;
  proxies: { postgres: FaultProxy; redis: FaultProxy; sqs: FaultProxy };
  env: Record<string, string>;
  services: Map<App, ServiceProcess>;
  healthUrl(app: App): string;
  /** (Re)starts one service process with the stack's environment. */
  start(app: App): Promise<ServiceProcess>;
  stopAll(): Promise<(number | string)[]>;
}

/**
 * The four services as processes, reaching Postgres, Redis and the SQS
 * endpoint through fault proxies a test can cut and restore. Each binds port 0
 * and the stack reads the port it got from its log (so it runs at LOG_LEVEL
 * info or lower): ports picked in advance can be taken by another process
 * before the service binds them.
 */
export async function startLocalStack(env: TestEnv, extra: Record<string, string> = {}): Promise<LocalStack> {
  const pg = new URL(env.databaseUrl);
  const redis = new URL(env.redisUrl);
  const sqs = new URL(env.awsEndpoint);
  const proxies = {
    postgres: await startFaultProxy(pg.hostname, Number(pg.port || 5432)),
    redis: await startFaultProxy(redis.hostname, Number(redis.port || 6379)),
    sqs: await startFaultProxy(sqs.hostname, Number(sqs.port)),
  };
  const ports = new Map<App, number>();
  // The services log in as a role whose password is the secret, which no log line may show. The role is the
  // cluster's, made once and kept; its password is checked wherever the server asks for one (containers).
  await env.database.sql.unsafe(
    `do $$ begin create role ${STACK_ROLE} login superuser; exception when duplicate_object then null; end $$`,
  );
  await env.database.sql.unsafe(`alter role ${STACK_ROLE} password '${STACK_SECRETS.databasePassword}'`);
  const databaseUrl = new URL(proxies.postgres.url(env.databaseUrl));
  databaseUrl.username = STACK_ROLE;
  databaseUrl.password = STACK_SECRETS.databasePassword;
  const base = env.serviceEnv({
    DATABASE_URL: databaseUrl.toString(),
    FLICKR_API_KEY: STACK_SECRETS.flickrKey,
    AUTH_JWT_SECRET: STACK_SECRETS.jwtSecret,
    AUTH_JWT_ISSUER: 'https://stack.supabase.co/auth/v1',
    REDIS_URL: proxies.redis.url(env.redisUrl),
    AWS_ENDPOINT_URL: `http://127.0.0.1:${proxies.sqs.port}`,
    LOG_LEVEL: 'info',
    SQS_WAIT_TIME_SECONDS: '1',
    RESCORE_INTERVAL_MINUTES: '0',
    REDIS_SYNC_CHECK_SECONDS: '1',
    ...extra,
  });
  const services = new Map<App, ServiceProcess>();
  const envFor = (app: App) => (app === 'query-api' ? { ...base, PORT: '0' } : { ...base, HEALTH_PORT: '0' });
  const healthUrl = (app: App) => `http://127.0.0.1:${ports.get(app)}`;
  const start = async (app: App) => {
    const svc = startService(app, envFor(app));
    services.set(app, svc);
    ports.set(app, await listeningPort(svc));
    await waitForHttpOk(`${healthUrl(app)}/readyz`, 60_000).catch(async (err: unknown) => {
      await svc.stop('SIGKILL');
      throw new Error(`${app} did not become ready: ${(err as Error).message}\n${svc.output().slice(-2000)}`);
    });
    return svc;
  };
  for (const app of ['ingest', 'processing', 'scoring', 'query-api'] as const) await start(app);
  return {
    get api() {
      return healthUrl('query-api');
    },
    proxies,
    env: base,
    services,
    healthUrl,
    start,
    stopAll: async () => {
      const codes = await Promise.all([...services.values()].map((s) => s.stop('SIGTERM')));
      await Promise.all(Object.values(proxies).map((p) => p.close()));
      return codes;
    },
  };
}

/** Waits until nothing is dirty, queued, unsent or unscored, with `photos` photos stored. */
export async function settled(env: TestEnv, photos: number, timeoutMs = 150_000) {
  let last: unknown;
  return waitFor(
    async () => {
      const s = await pipelineState(env.database.sql, env.sqs, Object.values(env.queues.url));
      last = s;
      return s.settled && s.photos === photos ? s : undefined;
    },
    { timeoutMs, intervalMs: 500, message: `the pipeline to settle with ${photos} photos` },
  ).catch(async (err: unknown) => {
    // Where it stood (photos stored, dirty tiles, outbox, queue depths) and what each database session was doing.
    const sessions = await databaseSessions(env).catch((e: unknown) => `unavailable: ${(e as Error).message}`);
    throw new Error(
      `${(err as Error).message}; last state ${JSON.stringify(last)}; sessions ${JSON.stringify(sessions)}`,
    );
  });
}

/** The test database's sessions: who is in a transaction, waiting on what, running which statement. */
export async function databaseSessions(env: TestEnv) {
  return env.database.sql`
    select pid, application_name as app, state, wait_event_type as wait_type, wait_event as wait,
           (now() - xact_start)::text as xact_age, (now() - state_change)::text as state_age,
           pg_blocking_pids(pid) as blocked_by, left(query, 160) as query
    from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid()
    order by xact_start nulls last`;
}

/** Consistency of the stored result: every photo at most once in a hotspot, and counts that add up. */
export async function reconcile(env: TestEnv) {
  const [row] = await env.database.sql<
    {
      photos: number;
      distinct_sources: number;
      memberships: number;
      distinct_members: number;
      count_mismatches: number;
      orphan_memberships: number;
    }[]
  >`
    select (select count(*) from photos)::int as photos,
           (select count(distinct (source, source_id)) from photos)::int as distinct_sources,
           (select count(*) from hotspot_photos)::int as memberships,
           (select count(distinct photo_id) from hotspot_photos)::int as distinct_members,
           (select count(*) from hotspots h where h.status = 'active'
              and h.photo_count <> (select count(*) from hotspot_photos hp where hp.hotspot_id = h.id))::int as count_mismatches,
           (select count(*) from hotspot_photos hp join hotspots h on h.id = hp.hotspot_id where h.status <> 'active')::int as orphan_memberships`;
  return row!;
}
