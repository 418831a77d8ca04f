import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployableNames } from './support/deployables.ts';
import {
  expressionsIn,
  INFRA_ROOT,
  loadInfra,
  moduleSource,
  parseHcl,
  referencesIn,
  unresolved,
} from './support/terraform.ts';

const infra = await loadInfra();
const ENVS = readdirSync(path.join(INFRA_ROOT, 'envs')).sort();
const META_ARGUMENTS = new Set(['source', 'version', 'providers', 'depends_on', 'count', 'for_each']);

describe('Terraform in infra/ is well formed (no terraform binary here: parsed with HashiCorp HCL)', () => {
  it('has a module per concern, the stack and one folder per stage', () => {
    expect([...infra.keys()].sort()).toEqual([
      'envs/dev',
      'envs/prod',
      'modules/access-policy',
      'modules/alarms',
      'modules/alb',
      'modules/autoscaling',
      'modules/database',
      'modules/ecr',
      'modules/ecs-cluster',
      'modules/lambda',
      'modules/network',
      'modules/queues',
      'modules/redis',
      'modules/scheduler',
      'modules/service',
      'modules/stack',
      'modules/storage',
    ]);
    expect(ENVS).toEqual(['dev', 'prod']);
  });

  it('resolves every reference: variables, locals, module outputs, resources and data sources exist', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const mod of infra.values()) {
      const bodies = [mod.resources, mod.data, mod.modules, mod.variables, mod.outputs, mod.locals];
      for (const expression of bodies.flatMap(expressionsIn)) {
        for (const ref of referencesIn(expression)) {
          checked++;
          const problem = unresolved(infra, mod, ref);
          if (problem) problems.push(`${mod.dir}: ${problem} (in ${expression.slice(0, 120)})`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  });

  it('passes every module its required variables and nothing it does not declare', () => {
    const problems: string[] = [];
    for (const mod of infra.values()) {
      for (const [name, call] of Object.entries(mod.modules)) {
        const target = moduleSource(infra, mod, call);
        const args = Object.keys(call).filter((k) => !META_ARGUMENTS.has(k));
        for (const arg of args)
          if (!(arg in target.variables))
            problems.push(`${mod.dir}: module.${name} passes ${arg}, which ${target.dir} does not declare`);
        for (const [variable, body] of Object.entries(target.variables)) {
          if (!('default' in body) && !args.includes(variable))
            problems.push(`${mod.dir}: module.${name} misses required ${variable} of ${target.dir}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('declares every module input with a type', () => {
    const untyped = [...infra.values()].flatMap((mod) =>
      Object.entries(mod.variables)
        .filter(([, body]) => !('type' in body))
        .map(([name]) => `${mod.dir}: ${name}`),
    );
    expect(untyped).toEqual([]);
  });

  it.each(ENVS)('envs/%s: the tfvars example sets every required variable, and only declared ones', async (env) => {
    const mod = infra.get(`envs/${env}`)!;
    const example = await parseHcl(path.join(INFRA_ROOT, 'envs', env, 'terraform.tfvars.example'));
    const required = Object.entries(mod.variables)
      .filter(([, body]) => !('default' in body))
      .map(([name]) => name);
    expect(required.length).toBeGreaterThan(0);
    for (const name of required) expect(Object.keys(example), `${env}: ${name}`).toContain(name);
    for (const name of Object.keys(example)) expect(Object.keys(mod.variables), `${env}: ${name}`).toContain(name);
  });

  it.each(ENVS)('envs/%s: sizes exactly the deployable apps (stack default and the tfvars example)', async (env) => {
    const apps = deployableNames();
    const stack = infra.get('modules/stack')!;
    expect(Object.keys(stack.variables.services!.default as object).sort()).toEqual(apps);
    const example = await parseHcl(path.join(INFRA_ROOT, 'envs', env, 'terraform.tfvars.example'));
    expect(Object.keys(example.services as object).sort()).toEqual(apps);
  });
});
