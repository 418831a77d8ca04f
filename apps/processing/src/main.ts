import { createLogger, failStartup, runUntilSignalled, startHealthServer } from '@photospots/service';
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
  processing.flushOutbox().catch((err: unknown) => log.warn({ err }, 'outbox flush at start failed; the relay retries'));
  log.info({ healthPort: health.port }, 'processing started');
  runUntilSignalled(
    {
      stop: async () => {
        stopping = true;
        await processing.stop();
        await health.close();
        await deps.close();
      },
    },
    log,
  );
} catch (err) {
  failStartup(err, log);
}
