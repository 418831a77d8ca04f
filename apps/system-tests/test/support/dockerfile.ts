import { readFileSync } from 'node:fs';

/** One instruction of a Dockerfile: `COPY --from=build /a ./` → { keyword: 'COPY', args: '--from=build /a ./' }. */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  /** The FROM line's image (ARGs unresolved) and `AS` name. */
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Global ARG defaults (before the first FROM). */
  args: Record<string, string>;
  stages: Stage[];
  /** The stage the image is: the last one. */
  final: Stage;
}

/** Parses a Dockerfile: comments dropped, continuation lines joined. */
export function parseDockerfile(file: string): Dockerfile {
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
  for (const line of logical) {
    const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { keyword: keyword!.toUpperCase(), args: rest!.replace(/\s+/g, ' ') };
    if (instruction.keyword === 'FROM') {
      const [, from, name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args)!;
      stages.push({ from: from!, name, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name, value = ''] = instruction.args.split('=');
      args[name!] = value;
    } else {
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
