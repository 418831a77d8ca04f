import { createLogger, failStartup, runUntilSignalled, startHealthServer, stopStep } from '@photospots/service';
import { buildScoring } from './app.ts';
import { loadScoringConfig, type ScoringConfig } from './config.ts';
import { connectScoringDeps } from './connect.ts';

let config: ScoringConfig;
try {
  config = loadScoringConfig();
} catch (err) {
  failStartup(err);
}
const log = createLogger('scoring', config.LOG_LEVEL);
try {
  const deps = await connectScoringDeps(config, log);
  const scoring = buildScoring(config, deps);
  let stopping = false;
  const health = await startHealthServer({
    port: config.HEALTH_PORT,
    host: config.HEALTH_HOST,
    log,
    checks: scoring.readiness,
    isStopping: () => stopping,
  });
  scoring.start();
  log.info({ healthPort: health.port, redis: Boolean(deps.redis) }, 'scoring started');
  runUntilSignalled(
    {
      // Each step bounded, so the process exits 0 within runUntilSignalled's grace period (25 s) whatever hangs.
      stop: async () => {
        stopping = true;
        await stopStep(log, 'scoring', () => scoring.stop(), 16_000);
        await stopStep(log, 'health server', () => health.close(), 2_000);
        await stopStep(log, 'connections', () => deps.close(), 5_000);
      },
    },
    log,
  );
} catch (err) {
  failStartup(err, log);
}
