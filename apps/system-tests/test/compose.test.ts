import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { describeEnv, storageEnv } from '@photospots/config';
import { DLQ_SUFFIX, QUEUES } from '@photospots/contracts';
import { ingestEnv, loadIngestConfig } from '@photospots/ingest/config';
import { loadMigrateConfig, migrateEnv } from '@photospots/migrate/config';
import { loadProcessingConfig, processingEnv } from '@photospots/processing/config';
import { loadQueryApiConfig, queryApiEnv } from '@photospots/query-api/config';
import { createSqsClient, resolveQueues } from '@photospots/queue';
import { loadScoringConfig, scoringEnv } from '@photospots/scoring/config';
import { HARNESS_ENV, REPO_ROOT, startFauxqsServer } from '@photospots/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseDockerfile, probedPort } from './support/dockerfile.ts';

/**
 * docker-compose.yml against the code: a real parser validates it (Debian's
 * docker-compose, `config -q`, no engine needed), and its services, variables,
 * queue names and dependencies are checked against the config schemas and the
 * message contracts. The LocalStack init script is run against an SQS endpoint.
 */

const COMPOSE_FILE = path.join(REPO_ROOT, 'docker-compose.yml');
const DOCKERFILE = path.join(REPO_ROOT, 'docker', 'Dockerfile');
const INIT_SCRIPT = path.join(REPO_ROOT, 'docker/localstack/init-aws.sh');

const APPS = {
  ingest: { schema: ingestEnv, load: loadIngestConfig },
  processing: { schema: processingEnv, load: loadProcessingConfig },
  scoring: { schema: scoringEnv, load: loadScoringConfig },
  'query-api': { schema: queryApiEnv, load: loadQueryApiConfig },
  migrate: { schema: migrateEnv, load: loadMigrateConfig },
} as const;
type App = keyof typeof APPS;

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; args?: Record<string, string> };
  environment?: Record<string, string | number | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  ports?: (string | { target: number; published: string | number; host_ip?: string })[];
}

function available(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

const dockerCompose = available('docker-compose', ['version']);
const awsCli = available('aws', ['--version']);
if (!dockerCompose)
  console.warn(
    '[compose.test] docker-compose is not installed (apt-get install docker-compose): the `config -q` check is skipped; the file is parsed with the yaml package instead',
  );

/** Compose's variable substitution (`${NAME}`, `${NAME:-default}`, `${NAME-default}`), for when docker-compose is absent. */
function interpolate(text: string): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}/g,
    (_m, name: string, colon: string | undefined, fallback: string | undefined) => {
      const value = process.env[name];
      if (fallback === undefined) return value ?? '';
      return value === undefined || (colon === ':' && value === '') ? fallback : value;
    },
  );
}

let services: Record<string, ComposeService>;

beforeAll(() => {
  // docker-compose's own normalised view (anchors and merges resolved) when it is there.
  const text = dockerCompose
    ? execFileSync('docker-compose', ['-f', COMPOSE_FILE, 'config'], { encoding: 'utf8' })
    : interpolate(readFileSync(COMPOSE_FILE, 'utf8'));
  services = (parse(text, { merge: true }) as { services: Record<string, ComposeService> }).services;
});

const envOf = (name: string) =>
  Object.fromEntries(Object.entries(services[name]!.environment ?? {}).map(([k, v]) => [k, String(v ?? '')]));

describe('docker-compose.yml', () => {
  it.skipIf(!dockerCompose)('is valid for docker-compose (config -q)', () => {
    const run = spawnSync('docker-compose', ['-f', COMPOSE_FILE, 'config', '-q'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('runs PostGIS, Redis, LocalStack, the migration job and the four services, each built from docker/Dockerfile', () => {
    expect(Object.keys(services).sort()).toEqual([
      'ingest',
      'localstack',
      'migrate',
      'postgres',
      'processing',
      'query-api',
      'redis',
      'scoring',
    ]);
    expect(services.postgres!.image).toMatch(/^postgis\/postgis:/);
    expect(services.redis!.image).toMatch(/^redis:/);
    expect(services.localstack!.image).toMatch(/^localstack\/localstack:/);
    expect(envOf('localstack').SERVICES).toBe('sqs,s3');
    for (const app of Object.keys(APPS)) {
      expect(services[app]!.build?.dockerfile, app).toBe('docker/Dockerfile');
      expect(services[app]!.build?.args, app).toEqual({ APP: app });
      expect(path.resolve(REPO_ROOT, services[app]!.build!.context), app).toBe(path.resolve(REPO_ROOT));
    }
  });

  it.each(Object.keys(APPS) as App[])(
    '%s: sets only variables its config schema reads, with values the schema accepts',
    (app) => {
      const env = envOf(app);
      const known = new Set(describeEnv(APPS[app].schema).map((v) => v.name));
      expect(
        Object.keys(env).filter((k) => !known.has(k)),
        `variables ${app} does not read`,
      ).toEqual([]);
      expect(() => APPS[app].load(env)).not.toThrow();
      if (app !== 'migrate') expect(env.DATABASE_URL).toBe(envOf('migrate').DATABASE_URL);
    },
  );

  it('names every queue as the message contracts do, in each service that uses it', () => {
    for (const app of Object.keys(APPS) as App[]) {
      const env = envOf(app);
      for (const spec of QUEUES.filter((q) => q.envVar in APPS[app].schema)) {
        expect(env[spec.envVar], `${app} ${spec.envVar}`).toBe(spec.defaultName);
      }
    }
  });

  it('checks Postgres over TCP: the image initialises with a server on the unix socket only', () => {
    expect(JSON.stringify(services.postgres!.healthcheck!.test)).toContain('pg_isready -h 127.0.0.1 ');
  });

  it('starts each service only after what it needs is healthy (or, for the migration job, done)', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(condition, `${name} → ${dependency}`).toBe(
          dependency === 'migrate' ? 'service_completed_successfully' : 'service_healthy',
        );
        if (condition === 'service_healthy')
          expect(services[dependency]!.healthcheck, `${dependency} has a healthcheck`).toBeDefined();
      }
    }
    expect(services.migrate!.depends_on?.postgres?.condition).toBe('service_healthy');
    for (const app of ['ingest', 'processing', 'scoring', 'query-api']) {
      const env = envOf(app);
      const deps = services[app]!.depends_on ?? {};
      expect(deps.migrate?.condition, app).toBe('service_completed_successfully');
      if (env.AWS_ENDPOINT_URL) expect(deps.localstack?.condition, `${app} uses SQS`).toBe('service_healthy');
      if (env.REDIS_URL) expect(deps.redis?.condition, `${app} uses Redis`).toBe('service_healthy');
    }
  });

  it('uses the ports the images expose and probe', () => {
    for (const app of ['ingest', 'processing', 'scoring', 'query-api']) {
      const final = parseDockerfile(DOCKERFILE, services[app]!.build!.args).final;
      const exposed = final.instructions.find((i) => i.keyword === 'EXPOSE')!.args;
      const variable = app === 'query-api' ? 'PORT' : 'HEALTH_PORT';
      expect(envOf(app)[variable], app).toBe(exposed);
      expect(probedPort(final), app).toEqual({ variable, fallback: exposed });
    }
    expect(JSON.stringify(services['query-api']!.ports)).toContain('3000');
  });
});

describe('the stand-ins override (docker/compose.stand-ins.yml), for the compose check where images cannot be pulled', () => {
  const override = parse(readFileSync(path.join(REPO_ROOT, 'docker/compose.stand-ins.yml'), 'utf8'), {
    merge: true,
  }) as { services: Record<string, ComposeService> };

  it('swaps only LocalStack for a stand-in, and the apps to the Debian Node image; nothing else changes', () => {
    expect(Object.keys(override.services).sort()).toEqual(['localstack', ...Object.keys(APPS)].sort());
    const { localstack, ...apps } = override.services;
    expect(Object.keys(localstack!).sort()).toEqual(['build', 'image']);
    expect(localstack!.build!.context).toBe('docker/stand-ins/localstack');
    for (const [app, service] of Object.entries(apps)) {
      expect(service, app).toEqual({ build: { args: { NODE_IMAGE: 'node:24-bookworm-slim' } } });
    }
  });

  it("runs the fauxqs of the lock file, the init script LocalStack runs, and prints LocalStack's Ready.", () => {
    const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string }>;
    };
    const standIn = path.join(REPO_ROOT, 'docker/stand-ins/localstack');
    const dockerfile = readFileSync(path.join(standIn, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`ARG FAUXQS_VERSION=${lock.packages['node_modules/fauxqs']!.version}\n`);
    const entrypoint = readFileSync(path.join(standIn, 'entrypoint.sh'), 'utf8');
    expect(entrypoint).toContain('/etc/localstack/init/ready.d/*.sh');
    expect(entrypoint).toContain('echo "Ready."');
    expect(readFileSync(path.join(standIn, 'awslocal'), 'utf8')).toContain('exec aws --endpoint-url');
  });
});

describe('the LocalStack init script', () => {
  const created = [...readFileSync(INIT_SCRIPT, 'utf8').matchAll(/^create_queue (\S+) (\d+) (\d+)$/gm)].map((m) => ({
    name: m[1]!,
    visibilityTimeoutSeconds: Number(m[2]),
    maxReceiveCount: Number(m[3]),
  }));

  it("creates every queue of the contracts with the contracts' settings, and the bucket the services use", () => {
    expect(created).toEqual(
      QUEUES.map((q) => ({
        name: q.defaultName,
        visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
        maxReceiveCount: q.maxReceiveCount,
      })),
    );
    const script = readFileSync(INIT_SCRIPT, 'utf8');
    expect(script).toContain(`"$name${DLQ_SUFFIX}"`);
    expect(script).toContain(`--bucket ${storageEnv.THUMBNAIL_BUCKET.parse(undefined)}`);
    // LocalStack reports healthy only once the script made the last queue and the bucket.
    const probe = JSON.stringify(services.localstack!.healthcheck!.test);
    expect(probe).toContain(`--queue-name ${created.at(-1)!.name}`);
    expect(probe).toContain(`--bucket ${storageEnv.THUMBNAIL_BUCKET.parse(undefined)}`);
  });

  // Where the script runs: in the LocalStack container of this test run (the harness starts it with the script,
  // which runs before LocalStack prints "Ready."), or here, with the aws CLI against an in-process fauxqs.
  const inContainer = process.env[HARNESS_ENV.servicesKind] === 'containers';
  if (!inContainer && !awsCli)
    console.warn(
      '[compose.test] no LocalStack container and no aws CLI: running the LocalStack init script is skipped',
    );

  describe.skipIf(!inContainer && !awsCli)('run against an SQS/S3 endpoint', () => {
    let endpoint: string;
    let stop = async () => undefined as void;
    const bucket = storageEnv.THUMBNAIL_BUCKET.parse(undefined);

    beforeAll(async () => {
      if (inContainer) {
        endpoint = process.env[HARNESS_ENV.awsEndpoint]!;
        return;
      }
      const fauxqs = await startFauxqsServer();
      const bin = mkdtempSync(path.join(tmpdir(), 'photospots-awslocal-'));
      stop = async () => {
        await fauxqs.stop();
        rmSync(bin, { recursive: true, force: true });
      };
      endpoint = fauxqs.endpoint;
      writeFileSync(path.join(bin, 'awslocal'), '#!/bin/sh\nexec aws --endpoint-url "$AWS_ENDPOINT_URL" "$@"\n', {
        mode: 0o755,
      });
      const env = {
        PATH: `${bin}:${process.env.PATH}`,
        HOME: process.env.HOME ?? '',
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: 'us-east-1',
      };
      // Asynchronously: fauxqs answers from this process.
      const { stdout } = await promisify(execFile)('bash', [INIT_SCRIPT], { env, timeout: 90_000 });
      expect(stdout).toContain(`bucket ${bucket}`);
    }, 120_000);

    afterAll(() => stop());

    it(`creates each queue with its dead-letter queue and redrive policy, and the bucket (${inContainer ? 'in the LocalStack container' : 'aws CLI, fauxqs'})`, async () => {
      const sqs = createSqsClient({ region: 'us-east-1', endpoint });
      const s3 = new S3Client({
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      try {
        const queues = await resolveQueues(sqs, Object.fromEntries(QUEUES.map((q) => [q.key, q.defaultName])));
        for (const spec of QUEUES) {
          expect(queues.deadLetterUrl[spec.key], spec.key).toMatch(new RegExp(`/${spec.defaultName}${DLQ_SUFFIX}$`));
          const { Attributes } = await sqs.send(
            new GetQueueAttributesCommand({ QueueUrl: queues.url[spec.key], AttributeNames: ['All'] }),
          );
          expect(Attributes?.VisibilityTimeout).toBe(String(spec.visibilityTimeoutSeconds));
          expect(JSON.parse(Attributes!.RedrivePolicy!) as unknown).toMatchObject({
            maxReceiveCount: String(spec.maxReceiveCount),
          });
        }
        await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
      } finally {
        sqs.destroy();
        s3.destroy();
      }
    });
  });
});
