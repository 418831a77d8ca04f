import path from 'node:path';
import { loadConfig } from '@photospots/config';
import { ingestRequested } from '@photospots/contracts';
import { BACKLOG_METRIC } from '@photospots/processing/backlog-metric';
import { describe, expect, it } from 'vitest';
import { isSecretVariable, loadDeployables, UNSET_IN_AWS, type Deployable } from './support/deployables.ts';
import { envOf, execForm, last, parseDockerfile, probedPort } from './support/dockerfile.ts';
import {
  mapOf,
  sampleBucketName,
  sampleQueueUrl,
  sampleValue,
  stackValues,
  variablesOf,
} from './support/stack-values.ts';
import {
  indexedModuleOutput,
  INFRA_ROOT,
  loadInfra,
  moduleInstances,
  referencesIn,
  type Body,
  unresolved,
} from './support/terraform.ts';

const infra = await loadInfra();
const stack = infra.get('modules/stack')!;
const serviceModule = infra.get('modules/service')!;
const autoscaling = infra.get('modules/autoscaling')!;
const deployables = await loadDeployables();

const values = await stackValues(infra);
const { resolve, queueTable, bucketTable } = values;
/** The arguments of each instance of the service module, by app name. */
const serviceCalls = new Map(
  Object.values(stack.modules)
    .filter((call) => call.source === '../service')
    .flatMap((call) => moduleInstances(infra, stack, call))
    .map((call) => [String(call.name), call] as const),
);

describe('every deployable app has a complete ECS service module', () => {
  it('the stack instantiates the service module once per app in apps/, and for nothing else', () => {
    expect([...serviceCalls.keys()].sort()).toEqual(deployables.map((d) => d.name));
  });

  it('the service module creates a task definition, service, log group, task and execution roles, and autoscaling', () => {
    const r = serviceModule.resources;
    expect(Object.keys(r.aws_ecs_task_definition ?? {})).toEqual(['this']);
    expect(Object.keys(r.aws_ecs_service ?? {})).toEqual(['this']);
    expect(Object.keys(r.aws_cloudwatch_log_group ?? {})).toEqual(['this']);
    expect(Object.keys(r.aws_iam_role ?? {}).sort()).toEqual(['execution', 'task']);
    expect(serviceModule.modules.autoscaling!.source).toBe('../autoscaling');
    const container = String(r.aws_ecs_task_definition!.this!.container_definitions).replace(/\s+/g, ' ');
    expect(container).toContain(
      'environment = [for name in sort(keys(local.environment)) : { name = name, value = local.environment[name] }]',
    );
    expect(container).toContain(
      'secrets = [for name in sort(keys(local.secrets)) : { name = name, valueFrom = local.secrets[name] }]',
    );
    expect(serviceModule.locals.secrets).toBe('${{ for name, arn in var.secrets : name => arn if arn != null }}');
    expect(container).toContain('awslogs-group = aws_cloudwatch_log_group.this.name');
    expect(String(serviceModule.locals.environment).replace(/\s+/g, ' ')).toBe(
      '${merge( { for k, v in var.environment : k => tostring(v) }, local.queue_env, local.bucket_env, )}',
    );
    expect(serviceModule.locals.queue_env).toBe(
      '${{ for key, q in merge(var.consumes, var.publishes) : q.env_var => q.url }}',
    );
    expect(serviceModule.locals.bucket_env).toBe(
      '${{ for key, b in merge(var.read_buckets, var.write_buckets) : b.env_var => b.name if b.env_var != null }}',
    );
  });

  it('autoscaling has a target and at least one scaling policy for each mode', () => {
    expect(Object.keys(autoscaling.resources.aws_appautoscaling_target ?? {})).toEqual(['this']);
    const policies = Object.values(autoscaling.resources.aws_appautoscaling_policy ?? {});
    for (const mode of ['queue', 'http']) {
      expect(policies.filter((p) => p.count === `\${local.${mode}_mode ? 1 : 0}`).length, mode).toBeGreaterThan(0);
    }
    expect(autoscaling.locals).toMatchObject({
      queue_mode: '${var.mode == "queue"}',
      http_mode: '${var.mode == "http"}',
    });
  });

  it('scales processing on the dirty-tile metric the service writes, per task, as well as on its queue', () => {
    const scaling = serviceCalls.get('processing')!.scaling as Body;
    expect(scaling.work_metric).toEqual({
      namespace: BACKLOG_METRIC.namespace,
      name: BACKLOG_METRIC.name,
      dimensions: { [BACKLOG_METRIC.dimension]: BACKLOG_METRIC.service },
      per_task: expect.any(Number),
    });
    expect(serviceModule.modules.autoscaling!.work_metric).toBe('${var.scaling.work_metric}');
    // One target-tracking policy per backlog, the queue's and the reported one, each divided by the running tasks.
    const policy = autoscaling.resources.aws_appautoscaling_policy!.per_task!;
    expect(policy.for_each).toBe('${local.per_task}');
    expect(JSON.stringify(policy)).toContain('work / IF(tasks > 0, tasks, 1)');
    const perTask = String(autoscaling.locals.per_task);
    expect(perTask.startsWith('${local.queue_mode ? merge(')).toBe(true);
    expect(perTask).toContain('for m in local.work_metrics');
    expect(autoscaling.locals.work_metrics).toBe('${var.work_metric == null ? [] : [var.work_metric]}');
  });
});

describe.each(deployables.map((d) => [d.name, d] as [string, Deployable]))(
  '%s: task definition matches the config schema',
  (name, app) => {
    const call = serviceCalls.get(name)!;
    const vars = variablesOf(call, values);
    const schemaNames = app.vars.map((v) => v.name).sort();

    it('sets every schema variable exactly once (environment, secret, queue, bucket) or leaves it to its code default, and nothing else', () => {
      const provided = [
        ...Object.keys(vars.plain),
        ...Object.keys(vars.secrets),
        ...Object.keys(vars.queueVars),
        ...Object.keys(vars.bucketVars),
        ...vars.codeDefaults,
      ];
      const duplicates = provided.filter((n, i) => provided.indexOf(n) !== i);
      expect(duplicates, 'provided twice').toEqual([]);
      expect(provided.sort()).toEqual(schemaNames);
      const required = app.vars.filter((v) => v.required).map((v) => v.name);
      for (const n of required) expect(vars.codeDefaults, `${n} is required`).not.toContain(n);
    });

    it('reads credentials from Secrets Manager and leaves AWS credentials and endpoints unset (the task role is used)', () => {
      for (const n of schemaNames.filter(isSecretVariable))
        expect(Object.keys(vars.plain), `${n} in plain text`).not.toContain(n);
      for (const n of ['DATABASE_URL', 'REDIS_URL'].filter((v) => schemaNames.includes(v)))
        expect(Object.keys(vars.secrets)).toContain(n);
      for (const n of UNSET_IN_AWS.filter((v) => schemaNames.includes(v))) expect(vars.codeDefaults).toContain(n);
      expect(vars.secrets.DATABASE_URL).toBe('${module.database.url_secret_arn}');
      if (vars.secrets.REDIS_URL) expect(vars.secrets.REDIS_URL).toBe('${module.redis.url_secret_arn}');
      for (const [n, arn] of Object.entries(vars.secrets)) {
        // An operator's secret is behind a switch (null = not injected), since ECS cannot start with an empty secret.
        expect(arn, n).toMatch(
          /^\$\{(module\.(database|redis)\.url_secret_arn|var\.\w+_enabled \? aws_secretsmanager_secret\.operator\["[\w-]+"\]\.arn : null)\}$/,
        );
      }
      if (schemaNames.includes('AWS_REGION')) expect(vars.plain.AWS_REGION).toBe('${var.aws_region}');
    });

    it('has values that satisfy the schema', () => {
      const env: Record<string, string> = {};
      for (const [n, value] of Object.entries(vars.plain)) {
        const resolved = resolve(value);
        expect(resolved, `${n} = ${String(value)} resolves`).toBeDefined();
        env[n] = resolved!;
      }
      for (const n of Object.keys(vars.secrets)) env[n] = sampleValue(n);
      for (const [n, key] of Object.entries(vars.queueVars)) env[n] = sampleQueueUrl(queueTable[key]!.name);
      for (const [n, key] of Object.entries(vars.bucketVars)) env[n] = sampleBucketName(key);
      expect(() => loadConfig(app.env, env)).not.toThrow();
    });

    it('gets exactly the queues its schema names, each by its own key', () => {
      const used = [...Object.keys(mapOf(call.consumes)), ...Object.keys(mapOf(call.publishes))];
      expect([...new Set(used)].sort()).toEqual([...app.queues].sort());
      for (const field of ['consumes', 'publishes']) {
        for (const [key, value] of Object.entries(mapOf(call[field])))
          expect(indexedModuleOutput(value), `${field}.${key}`).toEqual({ module: 'queues', output: 'queues', key });
      }
    });

    it('gets exactly the buckets it uses: those its schema names, and import files if it handles ingest.requested', () => {
      const used = [...Object.keys(mapOf(call.read_buckets)), ...Object.keys(mapOf(call.write_buckets))].sort();
      const expected = Object.entries(bucketTable)
        .filter(([, b]) =>
          b.env_var
            ? schemaNames.includes(b.env_var)
            : Object.keys(mapOf(call.consumes)).includes(ingestRequested.queue),
        )
        .map(([key]) => key)
        .sort();
      expect(used).toEqual(expected);
      for (const field of ['read_buckets', 'write_buckets']) {
        for (const [key, value] of Object.entries(mapOf(call[field])))
          expect(indexedModuleOutput(value), `${field}.${key}`).toEqual({ module: 'storage', output: 'buckets', key });
      }
    });

    it('runs its image as built: no command of its own, the port the image exposes and probes, no variable set twice', () => {
      const image = parseDockerfile(path.join(INFRA_ROOT, '..', 'docker', 'Dockerfile'), { APP: name }).final;
      expect(call.command, 'the task runs the image CMD').toBeUndefined();
      expect(execForm(last(image, 'CMD')!.args)).toEqual(['node', 'main.js']);
      const port = resolve(vars.plain[call.port_env as string]);
      expect(probedPort(image)).toEqual({ variable: call.port_env, fallback: port });
      expect(last(image, 'EXPOSE')?.args).toBe(port);
      // The image's own variables are not configuration: nothing the task sets, nothing the schema reads.
      for (const variable of Object.keys(envOf(image))) {
        expect(schemaNames, variable).not.toContain(variable);
        expect(Object.keys(vars.plain), variable).not.toContain(variable);
      }
      // The container health check of ECS replaces a task, so it asks /healthz (alive); the image's
      // HEALTHCHECK gates compose's depends_on, so it asks /readyz (its dependencies answer).
      expect(serviceModule.variables.health_check_path!.default).toBe('/healthz');
      expect(call.health_check_path).toBeUndefined();
      expect(last(image, 'HEALTHCHECK')!.args).toContain("'/readyz'");
    });

    it('serves /healthz on the port its config names, and scales on its queue or its HTTP load', () => {
      const scaling = call.scaling as Body;
      const http = schemaNames.includes('PORT');
      expect(call.port_env).toBe(http ? 'PORT' : 'HEALTH_PORT');
      expect(Object.keys(vars.plain)).toContain(call.port_env);
      if (http) {
        expect(scaling.mode).toBe('http');
        expect(call.target_group_arn).toBe('${module.alb.target_group_arn}');
        expect(scaling.request_count_resource_label).toBe('${module.alb.request_count_resource_label}');
        expect(resolve(vars.plain.TRUST_PROXY), 'behind the ALB').toBe('true');
      } else {
        expect(scaling.mode).toBe('queue');
        expect(Object.keys(mapOf(call.consumes))).toContain(scaling.queue);
        expect(call.target_group_arn).toBeUndefined();
      }
    });
  },
);

/** Statements of a policy document, plain and dynamic. */
function statementsOf(doc: Body): Body[] {
  return [
    ...((doc.statement as Body[]) ?? []),
    ...(((doc.dynamic as Body)?.statement as Body[]) ?? []).map((s) => (s.content as Body[])[0]!),
  ];
}

/** API calls that support no resource-level permissions: IAM accepts only "*" for them. */
const RESOURCE_LESS_ACTIONS = ['ecr:GetAuthorizationToken', 'ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition'];
const onlyResourceLessActions = (s: Body) => (s.actions as string[]).every((a) => RESOURCE_LESS_ACTIONS.includes(a));

describe('least privilege', () => {
  const accessModule = infra.get('modules/access-policy')!;
  const taskPolicy = accessModule.data.aws_iam_policy_document!.this!;
  const statements = ((taskPolicy.dynamic as Body).statement as Body[]).map((s): Body => ({
    ...(s.content as Body[])[0]!,
    guard: String(s.for_each),
  }));
  const ALLOWED: Record<string, string[]> = {
    ConsumeQueues: ['var.consumes'],
    DeadLetterInvalidMessages: ['var.consumes'],
    PublishToQueues: ['var.publishes'],
    ResolvePublishDeadLetterQueues: ['var.publishes'],
    ReadBuckets: ['var.read_buckets'],
    WriteBuckets: ['var.write_buckets'],
  };

  it('the task role names only the queues and buckets passed to the service, each statement only when it has some', () => {
    // The service and a Lambda function get the same document from the access-policy module, on what they use.
    for (const mod of [serviceModule, infra.get('modules/lambda')!]) {
      expect(mod.modules.access).toEqual({
        source: '../access-policy',
        consumes: '${var.consumes}',
        publishes: '${var.publishes}',
        read_buckets: '${var.read_buckets}',
        write_buckets: '${var.write_buckets}',
      });
    }
    expect(serviceModule.resources.aws_iam_role_policy!.task).toMatchObject({
      count: '${module.access.used ? 1 : 0}',
      policy: '${module.access.json}',
    });
    expect(infra.get('modules/lambda')!.data.aws_iam_policy_document!.this!.source_policy_documents).toEqual([
      '${module.access.json}',
    ]);
    expect(statements.map((s) => s.sid).sort()).toEqual(Object.keys(ALLOWED).sort());
    expect(
      Object.keys(taskPolicy).filter((k) => k !== 'dynamic'),
      'no unconditional statement',
    ).toEqual([]);
    for (const s of statements) {
      const refs = referencesIn(String(s.resources)).map((r) => `${r.kind}.${'name' in r ? r.name : ''}`);
      expect(refs, String(s.sid)).toEqual(ALLOWED[String(s.sid)]);
      expect(s.guard, String(s.sid)).toBe(`\${length(${ALLOWED[String(s.sid)]![0]}) > 0 ? [1] : []}`);
      expect(JSON.stringify(s.actions), String(s.sid)).not.toContain('*');
    }
  });

  it("the execution role reads only the service's own secrets", () => {
    const secrets = serviceModule.data.aws_iam_policy_document!.secrets!;
    expect(secrets.statement).toEqual([
      { sid: 'ReadOwnSecrets', actions: ['secretsmanager:GetSecretValue'], resources: '${values(local.secrets)}' },
    ]);
  });

  it('no policy document in infra/ grants a wildcard resource, except for the calls AWS allows only on "*"', () => {
    for (const mod of infra.values()) {
      for (const [name, doc] of Object.entries(mod.data.aws_iam_policy_document ?? {})) {
        for (const s of statementsOf(doc)) {
          if ((s.effect ?? 'Allow') === 'Deny' || !s.resources || onlyResourceLessActions(s)) continue;
          expect(JSON.stringify(s.resources), `${mod.dir} ${name}`).not.toMatch(/"\*"/);
        }
      }
    }
  });

  it('every IAM statement names its resources by reference to declared things, never by a hard-coded ARN', () => {
    let checked = 0;
    for (const mod of infra.values()) {
      for (const [name, doc] of Object.entries(mod.data.aws_iam_policy_document ?? {})) {
        for (const s of statementsOf(doc).filter((st) => st.resources !== undefined && !onlyResourceLessActions(st))) {
          const entries = Array.isArray(s.resources) ? s.resources : [s.resources];
          for (const entry of entries) {
            checked++;
            const refs = referencesIn(String(entry));
            expect(refs.length, `${mod.dir} ${name}: ${String(entry)}`).toBeGreaterThan(0);
            for (const ref of refs) expect(unresolved(infra, mod, ref), `${mod.dir} ${name}`).toBe('');
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

describe('query-api behind the HTTPS load balancer', () => {
  const alb = infra.get('modules/alb')!;

  it("listens on HTTPS with the given certificate, redirects HTTP, and checks targets on /readyz at query-api's PORT", () => {
    const https = alb.resources.aws_lb_listener!.https!;
    expect(https).toMatchObject({ port: 443, protocol: 'HTTPS', certificate_arn: '${var.certificate_arn}' });
    const redirect = (
      (alb.resources.aws_lb_listener!.http!.default_action as Body[])[0]!.redirect as Body[]
    )[0]! as Body;
    expect(redirect).toMatchObject({ protocol: 'HTTPS', port: '443' });
    const tg = alb.resources.aws_lb_target_group!.api!;
    expect(tg.port).toBe('${var.target_port}');
    expect((tg.health_check as Body[])[0]!.path).toBe('${var.health_check_path}');
    expect(stack.modules.alb).toMatchObject({ health_check_path: '/readyz', target_port: '${local.api_port}' });
    expect(serviceCalls.get('query-api')!.environment).toMatchObject({ PORT: '${local.api_port}' });
  });

  it("alarms on the API's 5xx rate and p99 latency", () => {
    const alarms = infra.get('modules/alarms')!.resources.aws_cloudwatch_metric_alarm!;
    expect(alarms.api_p99_latency).toMatchObject({ metric_name: 'TargetResponseTime', extended_statistic: 'p99' });
    const queries = alarms.api_5xx_rate!.metric_query as Body[];
    const metrics = queries.flatMap((q) => ((q.metric as Body[]) ?? []).map((m) => m.metric_name));
    expect(metrics.sort()).toEqual(['HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count', 'RequestCount']);
  });
});

describe('the migration task', () => {
  it('runs the migrate image with exactly the variables of its config schema (the URLs from Secrets Manager)', async () => {
    const td = String(stack.resources.aws_ecs_task_definition!.migrate!.container_definitions).replace(/\s+/g, ' ');
    expect(td).toContain('image = "${local.image_base}migrate-${var.image_tag}"');
    expect(td).toContain('{ name = "DATABASE_URL", valueFrom = module.database.url_secret_arn }');
    // Its own connection where DATABASE_URL is a transaction pooler's, else the same secret.
    expect(td).toContain('{ name = "DATABASE_MIGRATION_URL", valueFrom = module.database.migration_url_secret_arn }');
    expect(infra.get('modules/database')!.outputs.migration_url_secret_arn!.value).toBe(
      '${var.external_migration_url == null ? aws_secretsmanager_secret.url.arn : aws_secretsmanager_secret.migration_url[0].arn}',
    );
    const { migrateEnv } = (await import('@photospots/migrate/config')) as { migrateEnv: Record<string, unknown> };
    const named = [...td.matchAll(/name = "([A-Z_]+)"/g)].map((m) => m[1]).sort();
    expect(named).toEqual(Object.keys(migrateEnv).sort());
    // The image's CMD, not one of the task's own; a one-shot job, without a health check.
    expect(td).not.toMatch(/\b(command|entryPoint|healthCheck) =/);
    const image = parseDockerfile(path.join(INFRA_ROOT, '..', 'docker', 'Dockerfile'), { APP: 'migrate' }).final;
    expect(execForm(last(image, 'CMD')!.args)).toEqual(['node', 'main.js']);
    expect(last(image, 'HEALTHCHECK')?.args).toBe('NONE');
  });
});
