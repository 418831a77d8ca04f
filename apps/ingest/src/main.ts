import { createLogger, failStartup, runUntilSignalled, startHealthServer, stopStep } from '@photospots/service';
import { buildIngest } from './app.ts';
import { loadIngestConfig, type IngestConfig } from './config.ts';
import { connectIngestDeps } from './connect.ts';

let config: IngestConfig;
try {
  config = loadIngestConfig();
} catch (err) {
  failStartup(err);
}
const log = createLogger('ingest', config.LOG_LEVEL);
try {
  const deps = await connectIngestDeps(config, log);
  const ingest = buildIngest(config, deps);
  let stopping = false;
  const health = await startHealthServer({
    port: config.HEALTH_PORT,
    host: config.HEALTH_HOST,
    log,
    checks: ingest.readiness,
    isStopping: () => stopping,
  });
  ingest.start();
  ingest.flushOutbox().catch((err: unknown) => log.warn({ err }, 'outbox flush at start failed; the relay retries'));
  log.info({ healthPort: health.port }, 'ingest started');
  runUntilSignalled(
    {
      // Each step bounded, so the process exits 0 within runUntilSignalled's grace period (25 s) whatever hangs.
      stop: async () => {
        stopping = true;
        await stopStep(log, 'ingest', () => ingest.stop(), 16_000);
        await stopStep(log, 'health server', () => health.close(), 2_000);
        await stopStep(log, 'connections', () => deps.close(), 5_000);
      },
    },
    log,
  );
} catch (err) {
  failStartup(err, log);
}
