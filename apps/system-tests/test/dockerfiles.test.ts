import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  createTestEnv,
  freePort,
  HARNESS_ENV,
  REPO_ROOT,
  startProcess,
  waitFor,
  type TestEnv,
} from '@photospots/test-harness';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envOf, execForm, last, parseDockerfile, type Dockerfile } from './support/dockerfile.ts';

/**
 * No container engine runs here, so each image's command is run the way the
 * image runs it: the Dockerfile's CMD, in the folder its final stage copies
 * from the build (dist/apps/<app>), with the image's ENV. A broken entry point,
 * a bundle that does not start or a HEALTHCHECK that never passes fails here.
 */

const DOCKER_DIR = path.join(REPO_ROOT, 'docker');
const DOCKERFILE = path.join(DOCKER_DIR, 'Dockerfile');
const SERVICES = ['ingest', 'processing', 'scoring', 'query-api'];
const JOBS = ['migrate'];

/** Each app's image: docker/Dockerfile as `docker build --build-arg APP=<app>` reads it. */
const dockerfiles = new Map<string, Dockerfile>(
  [...SERVICES, ...JOBS].map((app) => [app, parseDockerfile(DOCKERFILE, { APP: app })]),
);

let env: TestEnv;

/** Where the final stage's files come from here: `COPY --from=build /repo/dist/apps/<app> ./`. */
function builtOutput(app: string): string {
  const copy = dockerfiles
    .get(app)!
    .final.instructions.find((i) => i.keyword === 'COPY' && /\/repo\/dist\//.test(i.args));
  expect(copy, `${app}: the final stage copies the built bundle`).toBeDefined();
  const [from, to] = copy!.args.split(' ').filter((a) => !a.startsWith('--'));
  expect(to).toBe('./');
  return path.join(REPO_ROOT, from!.replace(/^\/repo\//, ''));
}

/** The image's CMD as a command line here (`node` is this Node). */
function commandOf(app: string): [string, string[]] {
  const cmd = execForm(last(dockerfiles.get(app)!.final, 'CMD')!.args);
  return [cmd[0] === 'node' ? process.execPath : cmd[0]!, cmd.slice(1)];
}

beforeAll(() => {
  // The same build CI runs (nx run-many -t build), so the images' input is what is tested.
  execFileSync(
    process.execPath,
    [
      path.join(REPO_ROOT, 'node_modules/.bin/nx'),
      'run-many',
      '-t',
      'build',
      `--projects=${[...SERVICES, ...JOBS].join(',')}`,
      '--outputStyle=static',
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
      stdio: 'pipe',
    },
  );
}, 120_000);

beforeAll(async () => {
  env = await createTestEnv();
});

afterAll(async () => {
  await env?.close();
});

describe('the Dockerfile', () => {
  it('is one, with an image per service and one for the migration job, chosen by APP', () => {
    expect(readdirSync(DOCKER_DIR).filter((f) => /dockerfile/i.test(f))).toEqual(['Dockerfile']);
    // The stages named after a project in apps/ are the images APP chooses from.
    const images = parseDockerfile(DOCKERFILE)
      .stages.map((s) => s.name ?? '')
      .filter((name) => existsSync(path.join(REPO_ROOT, 'apps', name, 'project.json')));
    expect(images.sort()).toEqual([...SERVICES, ...JOBS].sort());
    for (const [app, file] of dockerfiles) expect(file.final.parent, app).toBe(app);
  });

  it.each([...SERVICES, ...JOBS])(
    '%s: multi-stage from a small Node 24 image, production dependencies only, non-root, NODE_ENV=production',
    (app) => {
      const file = dockerfiles.get(app)!;
      expect(file.stages.length).toBeGreaterThanOrEqual(3);
      for (const stage of file.stages) expect(stage.from).toBe('${NODE_IMAGE}');
      expect(file.args.NODE_IMAGE).toMatch(/^node:24(\.\d+)*-alpine$/);
      // No step depends on the base's distribution, so it builds on Alpine and on Debian
      // (node:24-bookworm-slim, which the compose check's stand-ins override uses).
      for (const run of file.stages.flatMap((s) => s.instructions).filter((i) => i.keyword === 'RUN'))
        expect(run.args).not.toMatch(/\b(apk|apt-get|apt|dpkg)\b/);

      const final = file.final;
      expect(envOf(final).NODE_ENV).toBe('production');
      expect(last(final, 'USER')?.args).toBe('node');
      expect(last(final, 'WORKDIR')?.args).toBe('/app');
      // node_modules come from a stage that installed this workspace's production dependencies only.
      const modules = final.instructions.find((i) => i.keyword === 'COPY' && i.args.includes('node_modules'))!;
      const depsStage = file.stages.find((s) => modules.args.includes(`--from=${s.name}`))!;
      const install = depsStage.instructions.find((i) => i.keyword === 'RUN' && i.args.includes('npm ci'))!;
      expect(install.args).toContain('--omit=dev');
      expect(install.args).toContain(`--workspace apps/${app}`);
      // The bundle the build makes for this app, nothing else from the repository.
      expect(builtOutput(app)).toBe(path.join(REPO_ROOT, 'dist/apps', app));
      expect(final.instructions.filter((i) => i.keyword === 'COPY')).toHaveLength(2);
    },
  );

  it.each(SERVICES)('%s: its CMD starts the built bundle, and its HEALTHCHECK passes once it is ready', async (app) => {
    const file = dockerfiles.get(app)!;
    const healthcheck = last(file.final, 'HEALTHCHECK')!;
    expect(healthcheck.args).toMatch(/^--interval=\S+ --timeout=\S+ --start-period=\S+ --retries=\d+ CMD \[/);
    const probe = execForm(healthcheck.args.slice(healthcheck.args.indexOf('CMD ') + 4));
    const [command, args] = commandOf(app);
    const cwd = builtOutput(app);
    expect(existsSync(path.join(cwd, args[0]!)), `${args[0]} in ${cwd}`).toBe(true);

    const ports = { HEALTH_PORT: String(await freePort()), PORT: String(await freePort()) };
    // Short long-polls only so that stopping takes a second, not ten.
    const vars = { ...env.serviceEnv({ SQS_WAIT_TIME_SECONDS: '1' }), ...ports, ...envOf(file.final) };
    const service = startProcess(app, command, args, vars, cwd);
    try {
      await waitFor(
        () => {
          const run = spawnSync(probe[0] === 'node' ? process.execPath : probe[0]!, probe.slice(1), {
            env: { PATH: process.env.PATH ?? '', ...vars },
            timeout: 5_000,
          });
          return run.status === 0;
        },
        { timeoutMs: 30_000, intervalMs: 300, message: `${app}'s HEALTHCHECK to pass` },
      ).catch((err: Error) => {
        throw new Error(`${err.message}\n--- ${app} output ---\n${service.output()}`);
      });
      expect(service.output()).not.toMatch(/"level":(50|60)/);
    } finally {
      expect(await service.stop('SIGTERM')).toBe(0);
    }
  });

  it('migrate: its CMD applies every migration to an empty database and exits 0, twice', async () => {
    expect(last(dockerfiles.get('migrate')!.final, 'HEALTHCHECK')?.args).toBe('NONE');
    const adminUrl = process.env[HARNESS_ENV.adminDatabaseUrl]!;
    const name = `photospots_migrate${randomBytes(3).toString('hex')}_${process.env[HARNESS_ENV.runId]}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    try {
      const [command, args] = commandOf('migrate');
      for (const round of [1, 2]) {
        const job = startProcess(
          'migrate',
          command,
          args,
          { DATABASE_URL: url.toString(), ...envOf(dockerfiles.get('migrate')!.final) },
          builtOutput('migrate'),
        );
        const code = await new Promise((resolve) => job.child.once('close', resolve));
        expect(code, `round ${round}: ${job.output()}`).toBe(0);
        expect(job.output()).toContain('migrations applied');
      }
      const db = postgres(url.toString(), { max: 1 });
      const tables = await db<{ table_name: string }[]>`
        select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'spatial_ref_sys' order by 1`;
      await db.end();
      expect(tables.map((t) => t.table_name)).toEqual([
        'dirty_tiles',
        'favorites',
        'hotspot_photos',
        'hotspots',
        'ingest_checkpoints',
        'outbox',
        'photos',
        // Made before the migrations, which run under a lease (libs/db/src/leases.ts).
        'photospots_leases',
        'users',
      ]);
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
