import type { Logger } from 'pino';

export interface StoppableService {
  stop(): Promise<void>;
}

/**
 * Runs a service until SIGTERM or SIGINT, then stops it gracefully: stop
 * taking work, finish or release in-flight work, close pools, exit 0. If that
 * takes longer than `graceMs`, exit 1 so the orchestrator knows.
 */
export function runUntilSignalled(service: StoppableService, log: Logger, graceMs = 25_000): void {
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error({ graceMs }, 'graceful shutdown timed out; exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    service.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/** Logs a fatal start-up error (bad config, unreachable dependency) and exits 1. */
export function failStartup(err: unknown, log?: Logger): never {
  if (log) log.fatal({ err }, 'failed to start');
  else console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
