import closeWithGrace from 'close-with-grace';
import pTimeout from 'p-timeout';
import type { Logger } from 'pino';

export interface StoppableService {
  stop(): Promise<void>;
}

/**
 * Runs a service until a stop signal (SIGTERM, SIGINT, …) or an uncaught exception, then stops it gracefully
 * (close-with-grace): stop taking work, finish or release in-flight work, close pools, exit 0 (1 after an
 * uncaught exception). If that takes longer than `graceMs`, exit 1 so the orchestrator knows; a second signal
 * exits at once. SIGUSR2 is left for diagnostic reports (`--report-on-signal`), and an unhandled rejection
 * gets the policy of onUnhandledRejection.
 */
export function runUntilSignalled(service: StoppableService, log: Logger, graceMs = 25_000): void {
  closeWithGrace(
    {
      delay: graceMs,
      skip: ['unhandledRejection', 'SIGUSR2', 'beforeExit'],
      logger: { error: (err: unknown) => log.error({ err }, 'error while stopping') },
      onTimeout: () => log.error({ graceMs }, 'graceful shutdown timed out; exiting'),
      onSecondSignal: (signal) => log.warn({ signal }, 'second signal while stopping; exiting now'),
    },
    async ({ signal, err }) => {
      if (err) log.fatal({ err }, 'uncaught exception; stopping');
      else log.info({ signal }, 'shutting down');
      await service.stop();
      log.info('stopped');
    },
  );
  process.on('unhandledRejection', (reason) => onUnhandledRejection(reason, log));
}

/**
 * Runs one step of a shutdown for at most `ms`. A step that takes longer (a pool closing over a dead link, a
 * handler stuck on a lost reply) is left behind with a warning, so the steps after it and the exit still come
 * within the grace period; whatever it held is released when the process exits.
 */
export async function stopStep(log: Logger, step: string, run: () => Promise<unknown>, ms: number): Promise<void> {
  const started = performance.now();
  try {
    await pTimeout(run(), { milliseconds: ms, message: `${step}: not done after ${ms} ms` });
  } catch (err) {
    log.warn({ err, step, ms: Math.round(performance.now() - started) }, 'a shutdown step did not finish; going on');
  }
}

/** Socket errors a database or HTTP client may reject a promise nobody awaits with while a link drops. */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

/**
 * A dropped connection can leave a driver-internal promise rejected with nobody
 * listening (postgres.js can leave one when Postgres is cut off mid-import).
 * The work it belonged to fails and is retried through its own path (the
 * transaction rolls back, the message returns to the queue), so such an error is
 * logged, not fatal. Anything else unhandled is a bug: it is logged and the
 * process exits 1, as Node would, so the orchestrator restarts it.
 */
export function onUnhandledRejection(
  reason: unknown,
  log: Logger,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  const code = (reason as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) {
    log.warn(
      { err: reason },
      'a dropped connection rejected a promise nobody awaited; the work it belonged to is retried',
    );
    return;
  }
  log.fatal({ err: reason }, 'unhandled promise rejection');
  exit(1);
}

/** Logs a fatal start-up error (bad config, unreachable dependency) and exits 1. */
export function failStartup(err: unknown, log?: Logger): never {
  if (log) log.fatal({ err }, 'failed to start');
  else console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
