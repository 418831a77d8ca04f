import { loadConfig } from '@photospots/config';
import { SECRET_ARN_SUFFIX } from '@photospots/config/secret-env';
import {
  LAMBDA_FUNCTIONS,
  LAMBDA_RUNTIME,
  LAMBDA_WORKERS,
  QUEUES,
  type LambdaFunctionSpec,
} from '@photospots/contracts';
import { describe, expect, it } from 'vitest';
import { loadDeployables } from './support/deployables.ts';
import {
  mapOf,
  sampleBucketName,
  sampleQueueUrl,
  sampleValue,
  stackValues,
  variablesOf,
} from './support/stack-values.ts';
import { loadInfra, moduleInstances, type Body, type InstanceOptions } from './support/terraform.ts';

const infra = await loadInfra();
const stack = infra.get('modules/stack')!;
const lambdaModule = infra.get('modules/lambda')!;
const deployables = await loadDeployables();
const values = await stackValues(infra);

type Compute = NonNullable<InstanceOptions['compute']>;
const ALL_ECS: Compute = {};
const ALL_LAMBDA: Compute = Object.fromEntries(LAMBDA_WORKERS.map((w) => [w, 'lambda']));

/** Each module instance of one kind ('../service' or '../lambda') under a compute choice, by app name. */
function instances(source: string, compute: Compute): Map<string, Body> {
  return new Map(
    Object.values(stack.modules)
      .filter((call) => call.source === source)
      .flatMap((call) => moduleInstances(infra, stack, call, { compute }))
      .map((call) => [String(call.name), call] as const),
  );
}

/** `${local.lambda_functions["<worker>"].<field>}` as Terraform reads it from the stack's table. */
const lambdaTable = stack.locals.lambda_functions as Record<string, Body>;
function fromTable(expression: unknown): unknown {
  const m = /^\$\{local\.lambda_functions\["([\w-]+)"\]\.(\w+)\}$/.exec(String(expression));
  if (!m) throw new Error(`not a lambda_functions field: ${String(expression)}`);
  return lambdaTable[m[1]!]![m[2]!];
}

/** The table entry as the spec of LAMBDA_FUNCTIONS (libs/contracts). */
function specOf(worker: string): LambdaFunctionSpec {
  const t = lambdaTable[worker]!;
  const environment = mapOf(t.environment);
  return {
    queues: t.queues as LambdaFunctionSpec['queues'],
    timeoutSeconds: t.timeout_seconds as number,
    memoryMb: t.memory_mb as number,
    batchSize: t.batch_size as number,
    batchingWindowSeconds: t.batching_window_seconds as number,
    maxConcurrency: t.max_concurrency as number,
    // EventBridge's rate(1 minute) is scheduleMinutes: 1.
    ...(t.schedule_expression === null
      ? {}
      : { scheduleMinutes: Number(/^rate\((\d+) minutes?\)$/.exec(String(t.schedule_expression))?.[1]) }),
    ...(Object.keys(environment).length === 0
      ? {}
      : { environment: Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v)])) }),
  };
}

/** local.queue_visibility for a compute choice, computed as its expression says (checked below). */
function queueVisibility(compute: Compute): Record<string, number> {
  return Object.fromEntries(
    Object.entries(values.queueTable).map(([key, q]) => [
      key,
      Math.max(
        q.visibility_timeout_seconds,
        ...Object.entries(lambdaTable)
          .filter(([name, f]) => compute[name] === 'lambda' && (f.queues as string[]).includes(key))
          .map(([, f]) => 6 * (f.timeout_seconds as number)),
      ),
    ]),
  );
}

describe('compute per worker: an ECS service or a Lambda function', () => {
  it('the stack chooses per worker, "ecs" by default, and query-api is always ECS', () => {
    const variable = stack.variables.compute!;
    expect(variable.default).toEqual({});
    expect(String(variable.type).replace(/\s+/g, ' ')).toBe(
      `\${object({ ${LAMBDA_WORKERS.map((w) => `${w} = optional(string, "ecs")`).join(' ')} })}`,
    );
    expect(stack.locals.compute).toBe('${merge({ "query-api" = "ecs" }, var.compute)}');
    expect(JSON.stringify(variable.validation)).toContain('contains([\\"ecs\\", \\"lambda\\"], c)');
    for (const env of ['envs/dev', 'envs/prod']) expect(infra.get(env)!.modules.stack!.compute).toBe('${var.compute}');
  });

  it.each([
    ['every worker on ECS', ALL_ECS],
    ['every worker on Lambda', ALL_LAMBDA],
    ['processing alone on Lambda', { processing: 'lambda' } as Compute],
  ])('%s: each app is exactly one ECS service or one function', (_, compute) => {
    const services = instances('../service', compute);
    const functions = instances('../lambda', compute);
    const apps = deployables.map((d) => d.name);
    expect([...services.keys(), ...functions.keys()].sort()).toEqual(apps);
    expect([...functions.keys()].sort()).toEqual(LAMBDA_WORKERS.filter((w) => compute[w] === 'lambda').sort());
    expect(services.has('query-api')).toBe(true);
  });

  it('the function settings are those of LAMBDA_FUNCTIONS (libs/contracts) (what lambda:local runs the zips with)', () => {
    expect(Object.keys(lambdaTable).sort()).toEqual([...LAMBDA_WORKERS].sort());
    for (const worker of LAMBDA_WORKERS) expect(specOf(worker), worker).toEqual(LAMBDA_FUNCTIONS[worker]);
    expect(lambdaModule.variables.runtime!.default).toBe(LAMBDA_RUNTIME);
  });

  it.each(LAMBDA_WORKERS)('%s: its event source mappings read the queues its ECS service consumes', (worker) => {
    const service = instances('../service', ALL_ECS).get(worker)!;
    const fn = instances('../lambda', ALL_LAMBDA).get(worker)!;
    expect(Object.keys(mapOf(fn.consumes)).sort()).toEqual([...LAMBDA_FUNCTIONS[worker].queues].sort());
    expect(fn.consumes).toEqual(service.consumes);
    for (const field of ['publishes', 'read_buckets', 'write_buckets', 'secrets', 'environment'])
      expect(fn[field], field).toEqual(service[field]);
  });
});

describe('queue visibility: at least six function timeouts for every queue a function consumes (AWS)', () => {
  it('the stack computes it from the contract and the functions that consume each queue', () => {
    expect(String(stack.locals.queue_visibility).replace(/\s+/g, ' ')).toBe(
      '${{ for key, q in local.queues : key => max(q.visibility_timeout_seconds, [ for name, f in local.lambda_functions : 6 * f.timeout_seconds if local.compute[name] == "lambda" && contains(f.queues, key) ]...) }}',
    );
    const preconditions = JSON.stringify(lambdaModule.resources.aws_lambda_function!.this!.lifecycle);
    expect(preconditions).toContain(
      'alltrue([for q in values(var.consumes) : q.visibility_timeout_seconds >= 6 * var.timeout_seconds])',
    );
  });

  it.each([
    ['on Lambda', ALL_LAMBDA],
    ['on ECS', ALL_ECS],
  ])('%s', (_, compute) => {
    const visibility = queueVisibility(compute);
    for (const q of QUEUES) {
      const consumers = LAMBDA_WORKERS.filter(
        (w) => compute[w] === 'lambda' && (LAMBDA_FUNCTIONS[w].queues as readonly string[]).includes(q.key),
      );
      // Never shorter than the contract, which the ECS consumers set on each receive.
      expect(visibility[q.key], q.key).toBeGreaterThanOrEqual(q.visibilityTimeoutSeconds);
      for (const w of consumers)
        expect(visibility[q.key], `${q.key} (${w})`).toBeGreaterThanOrEqual(6 * LAMBDA_FUNCTIONS[w].timeoutSeconds);
      if (consumers.length === 0) expect(visibility[q.key], q.key).toBe(q.visibilityTimeoutSeconds);
    }
    // On Lambda the longer visibility is needed: processing's 300 s timeout against the contract's 300 s.
    if (compute === ALL_LAMBDA) expect(visibility.photosIngested).toBe(6 * LAMBDA_FUNCTIONS.processing.timeoutSeconds);
  });
});

describe('the lambda module', () => {
  const r = lambdaModule.resources;

  it('creates the function, its log group, role, one event source mapping per queue, and alarms', () => {
    expect(Object.keys(r.aws_lambda_function ?? {})).toEqual(['this']);
    expect(Object.keys(r.aws_cloudwatch_log_group ?? {})).toEqual(['this']);
    expect(r.aws_cloudwatch_log_group!.this!.name).toBe('/aws/lambda/${local.function_name}');
    expect(Object.keys(r.aws_iam_role ?? {}).sort()).toEqual(['scheduler', 'this']);
    expect(r.aws_iam_role_policy_attachment!.vpc!.policy_arn).toBe(
      'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole',
    );
    expect(Object.keys(r.aws_cloudwatch_metric_alarm ?? {}).sort()).toEqual(['errors', 'throttles']);
    for (const [name, metric] of [
      ['errors', 'Errors'],
      ['throttles', 'Throttles'],
    ] as const)
      expect(r.aws_cloudwatch_metric_alarm![name]).toMatchObject({ namespace: 'AWS/Lambda', metric_name: metric });
    // The oldest message's age is alarmed for every queue, whichever compute consumes it.
    expect(infra.get('modules/alarms')!.resources.aws_cloudwatch_metric_alarm!.oldest_message_age).toMatchObject({
      for_each: '${var.queues}',
      metric_name: 'ApproximateAgeOfOldestMessage',
    });
  });

  it('runs the packaged bundle on the newest Node.js runtime, in the private subnets, bounded in concurrency', () => {
    const fn = r.aws_lambda_function!.this!;
    expect(fn).toMatchObject({
      runtime: '${var.runtime}',
      handler: 'index.handler',
      s3_bucket: '${var.code_bucket}',
      s3_key: '${var.code_key}',
      timeout: '${var.timeout_seconds}',
      memory_size: '${var.memory_mb}',
      reserved_concurrent_executions: '${var.max_concurrency + (var.schedule_expression == null ? 0 : 1)}',
    });
    expect((fn.vpc_config as Body[])[0]).toEqual({
      subnet_ids: '${var.subnet_ids}',
      security_group_ids: '${var.security_group_ids}',
    });
    // The deploy workflow moves the code forward; Terraform does not move it back.
    expect(JSON.stringify(fn.lifecycle)).toContain(
      '"ignore_changes":["${s3_key}","${s3_object_version}","${source_code_hash}"]',
    );
  });

  it('maps each queue with partial batch responses, the batch settings and the maximum concurrency', () => {
    const mapping = r.aws_lambda_event_source_mapping!.this!;
    expect(mapping).toMatchObject({
      for_each: '${var.consumes}',
      event_source_arn: '${each.value.arn}',
      batch_size: '${var.batch_size}',
      maximum_batching_window_in_seconds: '${var.batching_window_seconds}',
      function_response_types: ['ReportBatchItemFailures'],
    });
    expect((mapping.scaling_config as Body[])[0]).toEqual({ maximum_concurrency: '${var.max_concurrency}' });
  });

  it('gives secrets as <NAME>_SECRET_ARN, which the function reads at cold start, and lets its role read only those', () => {
    expect(String(lambdaModule.locals.environment)).toContain(
      `{ for name, arn in local.secrets : "\${name}${SECRET_ARN_SUFFIX}" => arn }`,
    );
    const policy = lambdaModule.data.aws_iam_policy_document!.this!;
    const secrets = ((policy.dynamic as Body).statement as Body[]).find(
      (s) => (s.content as Body[])[0]!.sid === 'ReadOwnSecrets',
    )!;
    expect((secrets.content as Body[])[0]).toMatchObject({
      actions: ['secretsmanager:GetSecretValue'],
      resources: '${values(local.secrets)}',
    });
  });

  it('invokes processing every minute on an EventBridge schedule, and no other worker', () => {
    const schedule = r.aws_scheduler_schedule!.this!;
    expect(schedule.count).toBe('${var.schedule_expression == null ? 0 : 1}');
    expect((schedule.target as Body[])[0]!.arn).toBe('${aws_lambda_function.this.arn}');
    const call = instances('../lambda', ALL_LAMBDA).get('processing')!;
    expect(fromTable(call.schedule_expression)).toBe('rate(1 minute)');
    expect(LAMBDA_FUNCTIONS.processing.scheduleMinutes).toBe(1);
    for (const w of LAMBDA_WORKERS.filter((w) => w !== 'processing'))
      expect('scheduleMinutes' in LAMBDA_FUNCTIONS[w], w).toBe(false);
  });
});

describe.each(LAMBDA_WORKERS)('%s as a function: its environment matches the config schema', (worker) => {
  const app = deployables.find((d) => d.name === worker)!;
  const call = instances('../lambda', ALL_LAMBDA).get(worker)!;
  const vars = variablesOf(call, values);
  const functionEnv = mapOf(fromTable(call.function_environment));
  const schemaNames = app.vars.map((v) => v.name).sort();

  it('sets every schema variable once (environment, function setting, secret, queue, bucket) or leaves it to its default', () => {
    const provided = [
      ...Object.keys(vars.plain),
      ...Object.keys(functionEnv),
      ...Object.keys(vars.secrets),
      ...Object.keys(vars.queueVars),
      ...Object.keys(vars.bucketVars),
      ...vars.codeDefaults.filter((n) => !(n in functionEnv)),
    ];
    expect(provided.filter((n, i) => provided.indexOf(n) !== i)).toEqual([]);
    expect(provided.sort()).toEqual(schemaNames);
  });

  it('loads, once its secrets are read, with the values Terraform gives it', () => {
    const env: Record<string, string> = {};
    for (const [n, value] of [...Object.entries(vars.plain), ...Object.entries(functionEnv)]) {
      const resolved = values.resolve(value);
      expect(resolved, `${n} = ${String(value)} resolves`).toBeDefined();
      env[n] = resolved!;
    }
    for (const n of Object.keys(vars.secrets)) env[n] = sampleValue(n);
    for (const [n, key] of Object.entries(vars.queueVars)) env[n] = sampleQueueUrl(values.queueTable[key]!.name);
    for (const [n, key] of Object.entries(vars.bucketVars)) env[n] = sampleBucketName(key);
    expect(() => loadConfig(app.env, env)).not.toThrow();
  });
});
