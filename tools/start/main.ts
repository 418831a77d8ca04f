/**
 * `npm start`: the whole system on this machine with nothing but Node.
 *
 * Starts (or takes from DATABASE_URL, AWS_ENDPOINT_URL, REDIS_URL) the backing
 * services, launches ingest, processing, scoring and query-api as separate
 * processes with the same entry points and environment variables as in
 * production, imports the Dresden sample through the pipeline on the first
 * run, prints example requests, and on Ctrl-C stops every process it started.
 */
import { QUEUES } from '@photospots/contracts';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { createDatabase, type Database } from '@photospots/db';
import { resolveQueues } from '@photospots/queue';
import { startBackingServices, type BackingServices } from './backing-services.ts';
import { curlCommand, EXAMPLES, exampleItemCount, mapPageUrl } from './examples.ts';
import { claimablePort } from './free-port.ts';
import { count, since } from './format.ts';
import { loadLauncherConfig, REPO_ROOT, type LauncherConfig } from './launcher-config.ts';
import { recoverLostMessages } from './recovery.ts';
import { acquireRunLock, type RunLock } from './run-lock.ts';
import { describeProgress, isSettled, SampleImport } from './sample-import.ts';
import { StatusLine } from './status-line.ts';
import { Supervisor, waitForReady, type ReadyUrl } from './supervisor.ts';

const WORKERS = ['ingest', 'processing', 'scoring'] as const;
/** How long a service gets to stop after SIGTERM before it is killed. */
const STOP_GRACE_MS = 30_000;
const READY_TIMEOUT_MS = 120_000;
/** The first import of the sample takes a minute or two; give up waiting (and say so) after this. */
const SETTLE_TIMEOUT_MS = 15 * 60_000;

const status = new StatusLine();
const say = (line: string) => status.print(line);

let config: LauncherConfig;
let lock: RunLock;
try {
  config = loadLauncherConfig();
  lock = acquireRunLock(config.dataDir);
} catch (err) {
  console.error(`npm start: ${(err as Error).message}`);
  process.exit(2);
}

const abort = new AbortController();
let backing: BackingServices | undefined;
/** Set while the backing services start, so a Ctrl-C then waits for them and closes them properly. */
let backingStarting: Promise<BackingServices> | undefined;
let database: Database | undefined;
let supervisor: Supervisor | undefined;
let stopping: Promise<void> | undefined;

function shutdown(code: number): Promise<void> {
  stopping ??= (async () => {
    abort.abort();
    status.done();
    const stoppingAt = performance.now();
    say('stopping…');
    await supervisor?.stopAll(STOP_GRACE_MS);
    await database?.close().catch(() => undefined);
    const started = backing ?? (await backingStarting?.catch(() => undefined));
    await started?.stop();
    lock.release();
    say(`stopped (${since(stoppingAt)})`);
    process.exit(code);
  })();
  return stopping;
}

/** A second Ctrl-C kills what is still running; the same Ctrl-C arriving twice (forwarded by npm) does not count. */
const FORCE_AFTER_MS = 1_000;
let firstSignalAt = 0;
function onSignal(): void {
  if (!stopping) {
    firstSignalAt = Date.now();
    void shutdown(0);
  } else if (Date.now() - firstSignalAt > FORCE_AFTER_MS) {
    say('stopping now');
    supervisor?.killAll();
  }
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

/** A host to print in URLs: a wildcard bind address is reachable on the loopback. */
function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

async function apiPort(): Promise<number> {
  const { PORT, HOST } = config.env;
  try {
    return await claimablePort(PORT, HOST);
  } catch (err) {
    if (config.portGiven) throw new Error(`PORT ${PORT} is in use on ${HOST}`, { cause: err });
    const port = await claimablePort(0, HOST);
    say(`port ${PORT} is in use; the API takes ${port} instead (set PORT to choose)`);
    return port;
  }
}

async function start(): Promise<void> {
  const started = performance.now();
  say(`Photospots: starting from ${REPO_ROOT}`);
  backingStarting = startBackingServices(config, say);
  backing = await backingStarting;
  abort.signal.throwIfAborted();
  if (backing.restoredMessages > 0) say(`${backing.restoredMessages} message(s) saved by the last stop queued again`);
  database = createDatabase(backing.databaseUrl, { max: 2, applicationName: 'launcher' });
  const queues = await resolveQueues(backing.sqs, backing.queueNames);
  const queueNames = backing.queueNames;
  abort.signal.throwIfAborted();

  const serviceEnv: Record<string, string> = {
    DATABASE_URL: backing.databaseUrl,
    AWS_ENDPOINT_URL: backing.awsEndpoint,
    ...Object.fromEntries(QUEUES.map((q) => [q.envVar, queueNames[q.key]])),
    // Short long-polls so Ctrl-C stops the consumers within a second or two.
    SQS_WAIT_TIME_SECONDS: process.env.SQS_WAIT_TIME_SECONDS ?? '2',
    HEALTH_HOST: process.env.HEALTH_HOST ?? '127.0.0.1',
    ...(backing.redisUrl ? { REDIS_URL: backing.redisUrl } : {}),
  };
  const port = await apiPort();
  // Each worker's health server takes any free port and writes it down: a port picked here and handed over
  // could be taken by another process in between.
  const portFiles = new Map(WORKERS.map((name) => [name, path.join(config.dataDir, 'run', `${name}.health-port`)]));
  await mkdir(path.join(config.dataDir, 'run'), { recursive: true });
  await Promise.all([...portFiles.values()].map((file) => rm(file, { force: true })));
  abort.signal.throwIfAborted();
  const host = displayHost(config.env.HOST);
  const baseUrl = `http://${host}:${port}`;
  const readyUrls: Record<string, ReadyUrl> = {};
  // From here to the last spawn nothing awaits, so a Ctrl-C cannot slip in between.
  supervisor = new Supervisor({
    cwd: REPO_ROOT,
    logDir: path.join(config.dataDir, 'logs'),
    say,
    onUnexpectedExit: (name, code, tail) => {
      say(`${name} exited unexpectedly (${code}); its last log lines:`);
      for (const line of tail.slice(-15)) say(`    ${line}`);
      void shutdown(1);
    },
  });
  for (const name of WORKERS) {
    const portFile = portFiles.get(name)!;
    supervisor.start(name, path.join(REPO_ROOT, 'apps', name, 'src/main.ts'), [], {
      ...serviceEnv,
      HEALTH_PORT: '0',
      HEALTH_PORT_FILE: portFile,
    });
    readyUrls[name] = async () => {
      const written = await readFile(portFile, 'utf8').catch(() => undefined);
      return written && `http://127.0.0.1:${written.trim()}/readyz`;
    };
  }
  supervisor.start('query-api', path.join(REPO_ROOT, 'apps/query-api/src/main.ts'), [], {
    ...serviceEnv,
    PORT: String(port),
    HOST: config.env.HOST,
  });
  readyUrls['query-api'] = `${baseUrl}/readyz`;
  await waitForReady(readyUrls, READY_TIMEOUT_MS, abort.signal);
  say(
    `services ready: ${[...WORKERS, 'query-api'].join(', ')} (pids ${supervisor.pids().join(', ')}; logs in .data/logs/)`,
  );

  if (lock.previousRunUnclean && backing.embedded.sqsS3) {
    await recoverLostMessages({
      sql: database.sql,
      sqs: backing.sqs,
      queueUrls: queues.url,
      supervisor,
      repoRoot: REPO_ROOT,
      serviceEnv,
      say,
    });
  }

  const sample = new SampleImport({
    sql: database.sql,
    sqs: backing.sqs,
    queueUrls: queues.url,
    sampleCsv: config.sampleCsv,
  });
  const checkpoint = await sample.checkpoint();
  const importing = !checkpoint?.done;
  if (importing) {
    await sample.request();
    say(
      checkpoint
        ? `resuming the interrupted import of the Dresden sample (after ${count(checkpoint.rowsRead)} rows)`
        : 'first run: importing the Dresden sample (17,879 photos) through ingest → processing → scoring',
    );
  } else {
    say(`reusing the stored data (the sample was imported before)`);
  }
  const settling = performance.now();
  let state = await sample.state();
  if (!importing && !isSettled(state))
    say(
      `finishing the work the last run left (${state.dirtyTiles} dirty tiles, ${state.outbox} unsent, ${state.queued} queued messages)`,
    );
  state = await sample.waitUntilSettled({
    timeoutMs: SETTLE_TIMEOUT_MS,
    signal: abort.signal,
    onProgress: (s) => status.update(describeProgress(s)),
  });
  status.done(describeProgress(state));
  if (!isSettled(state)) {
    say(
      `warning: the pipeline has not settled after ${since(settling)} (${state.dirtyTiles} dirty tiles, ${state.outbox} unsent, ${state.queued} queued); see .data/logs/`,
    );
  } else if (importing) {
    say(`sample imported, clustered and scored in ${since(settling)}`);
  }

  const lines: string[] = [];
  for (const example of EXAMPLES) {
    const items = await exampleItemCount(baseUrl, example);
    lines.push(
      `  # ${example.title}${items === 0 ? ' (no results yet!)' : ''}`,
      `  ${curlCommand(baseUrl, example)}`,
      '',
    );
  }
  say('');
  say(`Photospots is ready at ${baseUrl} (started in ${since(started)})`);
  say('');
  say('Try:');
  say('  # The map: the hotspots, their search and details, in a browser');
  say(`  ${mapPageUrl(baseUrl)}`);
  say('');
  for (const line of lines) say(line);
  say('Ctrl-C stops everything.');
}

start().catch((err: unknown) => {
  if (abort.signal.aborted) return;
  say(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  void shutdown(1);
});
