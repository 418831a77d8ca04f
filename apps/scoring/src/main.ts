import { runService } from '@photospots/service';
import { buildScoring } from './app.ts';
import { loadScoringConfig } from './config.ts';
import { connectScoringDeps } from './connect.ts';

await runService({
  name: 'scoring',
  loadConfig: loadScoringConfig,
  connect: connectScoringDeps,
  build: buildScoring,
  healthServer: (config) => ({ port: config.HEALTH_PORT, host: config.HEALTH_HOST, portFile: config.HEALTH_PORT_FILE }),
});
