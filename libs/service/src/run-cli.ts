import { createLogger, type Logger } from './logger.ts';

/** A command line that cannot be run as given: printed with the usage text, exit 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}

/**
 * A repo command's main: runs `run` and exits with its code. A UsageError prints the usage (exit 2); a
 * failure with a `code` (a missing file, a rejected key) prints its message only; any other its stack (exit 1).
 */
export function runCli(name: string, run: (argv: string[]) => Promise<number>, usage?: string): void {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      const e = err as { code?: string; message?: string };
      if (err instanceof UsageError) {
        console.error(`${name}: ${e.message}${usage ? `\n\n${usage}` : ''}`);
        process.exit(2);
      }
      console.error(e.code ? `${name}: ${e.message}` : err);
      process.exit(1);
    },
  );
}

/** A command's logger: its own progress is printed, so the service's info lines are quietened to warn. */
export function cliLogger(name: string, level: string): Logger {
  return createLogger(`${name}-cli`, level === 'info' ? 'warn' : level);
}
