/**
 * The deployables of apps/ and their config schemas, found from the code so
 * that a new app, variable or queue shows up in the drift tests without
 * editing them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describeEnv, type EnvVarDoc, type z } from '@photospots/config';
import { QUEUES, type QueueKey } from '@photospots/contracts';
import { REPO_ROOT } from '@photospots/test-harness';

export interface Deployable {
  /** apps/<name> */
  name: string;
  /** The zod shape exported by @photospots/<name>/config. */
  env: z.ZodRawShape;
  vars: EnvVarDoc[];
  /** Queues whose QUEUE_* variable the schema reads. */
  queues: QueueKey[];
}

/** Tags of an app's project.json. */
function tagsOf(name: string): string[] {
  return (
    (JSON.parse(readFileSync(path.join(REPO_ROOT, 'apps', name, 'project.json'), 'utf8')) as { tags?: string[] })
      .tags ?? []
  );
}

/**
 * Long-running services (project tag type:app) with an entry point and a
 * config schema (apps/<name>/src/main.ts and config.ts). One-off jobs
 * (type:job, the migration) are deployed as tasks, not services.
 */
export function deployableNames(): string[] {
  const appsDir = path.join(REPO_ROOT, 'apps');
  return readdirSync(appsDir)
    .filter(
      (name) =>
        existsSync(path.join(appsDir, name, 'src', 'main.ts')) &&
        existsSync(path.join(appsDir, name, 'src', 'config.ts')),
    )
    .filter((name) => tagsOf(name).includes('type:app'))
    .sort();
}

/** Each deployable with its config schema, imported through its public ./config export. */
export async function loadDeployables(): Promise<Deployable[]> {
  const out: Deployable[] = [];
  for (const name of deployableNames()) {
    const exports = (await import(`@photospots/${name}/config`)) as Record<string, unknown>;
    const shapes = Object.entries(exports).filter(
      ([key, value]) => key.endsWith('Env') && value && typeof value === 'object',
    );
    if (shapes.length !== 1)
      throw new Error(
        `@photospots/${name}/config must export exactly one …Env schema shape (found ${shapes.map(([k]) => k).join(', ') || 'none'})`,
      );
    const env = shapes[0]![1] as z.ZodRawShape;
    const vars = describeEnv(env);
    const names = new Set(vars.map((v) => v.name));
    out.push({ name, env, vars, queues: QUEUES.filter((q) => names.has(q.envVar)).map((q) => q.key) });
  }
  return out;
}

/** Variables that must never be set in AWS: tasks use their IAM role and the real endpoints. */
export const UNSET_IN_AWS = ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

/** Variables whose value is a credential or carries one, so they come from Secrets Manager. */
export function isSecretVariable(name: string): boolean {
  if (UNSET_IN_AWS.includes(name)) return false;
  return name === 'DATABASE_URL' || name === 'REDIS_URL' || /(API_KEY|_SECRET|_TOKEN|PASSWORD)$/.test(name);
}
