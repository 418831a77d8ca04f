import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '@photospots/queue';
import { describe, expect, it } from 'vitest';
import { obtainBackingServices, startFauxqsServer, type BackingServices } from '../src/index.ts';

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

  // Runs where Docker (or another runtime testcontainers finds) is available; CI here has none.
  it.runIf(process.env.PHOTOSPOTS_TEST_CONTAINERS === 'true')(
    'with a container runtime: PostGIS, Redis and LocalStack containers, LocalStack set up by the compose init script',
    { timeout: 600_000 },
    async () => {
      const services = await obtainBackingServices({});
      try {
        expect(services.kind).toBe('containers');
        expect(await bucketExists(services.awsEndpoint, 'photospots-thumbnails')).toBe(true);
        const sqs = createSqsClient({ region: 'us-east-1', endpoint: services.awsEndpoint });
        const out = await sqs.send(new GetQueueUrlCommand({ QueueName: 'photospots-photos-ingested-dlq' }));
        expect(out.QueueUrl).toMatch(/photospots-photos-ingested-dlq$/);
        sqs.destroy();
      } finally {
        await services.stop();
      }
    },
  );
});
