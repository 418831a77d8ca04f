/**
 * `npm run compose:check`: the real stack, from docker-compose.yml, on the
 * container engine there is (tools/containers/engine.ts). It builds every image,
 * brings the stack up, runs the migrate job, imports the Dresden sample through
 * the ingest container, waits until query-api answers `nearby` at the
 * Frauenkirche, fetches the map page and a vector tile, checks /readyz of every
 * service and that nothing restarted, then
 * takes the stack down with its volumes and checks nothing of it is left. It
 * prints each image's size and each step's time.
 *
 * Exit codes: 0 passed, 1 failed, 3 skipped (no engine: one line says why).
 * Options: --json <file> writes the report; PHOTOSPOTS_COMPOSE_PROJECT names the
 * compose project (default photospots-check).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type Docker from 'dockerode';
import { tileXY, WORK_TILE_ZOOM } from '@photospots/geo';
import { claimablePort } from '../start/free-port.ts';
import { composeFiles, dockerClient, findEngine, NO_ENGINE_EXIT_CODE, type Engine } from './engine.ts';

const SAMPLE = '/data/flickr-dresden-cc-by.csv';
const SAMPLE_ROWS = 17_879;
const FRAUENKIRCHE = { lat: 51.0519, lng: 13.7416 };
const SERVICES = ['ingest', 'processing', 'scoring', 'query-api'] as const;

const MINUTE = 60_000;
/** Bounds on each step; the first build from nothing takes ~5 min on 2 cores. */
const TIMEOUTS = {
  build: 40 * MINUTE,
  up: 10 * MINUTE,
  migrate: 5 * MINUTE,
  import: 10 * MINUTE,
  nearby: 10 * MINUTE,
  exec: MINUTE,
  down: 5 * MINUTE,
};

export interface ComposeCheckReport {
  engine: string;
  compose: string;
  standIns: boolean;
  steps: { step: string; seconds: number }[];
  images: { service: string; image: string; megabytes: number }[];
  imported: { rowsRead: number; inserted: number; rejected: number };
  nearby: { items: number; first: { label: string; userCount: number; photoCount: number } | undefined };
  mapPage: { path: string; status: number; bytes: number }[];
  readiness: { service: string; status: number }[];
  restarts: { container: string; count: number }[];
  leftovers: string[];
}

class StepFailed extends Error {}

interface Run {
  code: number | null;
  output: string;
}

/** Runs a command to completion within a deadline, keeping its output (stdout and stderr interleaved). */
function run(command: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new StepFailed(`${command.join(' ')}: no result after ${timeoutMs / 1000} s\n${tail(output)}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const tail = (text: string, lines = 40) => text.trimEnd().split('\n').slice(-lines).join('\n');

export async function composeCheck(
  engine: Engine,
  project: string,
  log: (line: string) => void,
): Promise<ComposeCheckReport> {
  const apiPort = await claimablePort(0, '127.0.0.1');
  const env = { ...process.env, ...engine.env, PHOTOSPOTS_API_PORT: String(apiPort) };
  const compose = [...engine.compose, '-p', project, ...composeFiles(engine.standIns)];
  const docker = dockerClient(env);
  const report: ComposeCheckReport = {
    engine: `${engine.name} ${engine.version}`,
    compose: engine.compose.join(' '),
    standIns: engine.standIns,
    steps: [],
    images: [],
    imported: { rowsRead: 0, inserted: 0, rejected: 0 },
    nearby: { items: 0, first: undefined },
    mapPage: [],
    readiness: [],
    restarts: [],
    leftovers: [],
  };

  const step = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const result = await body();
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    report.steps.push({ step: name, seconds });
    log(`${name.padEnd(34)} ${seconds.toFixed(1).padStart(6)} s`);
    return result;
  };
  const composeRun = async (args: string[], timeoutMs: number): Promise<string> => {
    const result = await run([...compose, ...args], env, timeoutMs);
    if (result.code !== 0)
      throw new StepFailed(`${[...compose, ...args].join(' ')} exited ${result.code}\n${tail(result.output)}`);
    return result.output;
  };
  const projectFilter = { label: [`com.docker.compose.project=${project}`] };
  const containers = () => docker.listContainers({ all: true, filters: projectFilter });

  log(
    `engine: ${report.engine}; compose: ${report.compose}${engine.standIns ? '; stand-in images (docker/compose.stand-ins.yml)' : ''}`,
  );
  // What an interrupted earlier check left.
  await composeRun(['down', '-v', '--remove-orphans'], TIMEOUTS.down);
  try {
    await step('build every image', () => composeRun(['build'], TIMEOUTS.build));
    await step('up (healthy, migrate done)', () =>
      composeRun(['up', '-d', '--no-build', '--wait', '--wait-timeout', String(TIMEOUTS.up / 1000)], TIMEOUTS.up),
    );

    for (const info of await containers()) {
      const service = info.Labels['com.docker.compose.service']!;
      const image = await docker.getImage(info.ImageID).inspect();
      report.images.push({ service, image: info.Image, megabytes: Math.round(image.Size / 1e6) });
    }
    report.images.sort((a, b) => a.service.localeCompare(b.service));
    for (const { service, image, megabytes } of report.images)
      log(`  image ${service.padEnd(11)} ${String(megabytes).padStart(5)} MB  ${image}`);

    await step('migrate job', async () => {
      const [job] = await docker.listContainers({
        all: true,
        filters: { label: [...projectFilter.label, 'com.docker.compose.service=migrate'] },
      });
      const state = job && (await docker.getContainer(job.Id).inspect()).State;
      if (state?.Status !== 'exited' || state.ExitCode !== 0)
        throw new StepFailed(
          `the migrate job ran at up, but is ${state?.Status ?? 'missing'} (exit ${state?.ExitCode})`,
        );
      // Run again: migrations are idempotent, and each deploy runs the job.
      const output = await composeRun(['run', '--rm', '--no-deps', 'migrate'], TIMEOUTS.migrate);
      if (!output.includes('migrations applied'))
        throw new StepFailed(`migrate printed no "migrations applied":\n${tail(output)}`);
    });

    await step('import the Dresden sample (ingest)', async () => {
      const output = await composeRun(
        ['run', '--rm', '--no-deps', 'ingest', 'node', 'cli.js', 'import', SAMPLE],
        TIMEOUTS.import,
      );
      const count = (label: string) => Number(new RegExp(`${label}\\s+(\\d+)`).exec(output)?.[1] ?? NaN);
      report.imported = {
        rowsRead: count('rows read'),
        inserted: count('photos inserted'),
        rejected: count('rows rejected'),
      };
      if (report.imported.rowsRead !== SAMPLE_ROWS || report.imported.rejected !== 0)
        throw new StepFailed(
          `the import read ${report.imported.rowsRead} rows (of ${SAMPLE_ROWS}) and rejected ${report.imported.rejected}:\n${tail(output)}`,
        );
    });

    await step('nearby answers at the Frauenkirche', async () => {
      const url = `http://127.0.0.1:${apiPort}/v1/hotspots/nearby?lat=${FRAUENKIRCHE.lat}&lng=${FRAUENKIRCHE.lng}&radius=300`;
      const deadline = Date.now() + TIMEOUTS.nearby;
      for (;;) {
        let last: string;
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
          const text = await response.text();
          last = `${response.status} ${text}`;
          if (response.ok) {
            const body = JSON.parse(text) as {
              items: { label: string; userCount: number; photoCount: number }[];
            };
            if (body.items.length > 0) {
              report.nearby = { items: body.items.length, first: body.items[0] && pick(body.items[0]) };
              return;
            }
          }
        } catch (err) {
          last = (err as Error).message;
        }
        if (Date.now() > deadline)
          throw new StepFailed(
            `no hotspot near the Frauenkirche after ${TIMEOUTS.nearby / 1000} s; last answer: ${last.slice(0, 300)}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    });
    const first = report.nearby.first!;
    log(
      `  nearby: ${report.nearby.items} hotspots; first "${first.label}" (${first.userCount} people, ${first.photoCount} photos)`,
    );

    await step('the map page, MapLibre and a vector tile from the image', async () => {
      // The bundle finds the page's files beside it and MapLibre in its node_modules: only the image proves both.
      const { x, y } = tileXY(FRAUENKIRCHE.lat, FRAUENKIRCHE.lng);
      const checks = [
        { path: '/', type: 'text/html' },
        { path: '/map/map.js', type: 'javascript' },
        { path: '/map/vendor/maplibre-gl/maplibre-gl.mjs', type: 'javascript' },
        { path: `/v1/tiles/${WORK_TILE_ZOOM}/${x}/${y}.mvt`, type: 'application/vnd.mapbox-vector-tile' },
      ];
      for (const check of checks) {
        const response = await fetch(`http://127.0.0.1:${apiPort}${check.path}`, {
          signal: AbortSignal.timeout(5_000),
        });
        const bytes = (await response.arrayBuffer()).byteLength;
        const type = response.headers.get('content-type') ?? '';
        report.mapPage.push({ path: check.path, status: response.status, bytes });
        if (response.status !== 200 || !type.includes(check.type) || bytes === 0)
          throw new StepFailed(`GET ${check.path}: ${response.status} ${type}, ${bytes} bytes`);
      }
    });
    log(`  map page: ${report.mapPage.map((c) => `${c.path} ${c.bytes} B`).join(', ')}`);

    await step('readiness of every service', async () => {
      for (const service of SERVICES) {
        // From inside each container: the workers' health ports are not published.
        const probe =
          "fetch('http://127.0.0.1:' + process.env[process.env.HEALTHCHECK_PORT_VARIABLE] + '/readyz')" +
          '.then((r) => { console.log(r.status); process.exit(r.ok ? 0 : 1); }, (e) => { console.log(e.message); process.exit(1); })';
        const result = await run([...compose, 'exec', '-T', service, 'node', '-e', probe], env, TIMEOUTS.exec);
        const status = Number(result.output.trim().split('\n').at(-1));
        report.readiness.push({ service, status });
        if (result.code !== 0) throw new StepFailed(`${service} /readyz: ${tail(result.output, 5)}`);
      }
      for (const info of await containers()) {
        const state = (await docker.getContainer(info.Id).inspect()) as Docker.ContainerInspectInfo;
        const name = info.Labels['com.docker.compose.service']!;
        report.restarts.push({ container: name, count: state.RestartCount });
        if (name === 'migrate') continue;
        const health = state.State.Health?.Status;
        if (!state.State.Running || (health !== undefined && health !== 'healthy'))
          throw new StepFailed(`${name} is ${state.State.Status}${health ? ` (${health})` : ''}`);
      }
      const restarted = report.restarts.filter((r) => r.count > 0);
      if (restarted.length > 0)
        throw new StepFailed(`restarted: ${restarted.map((r) => `${r.container} ×${r.count}`).join(', ')}`);
    });
  } catch (err) {
    if (err instanceof StepFailed) {
      const logs = await run([...compose, 'logs', '--no-color', '--tail', '30'], env, TIMEOUTS.exec).catch(
        () => undefined,
      );
      if (logs) log(`--- the stack's last log lines ---\n${tail(logs.output, 200)}`);
    }
    throw err;
  } finally {
    await step('down -v', () => composeRun(['down', '-v', '--remove-orphans'], TIMEOUTS.down));
    const left = [
      ...(await containers()).map((c) => `container ${c.Names.join(',')}`),
      ...((await docker.listVolumes({ filters: projectFilter })).Volumes ?? []).map((v) => `volume ${v.Name}`),
      ...(await docker.listNetworks({ filters: projectFilter })).map((n) => `network ${n.Name}`),
    ];
    report.leftovers = left;
  }
  if (report.leftovers.length > 0) throw new StepFailed(`left after down -v: ${report.leftovers.join(', ')}`);
  return report;
}

function pick(item: { label: string; userCount: number; photoCount: number }) {
  return { label: item.label, userCount: item.userCount, photoCount: item.photoCount };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { json: { type: 'string' } } });
  const started = Date.now();
  const log = (line: string) => console.log(line);
  const search = await findEngine((line) => log(line));
  if ('missing' in search) {
    console.log(`compose check skipped: ${search.missing}`);
    process.exit(NO_ENGINE_EXIT_CODE);
  }
  try {
    const report = await composeCheck(search.found, process.env.PHOTOSPOTS_COMPOSE_PROJECT ?? 'photospots-check', log);
    if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2));
    console.log(`compose check passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } catch (err) {
    console.error(`compose check failed: ${(err as Error).message}`);
    process.exit(1);
  }
}
