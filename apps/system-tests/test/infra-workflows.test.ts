import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@photospots/test-harness';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { deployableNames } from './support/deployables.ts';
import { parseDockerfile } from './support/dockerfile.ts';
import { loadInfra, moduleInstances, type Body } from './support/terraform.ts';
import { actionValidatorErrors, workflowValidator } from './support/workflow-schema.ts';

const WORKFLOWS_DIR = path.join(REPO_ROOT, '.github', 'workflows');
const files = readdirSync(WORKFLOWS_DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const source = (file: string) => readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8');
type Workflow = { on: Record<string, unknown>; jobs: Record<string, Body & { steps: Body[] }> };
const workflow = (file: string) => parseYaml(source(file)) as Workflow;
const validate = workflowValidator();
const infra = await loadInfra();
const apps = deployableNames();

const stepUsing = (job: { steps: Body[] }, action: string) =>
  job.steps.find((s) => String(s.uses ?? '').startsWith(`${action}@`));
const runs = (job: { steps: Body[] }) => job.steps.map((s) => String(s.run ?? '')).join('\n');

describe('GitHub Actions workflows', () => {
  it('are the pull-request CI and the main-branch deploy', () => {
    expect(files).toEqual(['ci.yml', 'deploy.yml']);
  });

  it.each(files)(
    '%s is valid against the GitHub workflow JSON Schema (SchemaStore, with Ajv and with action-validator)',
    (file) => {
      expect(validate(workflow(file))).toEqual([]);
      expect(actionValidatorErrors(source(file))).toEqual([]);
    },
  );

  it('the schema check rejects a broken workflow (a job without runs-on, an unknown key)', () => {
    const broken = workflow('ci.yml');
    const job = broken.jobs.affected!;
    job['runs-onn'] = job['runs-on'];
    delete job['runs-on'];
    expect(validate(broken).map((e) => e.message)).toContain("must have required property 'runs-on'");
    expect(actionValidatorErrors(source('ci.yml').replace('runs-on:', 'runs-onn:')).length).toBeGreaterThan(0);
  });
});

describe('ci.yml: pull requests', () => {
  const ci = workflow('ci.yml');
  const job = ci.jobs.affected!;

  it('runs on pull requests to main and lints, typechecks, tests and builds the affected projects with nx', () => {
    expect(Object.keys(ci.on)).toEqual(['pull_request']);
    expect(runs(job)).toMatch(/npx nx affected -t lint typecheck test build --base="\$NX_BASE" --head="\$NX_HEAD"/);
    expect(stepUsing(job, 'nrwl/nx-set-shas')).toBeDefined();
    expect(stepUsing(job, 'actions/checkout')!.with).toEqual({ 'fetch-depth': 0 });
  });

  it('gives the tests PostGIS and Redis service containers, and points the test harness at them', () => {
    const services = job.services as Record<string, Body>;
    expect(String(services.postgres!.image)).toMatch(/^postgis\/postgis:/);
    expect(String(services.redis!.image)).toMatch(/^redis:/);
    expect(services.postgres!.ports).toEqual(['5432:5432']);
    expect(services.redis!.ports).toEqual(['6379:6379']);
    const env = job.env as Record<string, string>;
    expect(env.DATABASE_URL).toBe(
      `postgres://postgres:${(services.postgres!.env as Body).POSTGRES_PASSWORD}@127.0.0.1:5432/postgres`,
    );
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    // …and the redis-server binary a query-api test starts and stops itself (not on GitHub's runners).
    expect(runs(job)).toMatch(/apt-get install [^\n]*redis-server/);
  });

  it('always runs the deployment drift tests (infra/ and .github/ belong to no Nx project), and checks the Terraform format', () => {
    expect(runs(job)).toContain('npx vitest run --project system-tests infra-');
    expect(stepUsing(job, 'hashicorp/setup-terraform')).toBeDefined();
    expect(runs(job)).toContain('terraform fmt -check -recursive -diff infra');
  });

  it('runs the database suites and the pipeline again through PgBouncer in transaction mode', () => {
    expect(runs(job)).toMatch(/apt-get install [^\n]*pgbouncer/);
    const step = job.steps.find((s) => String(s.run ?? '') === 'npm test -- --through-pooler')!;
    expect(step).toBeDefined();
    expect((step.env as Body).PHOTOSPOTS_REQUIRE_POOLER).toBe('1');
  });
});

describe('deploy.yml: main', () => {
  const deploy = workflow('deploy.yml');
  const stack = infra.get('modules/stack')!;
  const service = infra.get('modules/service')!;

  it('deploys consumers before producers (processing before ingest: a new message version is read before it is sent)', () => {
    const script = runs(workflow('deploy.yml').jobs.plan!);
    const order = /order='([^']+)'/.exec(script)?.[1];
    const program = /jq -c --argjson order "\$order" '([^']+)'/.exec(script)?.[1];
    expect(order && program).toBeTruthy();
    const sorted = execFileSync('jq', ['-c', '--argjson', 'order', order!, program!], {
      input: JSON.stringify(['ingest', 'processing', 'query-api', 'scoring', 'another']),
    })
      .toString()
      .trim();
    expect(JSON.parse(sorted)).toEqual(['scoring', 'processing', 'query-api', 'ingest', 'another']);
    // Every deployable that consumes a queue is ordered (a new one would deploy last, after its producers).
    expect((JSON.parse(order!) as string[]).sort()).toEqual(apps.filter((a) => a !== 'migrate').sort());
  });

  it('runs on pushes to main (and by hand), never two at once', () => {
    expect(Object.keys(deploy.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect(deploy.on.push).toEqual({ branches: ['main'] });
    expect((deploy as unknown as Body).concurrency).toEqual({
      group: 'deploy-production',
      'cancel-in-progress': false,
    });
  });

  it('deploys only the affected deployables: the projects tagged type:app, which are exactly the apps Terraform runs', () => {
    expect(runs(deploy.jobs.plan!)).toContain(
      `npx nx show projects --affected --base="$NX_BASE" --head="$NX_HEAD" --projects 'tag:type:app' --json`,
    );
    const tagged = readdirSync(path.join(REPO_ROOT, 'apps'))
      .filter((name) => {
        const projectJson = path.join(REPO_ROOT, 'apps', name, 'project.json');
        return (
          existsSync(projectJson) &&
          (JSON.parse(readFileSync(projectJson, 'utf8')) as { tags: string[] }).tags.includes('type:app')
        );
      })
      .sort();
    expect(tagged).toEqual(apps);
  });

  it('pushes <app>-<git sha> images to the repository Terraform creates, the tag scheme the task definitions use', () => {
    const build = stepUsing(deploy.jobs.images!, 'docker/build-push-action')!;
    expect((build.with as Body).tags).toBe('${{ vars.ECR_REPOSITORY_URL }}:${{ matrix.app }}-${{ github.sha }}');
    expect((build.with as Body).push).toBe(true);
    const services = Object.values(stack.modules).filter((c) => c.source === '../service');
    for (const call of services.flatMap((c) => moduleInstances(infra, stack, c))) {
      expect(call.image, String(call.name)).toBe(`\${local.image_base}${String(call.name)}-\${var.image_tag}`);
    }
    expect(stack.locals.image_base).toBe('${module.ecr.repository_url}:');
  });

  it('splits the apps to deploy into images and Lambda functions by LAMBDA_WORKERS (terraform output lambda_workers)', () => {
    const step = deploy.jobs.plan!.steps.find((st) => st.id === 'affected')!;
    expect((step.env as Body).LAMBDA_WORKERS).toBe("${{ vars.LAMBDA_WORKERS || '[]' }}");
    const script = String(step.run).replace(/\\\n\s*/g, '');
    const functionsProgram = /echo "functions=\$\(jq -c --argjson lambda "\$LAMBDA_WORKERS" '([^']+)'/.exec(
      script,
    )?.[1];
    const imagesProgram =
      /echo "images=\$\(jq -c --argjson lambda "\$LAMBDA_WORKERS" --argjson m "\$migrate" '([^']+)'/.exec(script)?.[1];
    expect(functionsProgram && imagesProgram).toBeTruthy();
    const jq = (program: string, args: string[]) =>
      JSON.parse(
        execFileSync('jq', ['-c', ...args, program], {
          input: JSON.stringify(['scoring', 'processing', 'query-api', 'ingest']),
        }).toString(),
      ) as string[];
    const lambda = JSON.stringify(['processing', 'scoring']);
    expect(jq(functionsProgram!, ['--argjson', 'lambda', lambda])).toEqual(['scoring', 'processing']);
    expect(jq(imagesProgram!, ['--argjson', 'lambda', lambda, '--argjson', 'm', 'true'])).toEqual([
      'ingest',
      'migrate',
      'query-api',
    ]);
    expect(jq(functionsProgram!, ['--argjson', 'lambda', '[]'])).toEqual([]);
    const outputs = infra.get('modules/stack')!.outputs;
    expect(outputs.lambda_workers!.value).toBe('${jsonencode(sort(keys(module.lambda)))}');
  });

  it('packages each function, uploads <app>/<git sha>.zip where Terraform looks, and points the function at it', () => {
    const upload = runs(deploy.jobs.functions!);
    expect(upload).toContain('npm run lambda:package -- "$APP"');
    expect(upload).toContain('aws s3 cp "dist/lambda/$APP.zip" "s3://$LAMBDA_CODE_BUCKET/$APP/$GITHUB_SHA.zip"');
    const lambdaCall = Object.values(stack.modules).find((c) => c.source === '../lambda')!;
    expect(lambdaCall.code_key).toBe('${each.key}/${var.image_tag}.zip');
    expect(lambdaCall.code_bucket).toBe('${module.code_storage.buckets["lambda-code"].name}');
    expect(infra.get('modules/stack')!.outputs.lambda_code_bucket!.value).toBe(
      '${module.code_storage.buckets["lambda-code"].name}',
    );

    const job = deploy.jobs.deploy!;
    expect(job.needs).toEqual(['plan', 'images', 'functions', 'migrate']);
    expect((job.env as Body).IS_FUNCTION).toBe('${{ contains(fromJSON(needs.plan.outputs.functions), matrix.app) }}');
    const update = job.steps.find((st) => String(st.run ?? '').includes('aws lambda update-function-code'))!;
    expect(update.if).toBe("env.IS_FUNCTION == 'true'");
    expect(String(update.run)).toContain('--function-name "$NAME_PREFIX-$APP"');
    expect(String(update.run)).toContain('--s3-bucket "$LAMBDA_CODE_BUCKET" --s3-key "$APP/$GITHUB_SHA.zip"');
    expect(String(update.run)).toContain('aws lambda wait function-updated-v2 --function-name "$NAME_PREFIX-$APP"');
    // Every ECS step is skipped for a function.
    for (const st of job.steps.filter((st) => /ecs/.test(String(st.uses ?? st.run ?? ''))))
      expect(st.if, String(st.name)).toBe("env.IS_FUNCTION != 'true'");
    // The function's name is the one the lambda module gives it.
    expect(infra.get('modules/lambda')!.locals.function_name).toBe('${var.name_prefix}-${var.name}');
  });

  it.skipIf(!existsSync(path.join(REPO_ROOT, 'docker')))('builds each app from a Dockerfile that exists', () => {
    const build = stepUsing(deploy.jobs.images!, 'docker/build-push-action')!;
    const file = path.join(REPO_ROOT, String((build.with as Body).file));
    expect((build.with as Body)['build-args']).toBe('APP=${{ matrix.app }}');
    // The image of each app is the stage of its name, which the last FROM picks by APP.
    for (const app of apps) expect(parseDockerfile(file, { APP: app }).final.parent, app).toBe(app);
  });

  it('deploys one service at a time: renders the current task definition with the new image and waits for stability', () => {
    const job = deploy.jobs.deploy!;
    expect((job.strategy as Body)['max-parallel']).toBe(1);
    expect((job.strategy as Body)['fail-fast']).toBe(true);
    expect(runs(job)).toContain('aws ecs describe-task-definition --task-definition "$NAME_PREFIX-$APP"');
    expect(stepUsing(job, 'aws-actions/amazon-ecs-render-task-definition')!.with).toMatchObject({
      'task-definition': 'task-definition.json',
      'container-name': '${{ matrix.app }}',
      image: '${{ vars.ECR_REPOSITORY_URL }}:${{ matrix.app }}-${{ github.sha }}',
    });
    expect(stepUsing(job, 'aws-actions/amazon-ecs-deploy-task-definition')!.with).toMatchObject({
      service: '${{ matrix.app }}',
      'wait-for-service-stability': true,
    });
    // The names the workflow derives from the app are the ones Terraform gives.
    expect(service.locals.family).toBe('${var.name_prefix}-${var.name}');
    expect(service.resources.aws_ecs_service!.this!.name).toBe('${var.name}');
    expect(String(service.resources.aws_ecs_task_definition!.this!.container_definitions)).toMatch(
      /^\$\{jsonencode\(\[\s*\{\s*name\s*=\s*var\.name\n/,
    );
    expect(stack.locals.name_prefix).toBe('photospots-${var.environment}');
  });

  it('runs the migration task (the same image) before any service moves, when libs/db changed', () => {
    const job = deploy.jobs.migrate!;
    expect(job.needs).toEqual(['plan', 'images']);
    expect(deploy.jobs.deploy!.needs).toContain('migrate');
    expect(runs(job)).toContain('aws ecs describe-task-definition --task-definition "$NAME_PREFIX-migrate"');
    expect(runs(job)).toContain('aws ecs wait tasks-stopped');
    expect(stack.resources.aws_ecs_task_definition!.migrate!.family).toBe('${local.name_prefix}-migrate');
    expect(runs(deploy.jobs.plan!)).toContain('--projects db --json');
  });

  it('every repository variable it reads is documented in infra/README.md', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'infra', 'README.md'), 'utf8');
    const used = [...new Set([...source('deploy.yml').matchAll(/vars\.([A-Z_]+)/g)].map((m) => m[1]!))].sort();
    expect(used.length).toBeGreaterThan(4);
    for (const name of used) expect(readme, name).toContain(`\`${name}\``);
  });
});
