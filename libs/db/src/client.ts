import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.ts';

/** Postgres NOTICEs ("extension already exists") are not worth a log line. */
const ignoreNotice = (): void => undefined;

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;
/** Either the pool or a transaction: what repository functions accept. */
export type Queryable = postgres.Sql | postgres.TransactionSql;
export type Db = PostgresJsDatabase<typeof schema>;

export interface DatabaseOptions {
  /** Maximum pooled connections. */
  max?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

export interface Database {
  sql: Sql;
  db: Db;
  /** Closes the pool, waiting up to `timeoutSeconds` for running queries. */
  close(timeoutSeconds?: number): Promise<void>;
  /** Resolves when a trivial query succeeds; for /readyz. */
  ping(): Promise<void>;
}

/**
 * Opens a pool. int8 values (ids, counts) are parsed to numbers: ids stay far
 * below 2^53, and API JSON must carry numbers, not strings.
 */
export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  const sql = postgres(url, {
    max: options.max ?? 10,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: ignoreNotice,
    // JIT compiles a plan whose estimated cost is high, which the services' statements often are (temp tables
    // without statistics, batch upserts): it added 25–260 ms to 20 ms statements. Off for every connection.
    connection: { application_name: options.applicationName ?? 'photospots', jit: 'off' },
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (value: number | bigint) => value.toString(),
        parse: (value: string) => Number(value),
      },
    },
  });
  return {
    sql,
    db: drizzle(sql, { schema }),
    close: (timeoutSeconds = 5) => sql.end({ timeout: timeoutSeconds }),
    ping: async () => {
      await sql`select 1`;
    },
  };
}
