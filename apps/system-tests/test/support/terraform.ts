/**
 * Reads infra/ with a real HCL parser (HashiCorp's hcl, compiled to wasm in
 * @cdktf/hcl2json) into one model per Terraform module directory, for the
 * infra drift tests. Literal values come back as JSON; expressions come back
 * as "${…}" strings whose references the tests resolve by name.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { REPO_ROOT } from '@photospots/test-harness';

export const INFRA_ROOT = path.join(REPO_ROOT, 'infra');

/** The body of one block (resource, module, variable, …): attributes and nested blocks. */
export type Body = Record<string, unknown>;

export interface TfModule {
  /** Directory relative to infra/, e.g. "modules/stack". */
  dir: string;
  files: string[];
  /** type → name → body */
  resources: Record<string, Record<string, Body>>;
  data: Record<string, Record<string, Body>>;
  modules: Record<string, Body>;
  variables: Record<string, Body>;
  outputs: Record<string, Body>;
  locals: Record<string, unknown>;
}

function tfFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...tfFilesUnder(full));
    else if (entry.endsWith('.tf')) out.push(full);
  }
  return out.sort();
}

/** Parses one HCL file (a .tf or .tfvars); throws with the parser's diagnostics when it is not valid HCL. */
export async function parseHcl(file: string): Promise<Record<string, unknown>> {
  return (await parse(path.basename(file), readFileSync(file, 'utf8'))) as Record<string, unknown>;
}

const firstBody = (blocks: unknown): Body => (blocks as Body[])[0]!;

/** Every Terraform module under infra/, by directory. */
export async function loadInfra(root = INFRA_ROOT): Promise<Map<string, TfModule>> {
  const modules = new Map<string, TfModule>();
  for (const file of tfFilesUnder(root)) {
    const dir = path.relative(root, path.dirname(file));
    const mod =
      modules.get(dir) ??
      ({
        dir,
        files: [],
        resources: {},
        data: {},
        modules: {},
        variables: {},
        outputs: {},
        locals: {},
      } satisfies TfModule);
    modules.set(dir, mod);
    mod.files.push(path.relative(root, file));
    const doc = await parseHcl(file);
    for (const [kind, target] of [
      ['resource', mod.resources],
      ['data', mod.data],
    ] as const) {
      for (const [type, byName] of Object.entries((doc[kind] ?? {}) as Record<string, Record<string, unknown>>)) {
        target[type] ??= {};
        for (const [name, blocks] of Object.entries(byName)) target[type]![name] = firstBody(blocks);
      }
    }
    for (const [kind, target] of [
      ['module', mod.modules],
      ['variable', mod.variables],
      ['output', mod.outputs],
    ] as const) {
      for (const [name, blocks] of Object.entries((doc[kind] ?? {}) as Record<string, unknown>))
        target[name] = firstBody(blocks);
    }
    for (const block of (doc.locals ?? []) as Body[]) Object.assign(mod.locals, block);
  }
  return modules;
}

/** The module a module call's source points to. */
export function moduleSource(infra: Map<string, TfModule>, caller: TfModule, call: Body): TfModule {
  const dir = path.normalize(path.join(caller.dir, String(call.source)));
  const target = infra.get(dir);
  if (!target) throw new Error(`${caller.dir}: module source ${String(call.source)} (${dir}) has no .tf files`);
  return target;
}

/** Every expression ("${…}" string) anywhere inside a value. */
export function expressionsIn(value: unknown): string[] {
  if (typeof value === 'string') return value.includes('${') ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(expressionsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(expressionsIn);
  return [];
}

export type Reference =
  | { kind: 'var' | 'local'; name: string }
  | { kind: 'module'; name: string; output: string | undefined }
  | { kind: 'resource' | 'data'; type: string; name: string };

/** The named things an expression refers to (variables, locals, module outputs, resources, data sources). */
export function referencesIn(expression: string): Reference[] {
  const refs: Reference[] = [];
  for (const m of expression.matchAll(/(?<![\w.])(var|local)\.([A-Za-z_][\w-]*)/g))
    refs.push({ kind: m[1] as 'var' | 'local', name: m[2]! });
  for (const m of expression.matchAll(/(?<![\w.])module\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?/g))
    refs.push({ kind: 'module', name: m[1]!, output: m[2] });
  for (const m of expression.matchAll(/(?<![\w.])data\.([a-z][\w]*)\.([A-Za-z_][\w-]*)/g))
    refs.push({ kind: 'data', type: m[1]!, name: m[2]! });
  for (const m of expression.matchAll(/(?<![\w.])((?:aws|random)_[a-z0-9_]+)\.([A-Za-z_][\w-]*)/g))
    refs.push({ kind: 'resource', type: m[1]!, name: m[2]! });
  return refs;
}

/** Problems with one reference in a module ("" when it resolves). */
export function unresolved(infra: Map<string, TfModule>, mod: TfModule, ref: Reference): string {
  switch (ref.kind) {
    case 'var':
      return ref.name in mod.variables ? '' : `var.${ref.name} is not declared`;
    case 'local':
      return ref.name in mod.locals ? '' : `local.${ref.name} is not defined`;
    case 'module': {
      const call = mod.modules[ref.name];
      if (!call) return `module.${ref.name} is not called`;
      if (ref.output === undefined) return '';
      return ref.output in moduleSource(infra, mod, call).outputs
        ? ''
        : `module.${ref.name} has no output ${ref.output}`;
    }
    case 'data':
      return mod.data[ref.type]?.[ref.name] ? '' : `data.${ref.type}.${ref.name} is not declared`;
    case 'resource':
      return mod.resources[ref.type]?.[ref.name] ? '' : `${ref.type}.${ref.name} is not declared`;
  }
}

/** The single reference of an expression that is nothing but `module.x.y["key"]`-style access, e.g. module.queues.queues["ingest"]. */
export function indexedModuleOutput(expression: unknown): { module: string; output: string; key: string } | undefined {
  const m = /^\$\{module\.([\w-]+)\.([\w-]+)\["([^"]+)"\]\}$/.exec(String(expression));
  return m ? { module: m[1]!, output: m[2]!, key: m[3]! } : undefined;
}

/** `"${var.name}"` → "name"; anything else → undefined. */
export function plainVariable(expression: unknown): string | undefined {
  return /^\$\{var\.([\w-]+)\}$/.exec(String(expression))?.[1];
}

/** `"${local.name}"` → "name"; anything else → undefined. */
export function plainLocal(expression: unknown): string | undefined {
  return /^\$\{local\.([\w-]+)\}$/.exec(String(expression))?.[1];
}
