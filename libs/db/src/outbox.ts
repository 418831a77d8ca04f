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

/**
 * Claims up to `limit` outbox rows (skipping rows another relay holds), runs
 * `send` on them and deletes them when it resolves. If `send` throws, the rows
 * stay and are sent later: delivery is at least once. `queues` limits the
 * claim to the queues this relay can send to (services share the table).
 */
export async function drainOutbox(
  sql: Sql,
  limit: number,
  send: (rows: OutboxRow[]) => Promise<void>,
  queues?: readonly string[],
): Promise<number> {
  return sql.begin(async (tx) => {
    const rows = await tx<OutboxRow[]>`
      select id, queue, body from outbox
      ${queues ? tx`where queue = any(${[...queues]}::text[])` : tx``}
      order by id limit ${limit} for update skip locked`;
    if (rows.length === 0) return 0;
    await send(rows);
    await tx`delete from outbox where id in ${tx(rows.map((r) => r.id))}`;
    return rows.length;
  });
}
