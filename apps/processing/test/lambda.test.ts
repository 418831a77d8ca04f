import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { photosIngested } from '@photospots/contracts';
import { countOutbox, markTilesDirty } from '@photospots/db';
import { MessagePublisher } from '@photospots/queue';
import {
  createTestEnv,
  lambdaContext,
  readSamplePhotos,
  receiveSqsEvent,
  seedPhotos,
  startFakeSecretsManager,
  type FakeSecretsManager,
  type TestEnv,
} from '@photospots/test-harness';
import { pino } from 'pino';
import { loadProcessingConfig } from '../src/config.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let env: TestEnv;
let handler: typeof import('../src/lambda.ts').handler;
let marginMs: number;
let secrets: FakeSecretsManager;
const DATABASE_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:photospots-test/database-url';

beforeAll(async () => {
  env = await createTestEnv();
  // The function reads its config from the environment when it loads, as in Lambda, where the database URL
  // is a secret the function reads by its ARN.
  const { DATABASE_URL, ...serviceEnv } = env.serviceEnv({ LOG_LEVEL: 'silent', PROCESSING_SETTLE_MS: '0' });
  secrets = await startFakeSecretsManager({ [DATABASE_SECRET_ARN]: DATABASE_URL! });
  delete process.env.DATABASE_URL;
  Object.assign(process.env, serviceEnv, {
    DATABASE_URL_SECRET_ARN: DATABASE_SECRET_ARN,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    // The Lambda runtime's credentials (of the function's role).
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
  const lambda = await import('../src/lambda.ts');
  handler = lambda.handler;
  marginMs = lambda.safetyMarginMs(loadProcessingConfig());
});
afterAll(async () => {
  await secrets.stop();
  await env.close();
});

const dirtyTiles = async () =>
  (await env.database.sql<{ n: number }[]>`select count(*)::int as n from dirty_tiles`)[0]!.n;
const activeHotspots = async () =>
  (await env.database.sql<{ n: number }[]>`select count(*)::int as n from hotspots where status = 'active'`)[0]!.n;

describe('processing as a Lambda function', () => {
  it('read its database URL at cold start from the secret it was given by ARN', () => {
    expect(secrets.requests).toEqual([DATABASE_SECRET_ARN]);
    expect(process.env.DATABASE_URL).toBe(env.serviceEnv().DATABASE_URL);
  });

  it('re-clusters after a batch what the messages announced, and sends an invalid message to the dead-letter queue', async () => {
    const tiles = await seedPhotos(env.database.sql, readSamplePhotos().slice(0, 3_000));
    await markTilesDirty(env.database.sql, tiles);
    const publisher = new MessagePublisher({
      sqs: env.sqs,
      queueUrls: env.queues.url,
      producer: 'test',
      log: pino({ level: 'silent' }),
    });
    await publisher.publish(photosIngested, { batchId: 'b1', source: 'lbsn', photoCount: 3_000, tiles });
    await env.sqs.send(new SendMessageCommand({ QueueUrl: env.queues.url.photosIngested, MessageBody: 'not json' }));
    const event = await receiveSqsEvent(env.sqs, env.queues.url.photosIngested!, 2);

    const response = await handler(event, lambdaContext(marginMs + 120_000));
    expect(response.batchItemFailures).toEqual([]);
    expect(await dirtyTiles()).toBe(0);
    expect(await activeHotspots()).toBeGreaterThan(0);
    // hotspots.changed went out before the function returned.
    expect(await countOutbox(env.database.sql, ['hotspotsChanged'])).toBe(0);
    const dead = await receiveSqsEvent(env.sqs, env.queues.deadLetterUrl.photosIngested!, 1);
    expect(dead.Records.map((r) => r.body)).toEqual(['not json']);
  });

  it('on its schedule, stops at the safety margin with tiles left dirty, and the next invocation finishes them', async () => {
    await env.truncate();
    const tiles = await seedPhotos(env.database.sql, readSamplePhotos().slice(3_000, 6_000));
    await markTilesDirty(env.database.sql, tiles);
    const scheduled = { source: 'aws.events', 'detail-type': 'Scheduled Event' };

    // Less time left than the margin: it returns at once, before claiming anything.
    const short = lambdaContext(marginMs - 1_000);
    expect(await handler(scheduled, short)).toEqual({ batchItemFailures: [] });
    expect(short.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(await dirtyTiles()).toBe(new Set(tiles).size);

    await handler(scheduled, lambdaContext(marginMs + 120_000));
    expect(await dirtyTiles()).toBe(0);
    expect(await activeHotspots()).toBeGreaterThan(0);
  });
});
