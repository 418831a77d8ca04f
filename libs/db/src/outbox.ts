import type { Queryable, Sql } from './client.ts';

export interface OutboxRow {
  id: number;
  queue: string;
  body: unknown;
}

/** Records a message in the same transaction as the data it announces. */
export async function enqueueOutbox(tx: Queryable, queue: string, body: unknown): Promise<void> {
  await tx`insert into outbox (queue, body) values (${queue}, ${JSON.stringify(body)}::jsonb)`;
}

/** Records several messages for one queue in one statement (same transaction rules as enqueueOutbox). */
export async function enqueueOutboxMany(tx: Queryable, queue: string, bodies: readonly unknown[]): Promise<void> {
  if (bodies.length === 0) return;
  await tx`
    insert into outbox (queue, body)
    select ${queue}, value from jsonb_array_elements(${JSON.stringify(bodies)}::jsonb) with ordinality as m(value, n)
    order by n`;
}

/**
 * Claims up to `limit` outbox rows for the given queues (each service relays
 * only what it publishes; rows another relay holds are skipped), runs `send`
 * on them and deletes them when it resolves. If `send` throws, the rows stay
 * and are sent later: delivery is at least once.
 */
export async function drainOutbox(
  sql: Sql,
  queues: readonly string[],
  limit: number,
  send: (rows: OutboxRow[]) => Promise<void>,
): Promise<number> {
  return sql.begin(async (tx) => {
    const rows = await tx<OutboxRow[]>`
      select id, queue, body from outbox where queue = any(${[...queues]}::text[])
      order by id limit ${limit} for update skip locked`;
    if (rows.length === 0) return 0;
    await send(rows);
    await tx`delete from outbox where id in ${tx(rows.map((r) => r.id))}`;
    return rows.length;
  });
}

/** Messages committed but not yet sent for the given queues. */
export async function countOutbox(sql: Queryable, queues: readonly string[]): Promise<number> {
  const [row] = await sql<
    { count: number }[]
  >`select count(*)::int as count from outbox where queue = any(${[...queues]}::text[])`;
  return row?.count ?? 0;
}
