import { z } from 'zod';

/** Thrown when the environment does not satisfy a service's schema; lists every problem. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Reads and validates the environment once; the only place process.env is read. */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<z.ZodObject<S>> {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = z.object(shape).safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return result.data;
}

export interface EnvVarDoc {
  name: string;
  default: string;
  required: boolean;
  description: string;
}

/** One row per variable: name, default, and description, for docs and drift tests. */
export function describeEnv(shape: z.ZodRawShape): EnvVarDoc[] {
  return Object.entries(shape).map(([name, schema]) => {
    const s = schema as z.ZodType;
    const parsed = s.safeParse(undefined);
    const optional = s.safeParse(undefined).success;
    const def = parsed.success && parsed.data !== undefined ? String(parsed.data) : '';
    return { name, default: def, required: !optional, description: s.description ?? '' };
  });
}
