import { createTestEnv, type TestEnv } from '@photospots/test-harness';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { drainOutbox, enqueueOutbox } from '../src/index.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
beforeEach(() => env.truncate());
afterAll(() => env.close());

describe('transactional outbox', () => {
  it('relays only the queues a service publishes to, and deletes what was sent', async () => {
    await enqueueOutbox(env.database.sql, 'photosIngested', { n: 1 });
    await enqueueOutbox(env.database.sql, 'hotspotsChanged', { n: 2 });
    await enqueueOutbox(env.database.sql, 'photosIngested', { n: 3 });
    const sent: unknown[] = [];
    const count = await drainOutbox(env.database.sql, ['photosIngested'], 10, async (rows) => {
      sent.push(...rows.map((r) => [r.queue, r.body]));
    });
    expect(count).toBe(2);
    expect(sent).toEqual([
      ['photosIngested', { n: 1 }],
      ['photosIngested', { n: 3 }],
    ]);
    const left = await env.database.sql<{ queue: string }[]>`select queue from outbox`;
    expect(left).toEqual([{ queue: 'hotspotsChanged' }]);
  });

  it('keeps rows whose sending failed, for the next attempt', async () => {
    await enqueueOutbox(env.database.sql, 'photosIngested', { n: 1 });
    await expect(
      drainOutbox(env.database.sql, ['photosIngested'], 10, async () => {
        throw new Error('SQS is down');
      }),
    ).rejects.toThrow('SQS is down');
    const [{ count }] = await env.database.sql<{ count: number }[]>`select count(*)::int as count from outbox`;
    expect(count).toBe(1);
  });

  it('lets two relays drain concurrently without sending a row twice', async () => {
    for (let i = 0; i < 50; i++) await enqueueOutbox(env.database.sql, 'photosIngested', { n: i });
    const sent: number[] = [];
    const relay = async () => {
      for (;;) {
        const n = await drainOutbox(env.database.sql, ['photosIngested'], 7, async (rows) => {
          await new Promise((r) => setTimeout(r, 5));
          sent.push(...rows.map((r) => (r.body as { n: number }).n));
        });
        if (n === 0) return;
      }
    };
    await Promise.all([relay(), relay()]);
    expect(sent.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
