import { randomBytes } from 'node:crypto';
import { createTestEnv, harnessPoolerUrl, harnessValue, type TestEnv } from '@photospots/test-harness';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseHeldError, LeaseLostError, MIGRATIONS_FOLDER, runMigrations, withLease } from '../src/index.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

const leaseRows = async () =>
  env.database.sql<{ name: string; holder: string }[]>`select name, holder from photospots_leases order by name`;

describe('leases: one holder at a time, through any pooler', () => {
  it('refuses a second holder at once while the first works, and is free again when the first is done', async () => {
    let release!: () => void;
    const first = withLease(env.database.sql, 'job:a', { ttlSeconds: 30, label: 'first' }, async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return 'first done';
    });
    await expect.poll(async () => (await leaseRows()).length).toBe(1);
    const second = withLease(env.database.sql, 'job:a', { ttlSeconds: 30, label: 'second' }, async () => 'second');
    await expect(second).rejects.toBeInstanceOf(LeaseHeldError);
    await expect(second).rejects.toThrow(/^job:a is held by first@/);
    // Another name is another lease.
    await expect(withLease(env.database.sql, 'job:b', { ttlSeconds: 30 }, async () => 'b')).resolves.toBe('b');
    release();
    await expect(first).resolves.toBe('first done');
    expect(await leaseRows()).toEqual([]);
    await expect(withLease(env.database.sql, 'job:a', { ttlSeconds: 30 }, async () => 'again')).resolves.toBe('again');
  });

  it('waits for a held lease when asked to, and takes over one whose holder died (expired)', async () => {
    // A holder that died: its row stays, with an expiry in the past.
    await env.database.sql`
      insert into photospots_leases (name, holder, expires_at) values ('job:c', 'dead@host/1/x', now() - interval '1 second')`;
    await expect(withLease(env.database.sql, 'job:c', { ttlSeconds: 30 }, async () => 'taken over')).resolves.toBe(
      'taken over',
    );

    let release!: () => void;
    const holder = withLease(
      env.database.sql,
      'job:d',
      { ttlSeconds: 30 },
      () => new Promise<void>((r) => (release = r)),
    );
    await expect.poll(async () => (await leaseRows()).length).toBe(1);
    setTimeout(() => release(), 300);
    const started = Date.now();
    await expect(
      withLease(env.database.sql, 'job:d', { ttlSeconds: 30, waitSeconds: 10 }, async () => 'after the wait'),
    ).resolves.toBe('after the wait');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await holder;
  });

  it("keeps a long task's lease by renewing it, and aborts the task once the lease is taken from it", async () => {
    const seen: string[] = [];
    const task = withLease(env.database.sql, 'job:e', { ttlSeconds: 1 }, async (lost) => {
      // Longer than the lease lasts unrenewed: the renewals keep it.
      await new Promise((r) => setTimeout(r, 1_600));
      seen.push(lost.aborted ? 'lost' : 'held');
      // Another process takes it over (as after a renewal that could not reach the database in time).
      await env.database.sql`update photospots_leases set holder = 'thief', expires_at = now() + interval '1 minute'
        where name = 'job:e'`;
      await new Promise<void>((resolve) => lost.addEventListener('abort', () => resolve(), { once: true }));
      throw lost.reason;
    });
    await expect(task).rejects.toBeInstanceOf(LeaseLostError);
    expect(seen).toEqual(['held']);
    // The thief's lease is not released by the one who lost it.
    expect(await leaseRows()).toEqual([{ name: 'job:e', holder: 'thief' }]);
  });
});

describe('migrations run concurrently', () => {
  it('four runs at once on an empty database apply each migration once (through the pooler when the run has one)', async () => {
    const name = `photospots_mig${randomBytes(3).toString('hex')}_${harnessValue('runId')}`;
    const admin = postgres(harnessValue('adminDatabaseUrl'), { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(harnessPoolerUrl() ?? harnessValue('adminDatabaseUrl'));
    url.pathname = `/${name}`;
    const check = postgres(url.toString(), { max: 1, prepare: false, onnotice: () => undefined });
    try {
      await Promise.all([1, 2, 3, 4].map(() => runMigrations(url.toString(), MIGRATIONS_FOLDER, { waitSeconds: 120 })));
      const applied = await check<{ hash: string; n: number }[]>`
        select hash, count(*)::int as n from drizzle.__drizzle_migrations group by hash`;
      const journal = (await import('../migrations/meta/_journal.json', { with: { type: 'json' } })).default as {
        entries: unknown[];
      };
      expect(applied).toHaveLength(journal.entries.length);
      expect(applied.every((m) => m.n === 1)).toBe(true);
      expect(await check`select 1 from photos limit 1`).toEqual([]);
      expect(await check`select * from photospots_leases`).toEqual([]);
    } finally {
      await check.end({ timeout: 5 });
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    }
  });
});
