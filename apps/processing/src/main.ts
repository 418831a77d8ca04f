import { createLogger, failStartup, runUntilSignalled, startHealthServer, stopStep } from '@photospots/service';
import { buildProcessing } from './app.ts';
import { loadProcessingConfig, type ProcessingConfig } from './config.ts';
import { connectProcessingDeps } from './connect.ts';

let config: ProcessingConfig;
try {
  config = loadProcessingConfig();
} catch (err) {
  failStartup(err);
}
const log = createLogger('processing', config.LOG_LEVEL);
try {
  const deps = await connectProcessingDeps(config, log);
  const processing = buildProcessing(config, deps);
  let stopping = false;
  const health = await startHealthServer({
    port: config.HEALTH_PORT,
    host: config.HEALTH_HOST,
    log,
    checks: processing.readiness,
    isStopping: () => stopping,
  });
  processing.start();
  processing
    .flushOutbox()
    .catch((err: unknown) => log.warn({ err }, 'outbox flush at start failed; the relay retries'));
  log.info({ healthPort: health.port }, 'processing started');
  runUntilSignalled(
    {
      // Each step bounded, so the process exits 0 within runUntilSignalled's grace period (25 s) whatever hangs.
      stop: async () => {
        stopping = true;
        await stopStep(log, 'processing', () => processing.stop(), 16_000);
        await stopStep(log, 'health server', () => health.close(), 2_000);
        await stopStep(log, 'connections', () => deps.close(), 5_000);
      },
    },
    log,
  );
} catch (err) {
  failStartup(err, log);
}
