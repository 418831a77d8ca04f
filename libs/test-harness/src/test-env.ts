import { randomBytes } from 'node:crypto';
import { DeleteQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createDatabase, type Database } from '@photospots/db';
import {
  createSqsClient,
  prefixedQueueNames,
  queueDefinitions,
  queueEnvVars,
  resolveQueues,
  setupQueues,
  type QueueUrls,
} from '@photospots/queue';
import type { QueueKey } from '@photospots/contracts';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { harnessPoolerUrl, harnessValue } from './harness-env.ts';

/** Postgres NOTICEs ("extension already exists") are not worth a log line. */
const ignoreNotice = (): void => undefined;

/** One test file's isolated slice of the backing services. */
export interface TestEnv {
  /** A fresh, migrated database of its own. */
  databaseUrl: string;
  /** What databaseUrl connects through: a pool of the test's own must be opened with it. */
  poolMode: 'session' | 'transaction';
  database: Database;
  redisUrl: string;
  /** Key prefix no other test file uses. */
  redisPrefix: string;
  redis: Redis;
  awsEndpoint: string;
  region: string;
  sqs: SQSClient;
  queueNames: Record<QueueKey, string>;
  queues: QueueUrls;
  /** The variables a service's config schema reads, pointing at this slice. */
  serviceEnv(extra?: Record<string, string>): Record<string, string>;
  /** Empties every table (between tests). */
  truncate(): Promise<void>;
  close(): Promise<void>;
}

const TABLES = [
  'favorites',
  'users',
  'hotspot_photos',
  'hotspots',
  'photos',
  'ingest_checkpoints',
  'dirty_tiles',
  'outbox',
];

/** Creates a database cloned from the migrated template, unique queues and a Redis prefix. */
export async function createTestEnv(): Promise<TestEnv> {
  const id = `${randomBytes(4).toString('hex')}`;
  const runId = harnessValue('runId');
  const adminUrl = harnessValue('adminDatabaseUrl');
  const dbName = `photospots_t${id}_${runId}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: ignoreNotice });
  try {
    await admin.unsafe(`create database ${dbName} template ${harnessValue('templateDatabase')}`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  // Through the run's pooler when it has one: the services and the test's own queries alike.
  const poolerUrl = harnessPoolerUrl();
  const url = new URL(poolerUrl ?? adminUrl);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  const poolMode: TestEnv['poolMode'] = poolerUrl ? 'transaction' : 'session';
  const database = createDatabase(databaseUrl, { max: 10, applicationName: 'test', poolMode });

  const redisUrl = harnessValue('redisUrl');
  const redisPrefix = `test:${id}:`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });

  const awsEndpoint = harnessValue('awsEndpoint');
  const region = 'us-east-1';
  const sqs = createSqsClient({ region, endpoint: awsEndpoint });
  const queueNames = prefixedQueueNames(`t${id}-`);
  const created = await setupQueues(sqs, queueDefinitions(queueNames));
  const queues = await resolveQueues(sqs, queueNames);

  return {
    databaseUrl,
    poolMode,
    database,
    redisUrl,
    redisPrefix,
    redis,
    awsEndpoint,
    region,
    sqs,
    queueNames,
    queues,
    serviceEnv: (extra = {}) => ({
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: '5',
      DATABASE_POOL_MODE: poolMode,
      AWS_ENDPOINT_URL: awsEndpoint,
      AWS_REGION: region,
      LOG_LEVEL: 'warn',
      ...queueEnvVars(queueNames),
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: redisPrefix,
      HEALTH_PORT: '0',
      HEALTH_HOST: '127.0.0.1',
      PORT: '0',
      HOST: '127.0.0.1',
      ...extra,
    }),
    truncate: async () => {
      await database.sql.unsafe(`truncate ${TABLES.join(', ')} restart identity cascade`);
      const keys = await redis.keys(`${redisPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    },
    close: async () => {
      await database.close();
      const keys = await redis.keys(`${redisPrefix}*`).catch(() => [] as string[]);
      if (keys.length > 0) await redis.del(...keys).catch(() => 0);
      redis.disconnect();
      for (const q of created) {
        await sqs.send(new DeleteQueueCommand({ QueueUrl: q.url })).catch(() => undefined);
        await sqs.send(new DeleteQueueCommand({ QueueUrl: q.deadLetterUrl })).catch(() => undefined);
      }
      sqs.destroy();
      const dropper = postgres(adminUrl, { max: 1, onnotice: ignoreNotice });
      await dropper.unsafe(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
      await dropper.end({ timeout: 5 });
    },
  };
}
