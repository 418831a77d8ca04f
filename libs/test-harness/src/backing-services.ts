import type { AddressInfo } from 'node:net';

/** Where the integration tests find Postgres+PostGIS, Redis and an SQS/S3 API. */
export interface BackingServices {
  /** How they were obtained, printed once per run. */
  kind: 'env' | 'containers' | 'local';
  /** A database on the server the harness may create test databases from. */
  adminDatabaseUrl: string;
  redisUrl: string;
  awsEndpoint: string;
  stop(): Promise<void>;
}

const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

/** Starts fauxqs in this process, listening on the loopback interface only. */
export async function startFauxqsServer(port = 0): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const { buildApp } = await import('fauxqs');
  const app = buildApp({ logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  const address = app.server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${address.port}`, stop: () => app.close() };
}

async function containerRuntimeAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<BackingServices> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const [pg, redis, localstack] = await Promise.all([
    new GenericContainer('postgis/postgis:16-3.4')
      .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start(),
    new GenericContainer('redis:7-alpine').withExposedPorts(6379).withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/)).start(),
    new GenericContainer('localstack/localstack:4')
      .withEnvironment({ SERVICES: 'sqs,s3' })
      .withExposedPorts(4566)
      .withWaitStrategy(Wait.forLogMessage(/Ready\./))
      .start(),
  ]);
  return {
    kind: 'containers',
    adminDatabaseUrl: `postgres://postgres:postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/postgres`,
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
    awsEndpoint: `http://${localstack.getHost()}:${localstack.getMappedPort(4566)}`,
    stop: async () => {
      await Promise.all([pg.stop(), redis.stop(), localstack.stop()]);
    },
  };
}

/**
 * Chooses the backing services: the ones named by DATABASE_URL, REDIS_URL and
 * AWS_ENDPOINT_URL when set; containers when a container runtime is available;
 * otherwise the local Postgres and Redis and an in-process fauxqs.
 */
export async function obtainBackingServices(env: Record<string, string | undefined>): Promise<BackingServices> {
  const named = env.DATABASE_URL || env.REDIS_URL || env.AWS_ENDPOINT_URL;
  if (!named && env.PHOTOSPOTS_TEST_CONTAINERS !== 'false' && (await containerRuntimeAvailable())) {
    return startContainers();
  }
  const fauxqs = env.AWS_ENDPOINT_URL ? undefined : await startFauxqsServer();
  return {
    kind: named ? 'env' : 'local',
    adminDatabaseUrl: env.DATABASE_URL || LOCAL_DATABASE_URL,
    redisUrl: env.REDIS_URL || LOCAL_REDIS_URL,
    awsEndpoint: env.AWS_ENDPOINT_URL || fauxqs!.endpoint,
    stop: async () => {
      await fauxqs?.stop();
    },
  };
}
