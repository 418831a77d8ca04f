import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startFakeSecretsManager, type FakeSecretsManager } from '@photospots/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSecretEnv, SecretEnvError } from '../src/secret-env.ts';

const DATABASE_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:photospots-prod/database-url-AbCdEf';
const REDIS_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:photospots-prod/redis-url-GhIjKl';
let fake: FakeSecretsManager;
let client: SecretsManagerClient;

beforeAll(async () => {
  fake = await startFakeSecretsManager({
    [DATABASE_ARN]: 'postgres://photospots:pw@db.example:5432/photospots',
    [REDIS_ARN]: 'rediss://:token@cache.example:6379',
    'arn:aws:secretsmanager:eu-central-1:123456789012:secret:empty': '',
  });
  client = new SecretsManagerClient({
    endpoint: fake.url,
    region: 'eu-central-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await fake.stop();
});

describe('resolveSecretEnv: secrets a Lambda function is given by ARN, read at cold start', () => {
  it('sets each <NAME> from its <NAME>_SECRET_ARN, and leaves everything else alone', async () => {
    const env: Record<string, string | undefined> = {
      DATABASE_URL_SECRET_ARN: DATABASE_ARN,
      REDIS_URL_SECRET_ARN: REDIS_ARN,
      LOG_LEVEL: 'info',
    };
    fake.requests.length = 0;
    expect((await resolveSecretEnv(env, { client })).sort()).toEqual(['DATABASE_URL', 'REDIS_URL']);
    expect(env).toMatchObject({
      DATABASE_URL: 'postgres://photospots:pw@db.example:5432/photospots',
      REDIS_URL: 'rediss://:token@cache.example:6379',
      LOG_LEVEL: 'info',
    });
    expect(fake.requests.sort()).toEqual([DATABASE_ARN, REDIS_ARN].sort());
  });

  it('keeps a value that is already set, and asks nothing when no secret is named', async () => {
    fake.requests.length = 0;
    const env = { DATABASE_URL: 'postgres://local/photospots', DATABASE_URL_SECRET_ARN: DATABASE_ARN };
    expect(await resolveSecretEnv(env, { client })).toEqual([]);
    expect(await resolveSecretEnv({ LOG_LEVEL: 'info' }, { client })).toEqual([]);
    expect(env.DATABASE_URL).toBe('postgres://local/photospots');
    expect(fake.requests).toEqual([]);
  });

  it('fails naming the variable and the secret (never a value) when a secret is missing or empty', async () => {
    const missing = resolveSecretEnv({ DATABASE_URL_SECRET_ARN: `${DATABASE_ARN}-gone` }, { client });
    await expect(missing).rejects.toThrow(SecretEnvError);
    await expect(missing).rejects.toThrow(/^DATABASE_URL: secret .*-gone could not be read \(.*can't find/);
    await expect(
      resolveSecretEnv(
        { REDIS_URL_SECRET_ARN: 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:empty' },
        { client },
      ),
    ).rejects.toThrow(
      'REDIS_URL: secret arn:aws:secretsmanager:eu-central-1:123456789012:secret:empty has no string value',
    );
  });

  it('gives up within its bound when the endpoint does not answer', async () => {
    fake.setLatency(5_000);
    try {
      const started = performance.now();
      await expect(
        resolveSecretEnv({ DATABASE_URL_SECRET_ARN: DATABASE_ARN }, { client, timeoutMs: 300 }),
      ).rejects.toThrow(
        'DATABASE_URL: secret arn:aws:secretsmanager:eu-central-1:123456789012:secret:photospots-prod/database-url-AbCdEf could not be read (timed out)',
      );
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      fake.setLatency(0);
    }
  });
});
