import { createLogger, failStartup, runUntilSignalled, startHealthServer } from '@photospots/service';
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
      stop: async () => {
        stopping = true;
        await ingest.stop();
        await health.close();
        await deps.close();
      },
    },
    log,
  );
} catch (err) {
  failStartup(err, log);
}
