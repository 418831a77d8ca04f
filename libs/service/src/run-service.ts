import { startHealthServer, type ReadinessCheck } from './health-server.ts';
import { failStartup, runUntilSignalled, stopStep } from './lifecycle.ts';
import { createLogger, type Logger } from './logger.ts';

/** What a service process runs, once built from its config and connections. */
export interface RunnableService {
  start(): void | Promise<void>;
  stop(): Promise<void>;
  /** Served at /readyz by a worker's health server. */
  readiness?: Record<string, ReadinessCheck>;
  /** Sent once at start: messages a previous task committed but did not send. */
  flushOutbox?(): Promise<number>;
}

export interface ServiceSpec<C extends { LOG_LEVEL: string }, D extends { close(): Promise<void> }> {
  name: string;
  /** Reads and validates the environment (libs/config); a bad config ends the process at once. */
  loadConfig(): C;
  connect(config: C, log: Logger): D | Promise<D>;
  build(config: C, deps: NoInfer<D>, log: Logger): RunnableService | Promise<RunnableService>;
  /** A worker serves /healthz and /readyz on a small server of its own; the query API serves them itself. */
  healthServer?: (config: C) => { port: number; host: string; portFile?: string | undefined };
}

/**
 * A service's main: config, logger, connections, the service, its health server, then running until
 * SIGTERM. Each step of the stop is bounded, so the process exits 0 within the grace period (25 s) even
 * when a dependency hangs.
 */
export async function runService<C extends { LOG_LEVEL: string }, D extends { close(): Promise<void> }>(
  spec: ServiceSpec<C, D>,
): Promise<void> {
  let config: C;
  try {
    config = spec.loadConfig();
  } catch (err) {
    failStartup(err);
  }
  const log = createLogger(spec.name, config.LOG_LEVEL);
  try {
    const deps = await spec.connect(config, log);
    const service = await spec.build(config, deps, log);
    let stopping = false;
    const health = spec.healthServer
      ? await startHealthServer({
          ...spec.healthServer(config),
          log,
          checks: service.readiness ?? {},
          isStopping: () => stopping,
        })
      : undefined;
    await service.start();
    service
      .flushOutbox?.()
      .catch((err: unknown) => log.warn({ err }, 'outbox flush at start failed; the relay retries'));
    log.info(health ? { healthPort: health.port } : {}, `${spec.name} started`);
    runUntilSignalled(
      {
        stop: async () => {
          stopping = true;
          await stopStep(log, spec.name, () => service.stop(), 16_000);
          if (health) await stopStep(log, 'health server', () => health.close(), 2_000);
          await stopStep(log, 'connections', () => deps.close(), 5_000);
        },
      },
      log,
    );
  } catch (err) {
    failStartup(err, log);
  }
}
