import type { Queryable } from '@photospots/db';

/** Creates the user row on first sight of a verified subject; later calls only bump last_seen_at. */
export async function touchUser(sql: Queryable, userId: string): Promise<void> {
  await sql`
    insert into users (id) values (${userId})
    on conflict (id) do update set last_seen_at = now()`;
}
