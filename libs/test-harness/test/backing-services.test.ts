import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '@photospots/queue';
import { runMigrations } from '@photospots/db';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  findContainerRuntime,
  HARNESS_ENV,
  obtainBackingServices,
  startFauxqsServer,
  type BackingServices,
} from '../src/index.ts';

async function bucketExists(endpoint: string, bucket: string): Promise<boolean> {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch {
    return false;
  } finally {
    s3.destroy();
  }
}

async function answers(endpoint: string): Promise<boolean> {
  return fetch(`${endpoint}/health`).then(
    () => true,
    () => false,
  );
}

describe('choosing the backing services', () => {
  it('uses the services the environment names, and leaves them running on stop', async () => {
    const given = await startFauxqsServer();
    try {
      const env = {
        DATABASE_URL: 'postgres://u@db.example:5432/x',
        REDIS_URL: 'redis://cache.example:6379',
        AWS_ENDPOINT_URL: given.endpoint,
      };
      const services = await obtainBackingServices(env);
      expect(services).toMatchObject({
        kind: 'env',
        adminDatabaseUrl: env.DATABASE_URL,
        redisUrl: env.REDIS_URL,
        awsEndpoint: given.endpoint,
      });
      await services.stop();
      expect(await answers(given.endpoint)).toBe(true);
    } finally {
      await given.stop();
    }
  });

  it('without env vars or containers: local Postgres and Redis, and an in-process fauxqs on the loopback with the default bucket', async () => {
    const services: BackingServices = await obtainBackingServices({ PHOTOSPOTS_TEST_CONTAINERS: 'false' });
    try {
      expect(services.kind).toBe('local');
      expect(services.adminDatabaseUrl).toBe('postgres://postgres@127.0.0.1:5432/postgres');
      expect(services.redisUrl).toBe('redis://127.0.0.1:6379');
      expect(services.awsEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await bucketExists(services.awsEndpoint, 'photospots-thumbnails')).toBe(true);
    } finally {
      await services.stop();
    }
    expect(await answers(services.awsEndpoint)).toBe(false);
  });

  describe('with a container engine (Docker, or Podman through DOCKER_HOST)', () => {
    let runtime: Awaited<ReturnType<typeof findContainerRuntime>>;
    beforeAll(async () => {
      runtime =
        process.env.PHOTOSPOTS_TEST_CONTAINERS === 'false'
          ? { found: false, reason: 'PHOTOSPOTS_TEST_CONTAINERS=false' }
          : await findContainerRuntime();
      if (!runtime.found)
        console.log(`[backing-services.test] no container engine, the container tests are skipped: ${runtime.reason}`);
    });

    it('runs this suite against containers', (ctx) => {
      if (!runtime.found) return ctx.skip();
      const named = process.env.DATABASE_URL || process.env.REDIS_URL || process.env.AWS_ENDPOINT_URL;
      expect(process.env[HARNESS_ENV.servicesKind]).toBe(named ? 'env' : 'containers');
    });

    it(
      'starts PostGIS, Redis and LocalStack containers, LocalStack set up by the compose init script',
      { timeout: 300_000 },
      async (ctx) => {
        if (!runtime.found) return ctx.skip();
        const services = await obtainBackingServices({
          PHOTOSPOTS_LOCALSTACK_IMAGE: process.env.PHOTOSPOTS_LOCALSTACK_IMAGE,
        });
        try {
          expect(services.kind).toBe('containers');
          // PostGIS over TCP, migrations applied.
          const db = postgres(services.adminDatabaseUrl, { max: 1, onnotice: () => undefined });
          try {
            await runMigrations(services.adminDatabaseUrl);
            const [row] = await db<{ metres: number; hotspots: string }[]>`
            select round(st_distance('SRID=4326;POINT(13.7416 51.0519)'::geography, 'SRID=4326;POINT(13.7378 51.0543)'::geography)) as metres,
                   to_regclass('public.hotspots')::text as hotspots`;
            expect(row).toEqual({ metres: 377, hotspots: 'hotspots' });
          } finally {
            await db.end();
          }
          // Redis.
          const redis = new Redis(services.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
          try {
            await redis.connect();
            expect(await redis.set('photospots:containers-test', '1', 'EX', 10)).toBe('OK');
          } finally {
            redis.disconnect();
          }
          // SQS and S3, created by docker/localstack/init-aws.sh.
          expect(await bucketExists(services.awsEndpoint, 'photospots-thumbnails')).toBe(true);
          const sqs = createSqsClient({ region: 'us-east-1', endpoint: services.awsEndpoint });
          try {
            const out = await sqs.send(new GetQueueUrlCommand({ QueueName: 'photospots-photos-ingested-dlq' }));
            expect(out.QueueUrl).toMatch(/photospots-photos-ingested-dlq$/);
          } finally {
            sqs.destroy();
          }
        } finally {
          await services.stop();
        }
      },
    );
  });
});
