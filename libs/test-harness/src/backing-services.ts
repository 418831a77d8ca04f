import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

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
/** The bucket the services default to (THUMBNAIL_BUCKET); tests that store objects use it. */
const TEST_BUCKET = 'photospots-thumbnails';
/** docker-compose's LocalStack init script: the LocalStack container runs it too, so both stacks start alike. */
const LOCALSTACK_INIT_SCRIPT = fileURLToPath(new URL('../../../docker/localstack/init-aws.sh', import.meta.url));

/** Creates the test bucket on an SQS/S3 endpoint the harness started (idempotent). */
async function ensureBucket(endpoint: string): Promise<void> {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: TEST_BUCKET }));
  } catch (err) {
    const name = (err as Error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
  } finally {
    s3.destroy();
  }
}

/** Starts fauxqs in this process, listening on the loopback interface only. */
export async function startFauxqsServer(port = 0): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const { buildApp } = await import('fauxqs');
  const app = buildApp({ logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  const address = app.server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${address.port}`, stop: () => app.close() };
}

/** Whether testcontainers finds a container engine (DOCKER_HOST, the Docker socket…); else why not. */
export async function findContainerRuntime(): Promise<{ found: true } | { found: false; reason: string }> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return { found: true };
  } catch (err) {
    return { found: false, reason: (err as Error).message };
  }
}

/** Images of the containers; PHOTOSPOTS_LOCALSTACK_IMAGE names a stand-in where LocalStack's cannot be pulled. */
function containerImages(env: Record<string, string | undefined>) {
  return {
    postgis: 'postgis/postgis:16-3.4',
    redis: 'redis:7-alpine',
    localstack: env.PHOTOSPOTS_LOCALSTACK_IMAGE || 'localstack/localstack:4',
  };
}

/** Bounds each container's start (the stand-in PostGIS initialises in ~10 s). */
const STARTUP_TIMEOUT_MS = 120_000;

async function startContainers(env: Record<string, string | undefined>): Promise<BackingServices> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const images = containerImages(env);
  const [pg, redis, localstack] = await Promise.all([
    new GenericContainer(images.postgis)
      .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
      .withExposedPorts(5432)
      // Over TCP: while the image initialises, a temporary server listens on the unix socket only.
      .withWaitStrategy(Wait.forSuccessfulCommand('pg_isready -h 127.0.0.1 -U postgres'))
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .start(),
    new GenericContainer(images.redis)
      .withExposedPorts(6379)
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .start(),
    new GenericContainer(images.localstack)
      .withEnvironment({ SERVICES: 'sqs,s3' })
      .withCopyFilesToContainer([
        { source: LOCALSTACK_INIT_SCRIPT, target: '/etc/localstack/init/ready.d/init-aws.sh', mode: 0o755 },
      ])
      .withExposedPorts(4566)
      .withWaitStrategy(Wait.forLogMessage(/Ready\./))
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .start(),
  ]);
  const awsEndpoint = `http://${localstack.getHost()}:${localstack.getMappedPort(4566)}`;
  await ensureBucket(awsEndpoint);
  return {
    kind: 'containers',
    adminDatabaseUrl: `postgres://postgres:postgres@${pg.getHost()}:${pg.getMappedPort(5432)}/postgres`,
    redisUrl: `redis://${redis.getHost()}:${redis.getMappedPort(6379)}`,
    awsEndpoint,
    stop: async () => {
      await Promise.all([pg.stop(), redis.stop(), localstack.stop()]);
    },
  };
}

/**
 * Chooses the backing services: the ones named by DATABASE_URL, REDIS_URL and
 * AWS_ENDPOINT_URL when set; containers when a container runtime is available
 * (PHOTOSPOTS_TEST_CONTAINERS=false opts out); otherwise the local Postgres and
 * Redis and an in-process fauxqs. Every path gives the same things: an admin
 * database to clone test databases from, Redis, and an SQS/S3 endpoint where
 * each test file creates its own queues; an endpoint the harness started also
 * has the services' default bucket.
 */
export async function obtainBackingServices(env: Record<string, string | undefined>): Promise<BackingServices> {
  const named = env.DATABASE_URL || env.REDIS_URL || env.AWS_ENDPOINT_URL;
  if (!named && env.PHOTOSPOTS_TEST_CONTAINERS !== 'false' && (await findContainerRuntime()).found) {
    return startContainers(env);
  }
  const fauxqs = env.AWS_ENDPOINT_URL ? undefined : await startFauxqsServer();
  if (fauxqs) await ensureBucket(fauxqs.endpoint);
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
