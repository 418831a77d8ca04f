/**
 * Runs the real pipeline commands (ingest import, processing rebuild, scoring
 * rescore) as child processes against a scratch database and an in-process
 * fauxqs, for the evaluation and the parameter sweep.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { runMigrations, createDatabase, type Database } from '@photospots/db';
import { createSqsClient, prefixedQueueNames, queueDefinitions, queueEnvVars, setupQueues } from '@photospots/queue';
import { buildApp } from 'fauxqs';
import postgres from 'postgres';

export interface LocalPipeline {
  env: Record<string, string>;
  database: Database;
  /** Runs a command to completion; rejects with its output when it fails. */
  run(script: string, args?: string[], extraEnv?: Record<string, string>): Promise<string>;
  /** Starts a long-running process (a service); `stop()` sends SIGTERM and waits. */
  start(
    script: string,
    extraEnv?: Record<string, string>,
    args?: string[],
  ): { stop(): Promise<void>; output(): string; pid(): number | undefined };
  close(): Promise<void>;
}

/** Every queue of the registry under a scratch name. */
const NAMES = prefixedQueueNames('scratch-');

/** Creates (or, with reuse, keeps) the scratch database and starts fauxqs on 127.0.0.1. */
export async function startLocalPipeline(options: {
  adminUrl: string;
  database: string;
  reuse: boolean;
}): Promise<LocalPipeline & { fresh: boolean }> {
  const admin = postgres(options.adminUrl, { max: 1, onnotice: () => undefined });
  const [exists] = await admin`select 1 from pg_database where datname = ${options.database}`;
  const fresh = !(options.reuse && exists);
  if (fresh) {
    await admin.unsafe(`drop database if exists ${options.database} with (force)`);
    await admin.unsafe(`create database ${options.database}`);
  }
  await admin.end();
  const url = new URL(options.adminUrl);
  url.pathname = `/${options.database}`;
  await runMigrations(url.toString());

  const fauxqs = buildApp({ logger: false });
  await fauxqs.listen({ port: 0, host: '127.0.0.1' });
  const endpoint = `http://127.0.0.1:${(fauxqs.server.address() as AddressInfo).port}`;
  const sqs = createSqsClient({ region: 'us-east-1', endpoint });
  await setupQueues(sqs, queueDefinitions(NAMES));
  sqs.destroy();

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATABASE_URL: url.toString(),
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    LOG_LEVEL: 'warn',
    ...queueEnvVars(NAMES),
  };
  const database = createDatabase(url.toString(), { max: 2, applicationName: 'eval' });
  return {
    fresh,
    env,
    database,
    run: (script, args = [], extraEnv = {}) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [script, ...args], {
          env: { ...env, ...extraEnv },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (code) =>
          code === 0 ? resolve(out) : reject(new Error(`${script} ${args.join(' ')} exited ${code}:\n${out}`)),
        );
      }),
    start: (script, extraEnv = {}, args = []) => {
      const child = spawn(process.execPath, [script, ...args], {
        env: { ...env, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      return {
        pid: () => child.pid,
        output: () => out,
        stop: async () => {
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          await once(child, 'exit');
        },
      };
    },
    close: async () => {
      await database.close();
      await fauxqs.close();
    },
  };
}
