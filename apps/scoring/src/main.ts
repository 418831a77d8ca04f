import { createLogger, failStartup, runUntilSignalled, startHealthServer } from '@photospots/service';
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
      stop: async () => {
        stopping = true;
        await scoring.stop();
        await health.close();
        await deps.close();
      },
    },
    log,
  );
} catch (err) {
  failStartup(err, log);
}
