/**
 * Extracts the argument and nested-block names, and the exported attributes, of
 * every AWS resource and data source that infra/ uses from the AWS provider's schema, as published in the
 * jsii assembly of @cdktf/provider-aws, into a small JSON file the infra tests
 * check the Terraform against (no terraform binary or provider download here).
 *
 *   npm pack @cdktf/provider-aws@21.22.1 && tar xzf cdktf-provider-aws-21.22.1.tgz package/.jsii package/package.json
 *   node tools/aws-provider-schema.ts package
 *
 * Re-run it when infra/ starts using a resource type the file lacks (the test says so).
 */
import { globSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';

interface JsiiType {
  properties?: { name: string; type: JsiiTypeRef }[];
}
interface JsiiTypeRef {
  fqn?: string;
  primitive?: string;
  collection?: { elementtype: JsiiTypeRef };
  union?: { types: JsiiTypeRef[] };
}
/** Names of a type's arguments; nested blocks and object arguments carry their own names. */
interface SchemaNode {
  [name: string]: SchemaNode | true;
}

const packageDir = process.argv[2];
if (!packageDir) {
  console.error('usage: node tools/aws-provider-schema.ts <dir with .jsii and package.json of @cdktf/provider-aws>');
  process.exit(2);
}
const jsii = JSON.parse(readFileSync(path.join(packageDir, '.jsii'), 'utf8')) as { types: Record<string, JsiiType> };
const pkg = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
  version: string;
  cdktf?: { provider?: { version?: string } };
};

const camel = (s: string) => s.replace(/[_-]([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const pascal = (s: string) => camel(s).replace(/^./, (c) => c.toUpperCase());

function nestedFqn(type: JsiiTypeRef | undefined): string | undefined {
  if (!type) return undefined;
  if (type.fqn) return type.fqn.startsWith('@cdktf/provider-aws') ? type.fqn : undefined;
  if (type.collection) return nestedFqn(type.collection.elementtype);
  return type.union?.types.map(nestedFqn).find(Boolean);
}

function node(fqn: string, depth = 0): SchemaNode {
  const out: SchemaNode = {};
  for (const p of jsii.types[fqn]?.properties ?? []) {
    const nested = nestedFqn(p.type);
    out[snake(p.name)] = nested && depth < 8 ? node(nested, depth + 1) : true;
  }
  return out;
}

/** The jsii class of a resource or data source (its properties are the arguments and the exported attributes). */
function classFqn(kind: 'resource' | 'data', type: string): string {
  const ns = camel(kind === 'data' ? `data_${type}` : type.replace(/^aws_/, ''));
  // A few classes get an "A" suffix where the plain name would clash.
  const found = [`@cdktf/provider-aws.${ns}.${pascal(ns)}`, `@cdktf/provider-aws.${ns}.${pascal(ns)}A`].find(
    (c) => jsii.types[`${c}Config`],
  );
  if (!found) throw new Error(`no schema for ${kind} ${type}`);
  return found;
}

function entry(kind: 'resource' | 'data', type: string) {
  const cls = classFqn(kind, type);
  const attributes = (jsii.types[cls]?.properties ?? [])
    .map((p) => p.name)
    .filter((n) => !n.endsWith('Input') && n !== 'tfResourceType')
    .map(snake)
    .sort();
  return { arguments: node(`${cls}Config`), attributes };
}

const used = { resource: new Set<string>(), data: new Set<string>() };
for (const file of globSync('infra/**/*.tf')) {
  const doc = (await parse(file, readFileSync(file, 'utf8'))) as Record<string, Record<string, unknown>>;
  for (const kind of ['resource', 'data'] as const)
    for (const type of Object.keys(doc[kind] ?? {})) if (type.startsWith('aws_')) used[kind].add(type);
}

const schema = {
  source: `hashicorp/aws ${pkg.cdktf?.provider?.version ?? '?'} via @cdktf/provider-aws ${pkg.version} (tools/aws-provider-schema.ts)`,
  resource: Object.fromEntries([...used.resource].sort().map((t) => [t, entry('resource', t)])),
  data: Object.fromEntries([...used.data].sort().map((t) => [t, entry('data', t)])),
};
const out = 'apps/system-tests/test/fixtures/aws-provider-schema.json';
writeFileSync(out, `${JSON.stringify(schema)}\n`);
console.log(`${out}: ${used.resource.size} resource types, ${used.data.size} data sources (${schema.source})`);
