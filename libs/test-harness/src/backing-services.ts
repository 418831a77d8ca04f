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
    new GenericContainer('redis:7-alpine')
      .withExposedPorts(6379)
      .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
      .start(),
    new GenericContainer('localstack/localstack:4')
      .withEnvironment({ SERVICES: 'sqs,s3' })
      .withCopyFilesToContainer([
        { source: LOCALSTACK_INIT_SCRIPT, target: '/etc/localstack/init/ready.d/init-aws.sh', mode: 0o755 },
      ])
      .withExposedPorts(4566)
      .withWaitStrategy(Wait.forLogMessage(/Ready\./))
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
  if (!named && env.PHOTOSPOTS_TEST_CONTAINERS !== 'false' && (await containerRuntimeAvailable())) {
    return startContainers();
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
