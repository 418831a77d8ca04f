import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expressionsIn, loadInfra, type Body } from './support/terraform.ts';

/** Argument and nested-block names, and exported attributes, of the AWS provider's types that infra/ uses (tools/aws-provider-schema.ts). */
type SchemaNode = { [name: string]: SchemaNode | true };
type TypeSchema = { arguments: SchemaNode; attributes: string[] };
const schema = JSON.parse(
  readFileSync(path.join(import.meta.dirname, 'fixtures', 'aws-provider-schema.json'), 'utf8'),
) as {
  source: string;
  resource: Record<string, TypeSchema>;
  data: Record<string, TypeSchema>;
};
const infra = await loadInfra();
const META_ARGUMENTS = new Set(['count', 'for_each', 'depends_on', 'lifecycle', 'provider']);

/** Names in a block body that the schema node does not know, with their paths. */
function unknownNames(where: string, body: Body, node: SchemaNode, top: boolean): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (top && META_ARGUMENTS.has(key)) continue;
    if (key === 'dynamic') {
      for (const [block, uses] of Object.entries(value as Record<string, Body[]>)) {
        const nested = node[block];
        if (nested === undefined) problems.push(`${where}: dynamic "${block}" is no block of this type`);
        else if (nested !== true)
          for (const use of uses)
            for (const content of (use.content as Body[]) ?? [])
              problems.push(...unknownNames(`${where}.${block}`, content, nested, false));
      }
      continue;
    }
    const nested = node[key];
    if (nested === undefined) {
      problems.push(`${where}: unknown argument or block "${key}"`);
    } else if (nested !== true && value && typeof value === 'object') {
      const bodies = (Array.isArray(value) ? value : [value]).filter(
        (v): v is Body => !!v && typeof v === 'object' && !Array.isArray(v),
      );
      for (const b of bodies) problems.push(...unknownNames(`${where}.${key}`, b, nested, false));
    }
  }
  return problems;
}

describe(`AWS resources use only arguments the provider has (${schema.source})`, () => {
  it('every aws_* resource and data source type infra/ uses is in the extracted schema (else re-run tools/aws-provider-schema.ts)', () => {
    for (const mod of infra.values()) {
      for (const type of Object.keys(mod.resources).filter((t) => t.startsWith('aws_')))
        expect(Object.keys(schema.resource), `${mod.dir}: resource ${type}`).toContain(type);
      for (const type of Object.keys(mod.data).filter((t) => t.startsWith('aws_')))
        expect(Object.keys(schema.data), `${mod.dir}: data ${type}`).toContain(type);
    }
  });

  it('every argument and nested block of every aws_* resource and data source exists in the provider schema', () => {
    const problems: string[] = [];
    let blocks = 0;
    for (const mod of infra.values()) {
      for (const [kind, byType] of [
        ['resource', mod.resources],
        ['data', mod.data],
      ] as const) {
        for (const [type, byName] of Object.entries(byType)) {
          const node = schema[kind][type]?.arguments;
          if (!node) continue;
          for (const [name, body] of Object.entries(byName)) {
            blocks++;
            problems.push(...unknownNames(`${mod.dir} ${type}.${name}`, body, node, true));
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(blocks).toBeGreaterThan(80);
  });

  it('every attribute read from an aws_* resource or data source is one it exports', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const mod of infra.values()) {
      const everything = [mod.resources, mod.data, mod.modules, mod.outputs, mod.locals];
      for (const expression of everything.flatMap(expressionsIn)) {
        for (const m of expression.matchAll(
          /(?<![\w.])(data\.)?(aws_[a-z0-9_]+)\.([\w-]+)((?:\[[^\]]*\])*)\.([a-z_][a-z0-9_]*)/g,
        )) {
          const [, data, type, name, , attribute] = m as unknown as [
            string,
            string | undefined,
            string,
            string,
            string,
            string,
          ];
          const entry = schema[data ? 'data' : 'resource'][type];
          if (!entry) continue; // reported by the first test
          checked++;
          if (!entry.attributes.includes(attribute))
            problems.push(`${mod.dir}: ${data ?? ''}${type}.${name} has no attribute ${attribute}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  it('catches a misspelt argument and a misspelt nested argument', () => {
    const queue = schema.resource.aws_sqs_queue!.arguments;
    expect(unknownNames('q', { visibility_timeout: 30 }, queue, true)).toEqual([
      'q: unknown argument or block "visibility_timeout"',
    ]);
    const service = schema.resource.aws_ecs_service!.arguments;
    expect(
      unknownNames('s', { deployment_circuit_breaker: [{ enabled: true, rollback: true }] }, service, true),
    ).toEqual(['s.deployment_circuit_breaker: unknown argument or block "enabled"']);
  });
});
