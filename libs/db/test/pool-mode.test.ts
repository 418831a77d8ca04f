import { createTestEnv, type TestEnv } from '@photospots/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../src/index.ts';

let env: TestEnv;
let database: Database;
beforeAll(async () => {
  env = await createTestEnv();
  // Transaction mode on whatever this run connects through (PgBouncer in the pooler pass, Postgres otherwise).
  database = createDatabase(env.databaseUrl, {
    max: 2,
    poolMode: 'transaction',
    statementTimeoutMs: 1_000,
    idleInTransactionTimeoutMs: 5_000,
  });
});
afterAll(async () => {
  await database.close();
  await env.close();
});

describe('a pool in transaction mode (DATABASE_POOL_MODE=transaction)', () => {
  it('sets JIT off and its timeouts at the start of every transaction', async () => {
    for (let i = 0; i < 3; i++) {
      const [settings] = await database.sql.begin(
        (tx) => tx<{ jit: string; statement: string; idle: string }[]>`
          select current_setting('jit') as jit, current_setting('statement_timeout') as statement,
                 current_setting('idle_in_transaction_session_timeout') as idle`,
      );
      expect(settings).toEqual({ jit: 'off', statement: '1s', idle: '5s' });
    }
  });

  it('cancels a statement of a transaction that runs longer than the statement timeout', async () => {
    const slow = database.sql.begin((tx) => tx`select pg_sleep(3)`);
    await expect(slow).rejects.toMatchObject({ code: '57014' });
  });

  it('prepares no statement: nothing is left in pg_prepared_statements of the connection', async () => {
    const [row] = await database.sql.begin(async (tx) => {
      await tx`select ${1}::int as one`;
      return tx<{ n: number }[]>`select count(*)::int as n from pg_prepared_statements`;
    });
    expect(row!.n).toBe(0);
  });
});
