import { describe, expect, it } from 'vitest';
import { ConfigError, describeEnv, loadConfig, queueEnv, redisEnv, sharedEnv } from '../src/index.ts';

describe('loadConfig', () => {
  it('applies defaults and coerces values', () => {
    const c = loadConfig({ ...sharedEnv, ...redisEnv }, { DATABASE_POOL_MAX: '7', REDIS_URL: '' });
    expect(c.DATABASE_POOL_MAX).toBe(7);
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/photospots');
    expect(c.AWS_REGION).toBe('us-east-1');
    expect(c.REDIS_URL).toBeUndefined();
  });
  it('lists every invalid variable at once', () => {
    const read = () =>
      loadConfig(sharedEnv, { DATABASE_URL: 'mysql://x', DATABASE_POOL_MAX: 'lots', LOG_LEVEL: 'loud' });
    expect(read).toThrow(ConfigError);
    try {
      read();
    } catch (err) {
      expect((err as ConfigError).problems.map((p) => p.split(':')[0])).toEqual([
        'DATABASE_URL',
        'DATABASE_POOL_MAX',
        'LOG_LEVEL',
      ]);
    }
  });
  it('describes every variable with a description and its default', () => {
    const docs = describeEnv({ ...sharedEnv, ...queueEnv });
    for (const d of docs) expect(d.description.length).toBeGreaterThan(10);
    expect(docs.find((d) => d.name === 'QUEUE_INGEST')).toMatchObject({
      default: 'photospots-ingest-requests',
      required: false,
    });
  });
});
