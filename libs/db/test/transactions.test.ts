import { createTestEnv, startFaultProxy, type FaultProxy, type TestEnv } from '@photospots/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database, type Queryable } from '../src/index.ts';

let env: TestEnv;
let proxy: FaultProxy;
let database: Database;
beforeAll(async () => {
  env = await createTestEnv();
  const url = new URL(env.databaseUrl);
  proxy = await startFaultProxy(url.hostname, Number(url.port || 5432));
  // One connection: the pool must reopen the very connection the dropped transaction had.
  database = createDatabase(proxy.url(env.databaseUrl), { max: 1, applicationName: 'transactions-test' });
});
afterAll(async () => {
  await database.close();
  await proxy.close();
  await env.close();
});

const txid = async (sql: Queryable) => Number((await sql<{ id: string }[]>`select txid_current()::text as id`)[0]!.id);

describe('a transaction whose connection drops', () => {
  it('keeps its late statements (and its own rollback or commit) off the connection the pool reopens for the next caller', async () => {
    await txid(database.sql); // connected
    let late: unknown = 'not run';
    const dropped = database.sql.begin(async (tx) => {
      await tx`select 1`;
      await new Promise((r) => setTimeout(r, 300)); // the connection drops meanwhile
      late = await tx`select 'late' as x`.then(
        () => 'reached a connection',
        (err: { code?: string }) => err.code,
      );
    });
    setTimeout(() => {
      proxy.cut();
      setTimeout(() => proxy.restore(), 100);
    }, 100);
    await expect(dropped).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });

    // The next caller gets the reopened connection while the dropped transaction's callback is still running.
    const ids = await database.sql.begin(async (tx) => {
      const first = await txid(tx);
      await new Promise((r) => setTimeout(r, 400)); // the dropped callback's late statement comes now
      return [first, await txid(tx)];
    });
    // Both statements in one transaction: no stray COMMIT or ROLLBACK from the dropped one ended it halfway.
    expect(ids[1]).toBe(ids[0]);
    await new Promise((r) => setTimeout(r, 200));
    expect(late).toBe('CONNECTION_CLOSED');
    expect(await txid(database.sql)).toBeGreaterThan(ids[0]!);
  });

  it('settles every statement it had queued: none waits for good', async () => {
    await txid(database.sql);
    let statements: Promise<unknown>[] = [];
    const dropped = database.sql.begin(async (tx) => {
      // More than the connection pipelines at once (100): the rest wait in the transaction's own queue.
      statements = Array.from({ length: 400 }, (_, i) => tx`select pg_sleep(0.002), ${i}::int as i`.then(() => 'done', (err: { code?: string }) => err.code));
      await Promise.all(statements);
    });
    setTimeout(() => {
      proxy.cut();
      setTimeout(() => proxy.restore(), 100);
    }, 150);
    await expect(dropped).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    const outcomes = await Promise.race([Promise.all(statements), new Promise((r) => setTimeout(() => r('some never settled'), 5_000))]);
    expect(outcomes).toBeInstanceOf(Array);
    expect((outcomes as string[]).filter((o) => o !== 'done').length).toBeGreaterThan(0); // the cut came mid-way
    expect(await txid(database.sql)).toBeGreaterThan(0); // and the pool serves the next caller
  });
});
