import postgres from 'postgres';

/** Postgres NOTICEs ("extension already exists") are not worth a log line. */
const ignoreNotice = (): void => undefined;

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;
/** Either the pool or a transaction: what repository functions accept. */
export type Queryable = postgres.Sql | postgres.TransactionSql;

/** What a pool connects through: Postgres or a session pooler, or a transaction pooler (DATABASE_POOL_MODE). */
export type PoolMode = 'session' | 'transaction';

export interface DatabaseOptions {
  /** Maximum pooled connections. */
  max?: number;
  /** Default 'session'. 'transaction': nothing relies on a server connection outliving a transaction. */
  poolMode?: PoolMode;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  /** statement_timeout of every connection (0 or absent: the server's default). */
  statementTimeoutMs?: number;
  /** idle_in_transaction_session_timeout of every connection (0 or absent: the server's default). */
  idleInTransactionTimeoutMs?: number;
  /** Told of each statement a connection sends (its text, no parameters) and of each close: what a stuck caller last sent, and where. */
  trace?: (connection: number, statement: string) => void;
}

/** What poolOptions needs of a logger. */
interface TraceLogger {
  isLevelEnabled(level: string): boolean;
  trace(obj: object, msg: string): void;
}

/** The pool options a service's config gives: its size and the bounds on every statement and transaction. */
export function poolOptions(
  config: {
    DATABASE_POOL_MAX: number;
    DATABASE_POOL_MODE: PoolMode;
    DATABASE_STATEMENT_TIMEOUT_MS: number;
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: number;
  },
  /** At trace level, every statement sent is logged with its connection's number. */
  log?: TraceLogger,
): Pick<DatabaseOptions, 'max' | 'poolMode' | 'statementTimeoutMs' | 'idleInTransactionTimeoutMs' | 'trace'> {
  return {
    max: config.DATABASE_POOL_MAX,
    poolMode: config.DATABASE_POOL_MODE,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    ...(log?.isLevelEnabled('trace')
      ? {
          trace: (connection: number, statement: string) =>
            log.trace({ connection, statement: statement.replace(/\s+/g, ' ').trim().slice(0, 200) }, 'postgres'),
        }
      : {}),
  };
}

export interface Database {
  sql: Sql;
  /** Closes the pool, waiting up to `timeoutSeconds` for running queries. */
  close(timeoutSeconds?: number): Promise<void>;
  /** Resolves when a trivial query succeeds; for /readyz. */
  ping(): Promise<void>;
}

/**
 * Opens a pool. int8 values (ids, counts) are parsed to numbers: ids stay far
 * below 2^53, and API JSON must carry numbers, not strings. Timestamps stay
 * text and JSON parameters are passed as text (see `types`).
 *
 * Each connection's settings (JIT off, the statement and idle-in-transaction timeouts) are startup parameters
 * of a session. Through a transaction pooler a client's statements run on whichever server connection is free,
 * and a pooler refuses unknown startup parameters, so there they are set at the start of every transaction
 * instead (SET LOCAL), and no statement is prepared: a prepared statement lives on one server connection.
 */
export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  const transactionMode = options.poolMode === 'transaction';
  const settings: Record<string, string | number> = {
    // JIT compiles a plan whose estimated cost is high, which the services' statements often are (temp tables
    // without statistics, batch upserts), and compiles for longer than such short statements run. Off for every connection.
    jit: 'off',
    // Server-side bounds: a statement that waits or runs too long is cancelled, and a transaction whose client
    // went quiet (a lost reply, a stuck handler) is ended with its locks, so nothing waits on it for good.
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    ...(options.idleInTransactionTimeoutMs
      ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs }
      : {}),
  };
  const pool = postgres(url, {
    max: options.max ?? 10,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: ignoreNotice,
    prepare: !transactionMode,
    ...(options.trace
      ? {
          debug: (connection: number, statement: string) => options.trace!(connection, statement),
          onclose: (connection: number) => options.trace!(connection, '(closed)'),
        }
      : {}),
    connection: {
      application_name: options.applicationName ?? 'photospots',
      ...(transactionMode ? {} : settings),
    },
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (value: number | bigint) => value.toString(),
        parse: (value: string) => Number(value),
      },
      // Dates, times and timestamps (and arrays of them, and of numerics) are read as the text Postgres prints,
      // and parameters of these types are sent as given: the code passes and compares ISO strings, never Dates.
      temporalText: {
        to: 1184,
        from: [1082, 1083, 1114, 1184, 1115, 1182, 1185, 1231],
        serialize: (value: unknown) => value,
        parse: (value: string) => value,
      },
      // json/jsonb parameters are the JSON text the caller built (JSON.stringify), sent as is, not encoded again;
      // json/jsonb results are parsed.
      jsonText: {
        to: 114,
        from: [114, 3802],
        serialize: (value: unknown) => value,
        parse: (value: string) => JSON.parse(value) as unknown,
      },
    },
  });
  const sql = transactionMode ? withSettingsPerTransaction(pool, settings) : pool;
  return {
    sql,
    close: (timeoutSeconds = 5) => sql.end({ timeout: timeoutSeconds }),
    ping: async () => {
      await sql`select 1`;
    },
  };
}

/**
 * The pool with every transaction (`sql.begin`) starting with SET LOCAL of `settings`: the same postgres.js
 * pool, its `begin` wrapped, everything else as it is.
 */
function withSettingsPerTransaction(pool: Sql, settings: Record<string, string | number>): Sql {
  const setLocal = Object.entries(settings)
    .map(([name, value]) => `set local ${name} = ${typeof value === 'number' ? value : `'${value}'`}`)
    .join('; ');
  if (!setLocal) return pool;
  const begin = ((...args: unknown[]) => {
    const work = args.at(-1) as (tx: TransactionSql) => unknown;
    return (pool.begin as (...a: unknown[]) => unknown)(...args.slice(0, -1), async (tx: TransactionSql) => {
      await tx.unsafe(setLocal);
      return work(tx);
    });
  }) as Sql['begin'];
  return new Proxy(pool, {
    get: (target, prop, receiver) => (prop === 'begin' ? begin : Reflect.get(target, prop, receiver)),
  });
}

/** The pool a service opens from its config (DATABASE_URL and the pool settings), named in pg_stat_activity. */
export function openDatabase(
  config: Parameters<typeof poolOptions>[0] & { DATABASE_URL: string },
  applicationName: string,
  log?: TraceLogger,
): Database {
  return createDatabase(config.DATABASE_URL, { ...poolOptions(config, log), applicationName });
}
