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

  it('always runs the deployment drift tests (infra/ and .github/ belong to no Nx project)', () => {
    expect(runs(job)).toContain('npx vitest run --project system-tests infra-');
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
