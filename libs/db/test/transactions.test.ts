import { createTestEnv, startFaultProxy, type FaultProxy, type TestEnv } from '@photospots/test-harness';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase, type Database, type Queryable } from '../src/index.ts';

let env: TestEnv;
let proxy: FaultProxy;
let database: Database;
beforeAll(async () => {
  env = await createTestEnv();
  const url = new URL(env.databaseUrl);
  proxy = await startFaultProxy(url.hostname, Number(url.port || 5432));
  // One connection: the pool must reopen the very connection the dropped transaction had.
  database = createDatabase(proxy.url(env.databaseUrl), {
    max: 1,
    applicationName: 'transactions-test',
    poolMode: env.poolMode,
  });
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
      statements = Array.from({ length: 400 }, (_, i) =>
        tx`select pg_sleep(0.002), ${i}::int as i`.then(
          () => 'done',
          (err: { code?: string }) => err.code,
        ),
      );
      await Promise.all(statements);
    });
    setTimeout(() => {
      proxy.cut();
      setTimeout(() => proxy.restore(), 100);
    }, 150);
    await expect(dropped).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
    const outcomes = await Promise.race([
      Promise.all(statements),
      new Promise((r) => setTimeout(() => r('some never settled'), 5_000)),
    ]);
    expect(outcomes).toBeInstanceOf(Array);
    expect((outcomes as string[]).filter((o) => o !== 'done').length).toBeGreaterThan(0); // the cut came mid-way
    expect(await txid(database.sql)).toBeGreaterThan(0); // and the pool serves the next caller
  });
});

/** A promise's outcome, or 'still pending' after `ms`: a statement that never settles fails the test instead of hanging it. */
const outcome = (p: Promise<unknown>, ms = 3_000) =>
  Promise.race([
    p.then(
      () => 'done',
      (err: { code?: string }) => err.code ?? 'error',
    ),
    new Promise((r) => setTimeout(() => r('still pending'), ms)),
  ]);

describe('a connection reset (ECONNRESET, as in a failover)', () => {
  // A pool of one connection for each test: the reset connection is the one reopened, and a test that
  // leaves it broken does not hang the next.
  let database: Database;
  beforeEach(() => {
    database = createDatabase(proxy.url(env.databaseUrl), {
      max: 1,
      applicationName: 'reset-test',
      poolMode: env.poolMode,
    });
  });
  afterEach(async () => {
    await database.close(1);
  });

  it('settles a statement sent between the reset and the close, and the reopened connection answers each caller with its own rows', async () => {
    await txid(database.sql);
    // A socket error comes before its close; a caller reacting to the first failure (a rollback, a retry)
    // sends its statement in between, to the connection that is going away.
    let between: Promise<unknown> | undefined;
    const running = database.sql`select pg_sleep(2)`;
    const failed = running.catch((err: unknown) => {
      between = database.sql`select 'between' as x`;
      throw err;
    });
    setTimeout(() => {
      proxy.cut({ reset: true });
      proxy.restore();
    }, 100);
    await expect(failed).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(await outcome(between!)).toBe('CONNECTION_CLOSED');
    for (const i of [1, 2, 3]) {
      const rows = await Promise.race([
        database.sql<{ i: number }[]>`select ${i}::int as i`,
        new Promise((r) => setTimeout(() => r('no answer'), 3_000)),
      ]);
      expect(rows).toEqual([{ i }]);
    }
  });

  it('mid-COPY inside a savepoint: the next transaction on the reopened connection runs to its commit', async () => {
    await database.sql`create table reset_copy (n int)`;
    const copying = database.sql.begin(async (tx) => {
      await tx.savepoint(async (sp) => {
        const copy = await sp`copy reset_copy (n) from stdin`.writable();
        copy.write('1\n'); // and the rest never comes: the connection is reset meanwhile
        await new Promise((resolve, reject) => copy.on('error', reject).on('close', resolve));
      });
    });
    setTimeout(() => {
      proxy.cut({ reset: true });
      proxy.restore();
    }, 100);
    await expect(copying).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|CONNECTION_CLOSED/) });
    const next = database.sql.begin(async (tx) => {
      await tx.savepoint((sp) => sp`insert into reset_copy (n) values (2)`);
      return (await tx<{ n: number }[]>`select n from reset_copy order by n`).map((r) => r.n);
    });
    expect(await Promise.race([next, new Promise((r) => setTimeout(() => r('still pending'), 3_000))])).toEqual([2]);
  });
});
