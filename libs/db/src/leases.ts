import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Queryable, Sql } from './client.ts';

/**
 * Exclusive leases: a row per name with its holder and an expiry the holder renews while it works. They keep
 * one process at a time on a long job (a Flickr harvest, the migrations) through any pooler: a session
 * advisory lock would not survive a transaction pooler (Supabase's on port 6543, PgBouncer in transaction
 * mode), which hands each transaction a different server connection. A holder that dies leaves its lease
 * until it expires; one whose renewal fails past the expiry is told to stop. The table is photospots_leases.
 */
/** Another holder has the lease. */
export class LeaseHeldError extends Error {
  readonly code = 'LEASE_HELD';
  readonly lease: string;
  readonly holder: string;
  constructor(lease: string, holder: string) {
    super(`${lease} is held by ${holder}`);
    this.lease = lease;
    this.holder = holder;
  }
}

/** The lease was lost while the task ran (not renewed before it expired, or taken over after). */
export class LeaseLostError extends Error {
  readonly code = 'LEASE_LOST';
}

/** Serialises concurrent first runs of ensureLeaseTable: their DDL on one table would race in the catalog. */
const LEASE_TABLE_LOCK = 7_320_515;

/**
 * Creates the table if it is missing. It is made here, not by a migration, because the migrations themselves
 * run under a lease. Row level security keeps it out of reach of Supabase's API roles, as every table is. One
 * transaction under a transaction-scoped lock, so concurrent first runs (several migrators starting at once)
 * take turns, through a pooler too.
 */
export async function ensureLeaseTable(sql: Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${LEASE_TABLE_LOCK})`;
    await tx`
      create table if not exists public.photospots_leases (
        name text primary key,
        holder text not null,
        expires_at timestamptz not null
      )`;
    await tx`alter table public.photospots_leases enable row level security`;
    // What row level security does not filter (TRUNCATE would release every lease), from Supabase's API roles.
    // As migration 0006 does for the other tables.
    await tx`
      do $$ declare api_role text; begin
        for api_role in select rolname from pg_roles where rolname in ('anon', 'authenticated') loop
          execute format('revoke truncate, references, trigger on public.photospots_leases from %I', api_role);
        end loop;
      end $$`;
  });
}

export interface LeaseOptions {
  /** How long the lease lasts unless renewed; renewed every third of it. */
  ttlSeconds: number;
  /** How long to wait for a held lease (0: fail at once with LeaseHeldError). */
  waitSeconds?: number;
  /** Shown as part of the holder, for whoever looks at the table. */
  label?: string;
}

/**
 * Runs `task` holding the lease `name`. The task gets a signal that aborts if the lease is lost; the lease is
 * released when the task ends, however it ends.
 */
export async function withLease<T>(
  sql: Queryable,
  name: string,
  options: LeaseOptions,
  task: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const holder = `${options.label ?? 'photospots'}@${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const ttl = `${options.ttlSeconds} seconds`;
  const giveUpAt = Date.now() + (options.waitSeconds ?? 0) * 1000;
  for (;;) {
    const [taken] = await sql<{ holder: string }[]>`
      insert into public.photospots_leases as l (name, holder, expires_at)
      values (${name}, ${holder}, now() + ${ttl}::interval)
      on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
        where l.expires_at < now()
      returning l.holder`;
    if (taken) break;
    if (Date.now() >= giveUpAt) {
      const [current] = await sql<{ holder: string }[]>`
        select holder from public.photospots_leases where name = ${name}`;
      throw new LeaseHeldError(name, current?.holder ?? 'another process');
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(500, Math.max(0, giveUpAt - Date.now()))));
  }

  const lost = new AbortController();
  let expiresAt = Date.now() + options.ttlSeconds * 1000;
  const renew = async () => {
    try {
      const [row] = await sql<{ renewed: boolean }[]>`
        update public.photospots_leases set expires_at = now() + ${ttl}::interval
        where name = ${name} and holder = ${holder}
        returning true as renewed`;
      if (!row) lost.abort(new LeaseLostError(`${name}: taken over by another holder`));
      else expiresAt = Date.now() + options.ttlSeconds * 1000;
    } catch (err) {
      // The database did not answer: keep trying until the lease would have expired.
      if (Date.now() >= expiresAt)
        lost.abort(new LeaseLostError(`${name}: not renewed before it expired`, { cause: err }));
    }
  };
  const timer = setInterval(() => void renew(), (options.ttlSeconds * 1000) / 3);
  timer.unref();
  try {
    return await task(lost.signal);
  } finally {
    clearInterval(timer);
    await sql`delete from public.photospots_leases where name = ${name} and holder = ${holder}`.catch(() => undefined);
  }
}
