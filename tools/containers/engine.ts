/**
 * Finds a container engine for the compose check and the testcontainers suite:
 * Docker (or whatever answers the Docker API at DOCKER_HOST) when one answers;
 * otherwise Podman, set up by the recipe PHOTOSPOTS_PODMAN_SETUP points at
 * (../shared/containers/containers-here.sh: stand-in base images, the API
 * socket and a healthcheck pump). Compose is Docker Compose v2, as `docker
 * compose` or `docker-compose`.
 *
 *   node tools/containers/engine.ts          prints the engine, or why there is none
 *   eval "$(node tools/containers/engine.ts --export)"   sets up Podman if needed and
 *                                            prints the variables the tools need (exit 3: no engine)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';

/** The image docker/compose.stand-ins.yml names for LocalStack; tests start it too. */
export const LOCALSTACK_STAND_IN = 'photospots-localstack-stand-in';
const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const PING_TIMEOUT_MS = 5_000;
/** `--export` exits with it when no engine can be had (a failed set-up exits 1). */
export const NO_ENGINE_EXIT_CODE = 3;
/** Building the stand-in base images takes ~2.5 min from nothing; a stuck debootstrap must not hang CI. */
const SETUP_TIMEOUT_MS = 20 * 60_000;

export interface Engine {
  /** What answered the Docker API ("Docker Engine - Community", "Podman Engine"). */
  name: string;
  version: string;
  /**
   * Whether third-party images come from docker/compose.stand-ins.yml: on Podman (the recipe's
   * stand-ins) unless PHOTOSPOTS_COMPOSE_STAND_INS=false, elsewhere only with =true.
   */
  standIns: boolean;
  /** The environment compose, docker and testcontainers need, to add to process.env. */
  env: Record<string, string>;
  /** The compose command: ["docker", "compose"] or ["docker-compose"]. */
  compose: string[];
}

export type EngineSearch = { found: Engine } | { missing: string };

/**
 * A Docker API client for DOCKER_HOST (unix:// or tcp://) as env gives it. dockerode
 * reads the variable (and TLS settings) from process.env itself when env is process.env.
 */
export function dockerClient(env: NodeJS.ProcessEnv, timeout = 30_000): Docker {
  const host = env.DOCKER_HOST;
  if (!host || host === process.env.DOCKER_HOST) return new Docker({ timeout });
  const url = new URL(host);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname, timeout });
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http', timeout });
}

/** What answers the Docker API at DOCKER_HOST (or the default socket), or why nothing does. */
async function ping(env: NodeJS.ProcessEnv): Promise<{ name: string; version: string } | string> {
  try {
    const docker = dockerClient(env, PING_TIMEOUT_MS);
    await docker.ping();
    const version = await docker.version();
    return { name: version.Components?.[0]?.Name ?? 'Docker API', version: version.Version };
  } catch (err) {
    return `${env.DOCKER_HOST ?? 'the default Docker socket'}: ${(err as Error).message}`;
  }
}

/** Compose v2; v1 (docker-compose 1.x) creates one-off containers with links, which Podman refuses. */
function composeCommand(env: NodeJS.ProcessEnv): string[] | string {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const run = spawnSync(command[0]!, [...command.slice(1), 'version', '--short'], { env, encoding: 'utf8' });
    const major = Number(/^v?(\d+)\./.exec(run.stdout?.trim() ?? '')?.[1]);
    if (run.status === 0 && major >= 2) return command;
  }
  return 'no Docker Compose v2 (`docker compose` or `docker-compose` 2.x)';
}

function commandExists(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Sets Podman up with the recipe: the stand-in base images (kept between runs),
 * the API socket and the healthcheck pump. Returns the variables its tools need.
 */
function setUpPodman(recipe: string, log: (line: string) => void): Record<string, string> {
  const work = process.env.PHOTOSPOTS_CONTAINERS_DIR ?? path.join(homedir(), '.cache/photospots/containers');
  // crun refuses this sandbox's cgroup layout ("cgroups in hybrid mode not supported"); runc runs
  // there. The recipe calls `podman` by name, so a wrapper first on PATH chooses the runtime.
  const bin = path.join(work, 'bin');
  mkdirSync(bin, { recursive: true });
  const runtime = process.env.PHOTOSPOTS_PODMAN_RUNTIME ?? (commandExists('runc') ? 'runc' : '');
  const podman = (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => dir && path.resolve(dir) !== bin)
    .map((dir) => path.join(dir, 'podman'))
    .find((file) => existsSync(file));
  if (!podman) throw new Error('podman is not on PATH');
  writeFileSync(
    path.join(bin, 'podman'),
    `#!/bin/sh\n# Podman with the OCI runtime the compose check chose (tools/containers/engine.ts).\nexec ${podman}${runtime ? ` --runtime ${runtime}` : ''} "$@"\n`,
  );
  chmodSync(path.join(bin, 'podman'), 0o755);
  const env = { ...process.env, CTR_WORK: work, PATH: `${bin}:${process.env.PATH}` };
  const run = (args: string[]) => {
    const started = Date.now();
    execFileSync(recipe, args, { env, stdio: ['ignore', 'pipe', 'inherit'], timeout: SETUP_TIMEOUT_MS });
    log(`podman: ${recipe} ${args.join(' ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  };
  run(['images']);
  run(['start']);
  const exports = execFileSync(recipe, ['env'], { env, encoding: 'utf8' });
  const vars: Record<string, string> = { PATH: env.PATH };
  for (const [, name, value] of exports.matchAll(/(\w+)=(\S+)/g)) vars[name!] = value!;
  return vars;
}

/** The compose command line for the stack, with the stand-ins override when they are used. */
export function composeFiles(standIns: boolean): string[] {
  return [
    '-f',
    path.join(REPO_ROOT, 'docker-compose.yml'),
    ...(standIns ? ['-f', path.join(REPO_ROOT, 'docker/compose.stand-ins.yml')] : []),
  ];
}

/** Builds the LocalStack stand-in unless it is there (the testcontainers suite starts it before any compose build). */
async function buildLocalstackStandIn(
  compose: string[],
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<void> {
  const built = await dockerClient(env, PING_TIMEOUT_MS)
    .getImage(LOCALSTACK_STAND_IN)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (built) return;
  const started = Date.now();
  execFileSync(compose[0]!, [...compose.slice(1), ...composeFiles(true), 'build', 'localstack'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: SETUP_TIMEOUT_MS,
  });
  log(`built ${LOCALSTACK_STAND_IN} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** Finds (and, for Podman, sets up) an engine with Compose v2. */
export async function findEngine(log: (line: string) => void = () => undefined): Promise<EngineSearch> {
  let env: Record<string, string> = {};
  let answer = await ping(process.env);
  const recipe = process.env.PHOTOSPOTS_PODMAN_SETUP;
  if (typeof answer === 'string' && recipe) {
    if (!commandExists('podman')) return { missing: `${answer}; and podman is not installed` };
    env = setUpPodman(recipe, log);
    answer = await ping({ ...process.env, ...env });
  }
  if (typeof answer === 'string') {
    return {
      missing: `no container engine answers (${answer})${recipe ? '' : '; set PHOTOSPOTS_PODMAN_SETUP to use Podman'}`,
    };
  }
  const standIns = process.env.PHOTOSPOTS_COMPOSE_STAND_INS
    ? process.env.PHOTOSPOTS_COMPOSE_STAND_INS === 'true'
    : /podman/i.test(answer.name);
  if (/podman/i.test(answer.name)) {
    // Podman's Docker API has no BuildKit: compose builds with the classic builder.
    env.DOCKER_BUILDKIT = '0';
    // testcontainers' reaper image (Ryuk) is not among the stand-ins; the tests stop what they start.
    env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  }
  const compose = composeCommand({ ...process.env, ...env });
  if (typeof compose === 'string') return { missing: `${answer.name} answers, but there is ${compose}` };
  if (standIns) {
    env.PHOTOSPOTS_LOCALSTACK_IMAGE = LOCALSTACK_STAND_IN;
    await buildLocalstackStandIn(compose, { ...process.env, ...env }, log);
  }
  return { found: { ...answer, standIns, env, compose } };
}

if (import.meta.main) {
  const exporting = process.argv.includes('--export');
  const search = await findEngine((line) => console.error(line));
  if ('missing' in search) {
    console.error(search.missing);
    process.exit(exporting ? NO_ENGINE_EXIT_CODE : 0);
  }
  const { found } = search;
  if (exporting) {
    console.log(
      Object.entries(found.env)
        .map(([k, v]) => `export ${k}=${v}`)
        .join('\n'),
    );
  } else {
    console.log(`${found.name} ${found.version}; compose: ${found.compose.join(' ')}`);
  }
}
