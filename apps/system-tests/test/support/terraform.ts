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

/** The text of an HCL expression split at its top-level commas and line breaks (outside brackets, strings and # comments). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '#') i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i) - 1;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && (c === ',' || c === '\n')) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** `f(a, b)` → { name: 'f', args: ['a', 'b'] } when the expression is one call, else undefined. */
function callOf(expression: string): { name: string; args: string[] } | undefined {
  const m = /^([a-z]+)\(/.exec(expression);
  if (!m || !expression.endsWith(')')) return undefined;
  const inner = expression.slice(m[0].length, -1);
  // One call only if its parentheses close at the end: `f(a) == g(b)` is not.
  let depth = 0;
  for (const c of inner) {
    depth += c === '(' ? 1 : c === ')' ? -1 : 0;
    if (depth < 0) return undefined;
  }
  return { name: m[1]!, args: splitTopLevel(inner) };
}

class MissingAttribute extends Error {}

interface Instance {
  key: string;
  value: Body;
  locals: Record<string, unknown>;
}

/** A value with each.key, each.value and the module's locals resolved as Terraform would for one instance. */
function resolveEach(value: unknown, instance: Instance): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveEach(v, instance));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveEach(v, instance)]));
  if (typeof value !== 'string' || !value.includes('${')) return value;
  const whole = /^\$\{([\s\S]*)\}$/.exec(value);
  if (whole && !whole[1]!.includes('${')) return evaluate(whole[1]!.trim(), instance);
  // A template: "${local.image_base}${each.key}-${var.image_tag}".
  const text = value.replaceAll('${each.key}', instance.key);
  if (text.includes('each.')) throw new Error(`unsupported use of each in ${value}`);
  return text;
}

/**
 * One expression for one instance: each.key, each.value.<path>, local.<name> (objects and lists), literals,
 * object and list constructors, merge(), concat(), lookup(each.value, …) and try() are
 * evaluated; any other expression is kept as "${…}" with each.key written as its string.
 */
function evaluate(expression: string, instance: Instance): unknown {
  if (expression === 'each.key') return instance.key;
  const path = /^each\.value((?:\.[A-Za-z_]\w*)*)$/.exec(expression);
  if (path) {
    let at: unknown = instance.value;
    for (const name of path[1]!.split('.').slice(1)) {
      if (!at || typeof at !== 'object' || !(name in at)) throw new MissingAttribute(expression);
      at = (at as Body)[name];
    }
    return resolveEach(at, instance);
  }
  // A local that is an object or a list is what merge() and concat() take; any other stays a reference.
  const local = /^local\.([A-Za-z_]\w*)$/.exec(expression)?.[1];
  if (local !== undefined && instance.locals[local] && typeof instance.locals[local] === 'object')
    return resolveEach(instance.locals[local], instance);
  if (expression === 'null') return null;
  if (expression === 'true' || expression === 'false') return expression === 'true';
  if (/^-?\d+(\.\d+)?$/.test(expression)) return Number(expression);
  if (/^"(?:[^"\\$]|\\.)*"$/.test(expression)) return JSON.parse(expression) as string;
  if (expression.startsWith('[') && expression.endsWith(']'))
    return splitTopLevel(expression.slice(1, -1)).map((e) => evaluate(e, instance));
  if (expression.startsWith('{') && expression.endsWith('}'))
    return Object.fromEntries(
      splitTopLevel(expression.slice(1, -1)).map((entry) => {
        const [, name, rest] = /^("[^"]+"|[A-Za-z_][\w-]*)\s*=\s*([\s\S]+)$/.exec(entry) ?? [];
        if (!name) throw new Error(`not an object entry: ${entry}`);
        return [name.replace(/^"|"$/g, ''), evaluate(rest!, instance)];
      }),
    );
  const call = callOf(expression);
  if (call?.name === 'try') {
    for (const arg of call.args) {
      try {
        return evaluate(arg, instance);
      } catch (err) {
        if (!(err instanceof MissingAttribute)) throw err;
      }
    }
    throw new MissingAttribute(expression);
  }
  if (call?.name === 'lookup' && call.args[0] === 'each.value' && call.args.length === 3) {
    const name = evaluate(call.args[1]!, instance) as string;
    return name in instance.value ? resolveEach(instance.value[name], instance) : evaluate(call.args[2]!, instance);
  }
  if (call?.name === 'merge' || call?.name === 'concat') {
    const args = call.args.map((a) => evaluate(a, instance));
    const kind = call.name === 'merge' ? 'object' : 'list';
    for (const arg of args)
      if (!arg || typeof arg !== 'object' || Array.isArray(arg) !== (kind === 'list'))
        throw new Error(`${call.name} of something not a known ${kind}: ${expression}`);
    return call.name === 'merge' ? Object.assign({}, ...(args as Body[])) : (args as unknown[][]).flat();
  }
  const rest = expression.replace(/(?<![\w.])each\.key\b/g, JSON.stringify(instance.key));
  if (/(?<![\w.])each\./.test(rest)) throw new Error(`unsupported use of each in ${expression}`);
  return `\${${rest}}`;
}

/**
 * The arguments each instance of a module call gets: the call itself when it has no
 * for_each, else one per entry of the local it iterates (`for_each = local.apps`), with
 * each.key and each.value resolved. An argument that comes out null is left out when the
 * module's variable defaults to null, as Terraform then treats it as not set.
 */
export function moduleInstances(
  infra: Map<string, TfModule>,
  mod: TfModule,
  call: Body,
  options: InstanceOptions = {},
): Body[] {
  if (call.for_each === undefined) return [call];
  const { local, keep } = forEachSource(String(call.for_each), options);
  const entries = local === undefined ? undefined : mod.locals[local];
  if (!entries || typeof entries !== 'object')
    throw new Error(`${mod.dir}: for_each ${String(call.for_each)} is not a local object`);
  const variables = moduleSource(infra, mod, call).variables;
  return Object.entries(entries as Record<string, Body>)
    .filter(([key]) => keep(key))
    .map(([key, value]) => {
      const instance = { key, value, locals: mod.locals };
      const args = Object.entries(call).filter(([name]) => name !== 'for_each');
      return Object.fromEntries(
        args
          .map(([name, arg]) => [name, resolveEach(arg, instance)] as const)
          .filter(([name, arg]) => !(arg === null && variables[name]?.default === null)),
      );
    });
}

export interface InstanceOptions {
  /** The stack's var.compute: how each worker runs. A worker it leaves out is "ecs", the variable's default. */
  compute?: Record<string, 'ecs' | 'lambda'>;
}

/**
 * The local a for_each iterates, and which of its keys it keeps: `local.apps`, or the apps of one compute,
 * `{ for name, app in local.apps : name => app if local.compute[name] == "lambda" }`.
 */
function forEachSource(
  expression: string,
  options: InstanceOptions,
): { local?: string; keep: (key: string) => boolean } {
  const local = plainLocal(expression);
  if (local !== undefined) return { local, keep: () => true };
  const filtered = /^\$\{\{ for (\w+), (\w+) in local\.(\w+) : \1 => \2 if local\.compute\[\1\] == "(\w+)" \}\}$/.exec(
    expression,
  );
  if (!filtered) return { keep: () => false };
  const [, , , source, compute] = filtered;
  return { local: source, keep: (key) => (options.compute?.[key] ?? 'ecs') === compute };
}
