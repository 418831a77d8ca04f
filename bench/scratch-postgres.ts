/**
 * A throwaway Postgres server of its own (initdb into a temporary folder, a free port), for benches that
 * restart the database on purpose: the machine's server, which other work uses, is never touched. Uses the
 * server binaries of the installed major version (Debian: /usr/lib/postgresql/<major>/bin, PostGIS included);
 * as root, it runs them as the `postgres` user, as initdb requires.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { freePort } from '@photospots/test-harness';

export interface ScratchPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  adminUrl: string;
  port: number;
  /** A fast restart (`pg_ctl restart -m fast`): every session is ended, the server is back when this resolves. */
  restart(): Promise<void>;
  stop(): void;
}

function serverBinaries(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root).filter((d) => existsSync(path.join(root, d, 'bin', 'initdb')))
    : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest)
    throw new Error(
      `no Postgres server binaries under ${root} (apt-get install postgresql postgresql-<major>-postgis-3)`,
    );
  return path.join(root, newest, 'bin');
}

/** `settings`: server parameters (`-c name=value`) beyond the defaults, e.g. shared_buffers. */
export async function startScratchPostgres(settings: Record<string, string> = {}): Promise<ScratchPostgres> {
  const bin = serverBinaries();
  const dir = mkdtempSync(path.join(tmpdir(), 'scratch-postgres-'));
  const data = path.join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const ids = execFileSync('id', ['-u', 'postgres']).toString().trim();
    const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
    chownSync(dir, Number(ids), Number(gid));
  }
  const command = (tool: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
  const run = (tool: string, args: string[]) =>
    execFileSync(...command(tool, args), { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const options = [
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on`,
    ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
  ].join(' ');
  const ctlArgs = (...args: string[]) => [
    '-D',
    data,
    '-o',
    options,
    '-l',
    path.join(dir, 'server.log'),
    '-w',
    '-t',
    '60',
    ...args,
  ];
  run('pg_ctl', ctlArgs('start'));
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    // Not blocking: the caller's own servers (a fake SQS, fault proxies) keep serving meanwhile.
    restart: async () => {
      await promisify(execFile)(...command('pg_ctl', ctlArgs('-m', 'fast', 'restart')));
    },
    stop: () => {
      try {
        run('pg_ctl', ctlArgs('-m', 'immediate', 'stop'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
