import { readFileSync } from 'node:fs';

/** One instruction of a Dockerfile: `COPY --from=build /a ./` → { keyword: 'COPY', args: '--from=build /a ./' }. */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  /** The FROM line's image (ARGs unresolved) and `AS` name; a stage FROM an earlier stage has that stage's image. */
  from: string;
  name: string | undefined;
  /** The earlier stage this one is FROM, if any: its instructions come first in `instructions`. */
  parent: string | undefined;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Global ARG defaults (before the first FROM). */
  args: Record<string, string>;
  stages: Stage[];
  /** The stage the image is: the last one. */
  final: Stage;
}

/** Instructions whose arguments Docker leaves to the container (exec form) rather than expanding at build time. */
const NOT_EXPANDED = new Set(['CMD', 'ENTRYPOINT', 'HEALTHCHECK']);

/** `${NAME}` and `$NAME` replaced by the build arguments in scope; any other variable is left as it is. */
function expand(text: string, scope: Record<string, string>): string {
  return text.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (match, braced?: string, bare?: string) => scope[(braced ?? bare)!] ?? match,
  );
}

/**
 * Parses a Dockerfile as `docker build --build-arg NAME=value` (buildArgs) would
 * read it: comments dropped, continuation lines joined, the build arguments a
 * stage declares (ARG) expanded, and a stage FROM an earlier stage (also one
 * chosen by an argument, `FROM ${APP}`) starting with that stage's instructions.
 */
export function parseDockerfile(file: string, buildArgs: Record<string, string> = {}): Dockerfile {
  const logical = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  // The build arguments the current stage declares: the only ones its instructions see.
  let scope: Record<string, string> = {};
  for (const line of logical) {
    const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { keyword: keyword!.toUpperCase(), args: rest!.replace(/\s+/g, ' ') };
    if (instruction.keyword === 'FROM') {
      const [, from, name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args)!;
      // FROM sees the global ARGs (and names a stage or an image).
      const parent = stages.find((s) => s.name !== undefined && s.name === expand(from!, { ...args, ...buildArgs }));
      stages.push({
        from: parent?.from ?? from!,
        name,
        parent: parent?.name,
        instructions: [...(parent?.instructions ?? [])],
      });
      scope = {};
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name, value = ''] = instruction.args.split('=');
      args[name!] = value;
    } else {
      if (instruction.keyword === 'ARG') {
        const [name, value] = instruction.args.split('=');
        scope[name!] = buildArgs[name!] ?? value ?? args[name!] ?? '';
      } else if (!NOT_EXPANDED.has(instruction.keyword)) {
        instruction.args = expand(instruction.args, scope);
      }
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  if (stages.length === 0) throw new Error(`${file} has no FROM`);
  return { args, stages, final: stages.at(-1)! };
}

/** The exec-form arguments of CMD/ENTRYPOINT/HEALTHCHECK CMD (`["node", "main.js"]`). */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  const parsed = JSON.parse(json) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string'))
    throw new Error(`not an exec form: ${args}`);
  return parsed as string[];
}

/** The last instruction with this keyword in a stage. */
export function last(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).at(-1);
}

/** ENV instructions of a stage as variables (`ENV A=1 B=2`). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.instructions.filter((x) => x.keyword === 'ENV')) {
    for (const pair of i.args.split(' ')) {
      const [k, v] = pair.split('=');
      if (k && v !== undefined) env[k] = v;
    }
  }
  return env;
}

/** The port a stage's HEALTHCHECK probes: the variable it reads and the port it falls back to, both named by the stage's ENV. */
export function probedPort(stage: Stage): { variable: string | undefined; fallback: string | undefined } {
  const probe = last(stage, 'HEALTHCHECK')?.args ?? '';
  const reads = /process\.env\[process\.env\.(\w+)\] \|\| process\.env\.(\w+)/.exec(probe);
  if (!reads) throw new Error(`the HEALTHCHECK reads no port variable named by the image: ${probe}`);
  const env = envOf(stage);
  return { variable: env[reads[1]!], fallback: env[reads[2]!] };
}
