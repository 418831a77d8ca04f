import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './service-process.ts';

/**
 * PgBouncer in transaction mode in front of a Postgres server: the way Supabase's transaction pooler (port
 * 6543) and PgBouncer deployments hand each transaction whichever server connection is free. Debian's
 * `pgbouncer` (1.18): it keeps no prepared statement across transactions, delivers no notification to a
 * client that LISTENs, refuses startup parameters it does not know (statement_timeout, jit), and keeps no
 * session setting or session advisory lock for the client. Any database name is passed through to the server.
 */
export interface PgBouncer {
  /** The server's URL with the host and port of the pooler (same user, password and database). */
  urlFor(serverUrl: string): string;
  /** What the pooler printed, for a test that failed through it. */
  output(): string;
  stop(): Promise<void>;
}

/** Bounds PgBouncer's start: it listens within milliseconds. */
const START_TIMEOUT_MS = 10_000;

export async function startPgBouncer(
  serverUrl: string,
  binary = process.env.PGBOUNCER_BIN || 'pgbouncer',
): Promise<PgBouncer> {
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username || 'postgres');
  const password = decodeURIComponent(server.password);
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'photospots-pgbouncer-'));
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  writeFileSync(path.join(dir, 'users.txt'), `${quote(user)} ${quote(password)}\n`);
  writeFileSync(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      // The client is not asked for a password; PgBouncer logs in to the server with the one in users.txt.
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 2000',
      'default_pool_size = 20',
      // As Supabase's pooler: a server connection goes back to the pool after each transaction, unreset.
      'server_reset_query =',
      '',
    ].join('\n'),
  );
  // PgBouncer refuses to run as root; as root it is started as the postgres user, which must read its files.
  chmodSync(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  const child = spawn(binary, [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.on('error', (err) => keep(Buffer.from(`${err.message}\n`)));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!/listening on 127\.0\.0\.1:\d+/.test(log)) {
    const state = await Promise.race([exited.then(() => 'exited'), new Promise((r) => setTimeout(r, 50, 'waiting'))]);
    if (state === 'exited' || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`PgBouncer (${binary}) did not start: ${log.trim() || 'no output'}`);
    }
  }
  return {
    urlFor: (url) => {
      const through = new URL(url);
      through.hostname = '127.0.0.1';
      through.port = String(port);
      return through.toString();
    },
    output: () => log,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
