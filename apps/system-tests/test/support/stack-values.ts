import path from 'node:path';
import { INFRA_ROOT, parseHcl, plainLocal, plainVariable, type Body, type TfModule } from './terraform.ts';

/** What the stack's values resolve to where they are known before deployment, for the infra tests. */
export interface StackValues {
  /** A value as the task or function sees it: literals and plain var./local. references; undefined when it depends on the deployment. */
  resolve(value: unknown): string | undefined;
  queueTable: Record<string, { env_var: string; name: string; visibility_timeout_seconds: number }>;
  bucketTable: Record<string, { env_var: string | null }>;
}

export async function stackValues(infra: Map<string, TfModule>): Promise<StackValues> {
  const stack = infra.get('modules/stack')!;
  const devExample = await parseHcl(path.join(INFRA_ROOT, 'envs', 'dev', 'terraform.tfvars.example'));
  const resolve = (value: unknown): string | undefined => {
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string') return undefined;
    if (!value.includes('${')) return value;
    const local = plainLocal(value);
    if (local !== undefined) return resolve(stack.locals[local]);
    const variable = plainVariable(value);
    if (variable === undefined) return undefined;
    const body = stack.variables[variable];
    if (body && body.default !== undefined && body.default !== null) return resolve(body.default);
    // Passed through by the stage: take the dev example's value.
    const passed = infra.get('envs/dev')!.modules.stack![variable];
    const envVariable = plainVariable(passed);
    return envVariable !== undefined ? resolve(devExample[envVariable]) : resolve(passed);
  };
  return {
    resolve,
    queueTable: stack.locals.queues as StackValues['queueTable'],
    bucketTable: stack.locals.buckets as StackValues['bucketTable'],
  };
}

export const mapOf = (value: unknown) => (value ?? {}) as Record<string, unknown>;

/** How a module instance (service or function) is given each of an app's variables. */
export function variablesOf(call: Body, values: StackValues) {
  const queueKeys = [...Object.keys(mapOf(call.consumes)), ...Object.keys(mapOf(call.publishes))];
  const bucketKeys = [...Object.keys(mapOf(call.read_buckets)), ...Object.keys(mapOf(call.write_buckets))];
  return {
    plain: mapOf(call.environment),
    secrets: mapOf(call.secrets) as Record<string, string>,
    queueVars: Object.fromEntries(queueKeys.map((key) => [values.queueTable[key]!.env_var, key])),
    bucketVars: Object.fromEntries(
      bucketKeys.flatMap((key) => (values.bucketTable[key]?.env_var ? [[values.bucketTable[key]!.env_var, key]] : [])),
    ),
    codeDefaults: (call.code_defaults ?? []) as string[],
  };
}

/** Stand-ins for values only AWS knows (secret contents, queue URLs, bucket names). */
export function sampleValue(name: string): string {
  if (name === 'DATABASE_URL')
    return 'postgres://photospots:secret@photospots-prod.abc.eu-central-1.rds.amazonaws.com:5432/photospots?sslmode=require';
  if (name === 'REDIS_URL') return 'rediss://:token@master.photospots-prod.abc.euc1.cache.amazonaws.com:6379';
  return 'secret-value';
}

export const sampleQueueUrl = (name: string) =>
  `https://sqs.eu-central-1.amazonaws.com/123456789012/photospots-prod-${name}`;
export const sampleBucketName = (key: string) => `photospots-prod-123456789012-${key}`;
