import { runService } from '@photospots/service';
import { buildProcessing } from './app.ts';
import { loadProcessingConfig } from './config.ts';
import { connectProcessingDeps } from './connect.ts';

await runService({
  name: 'processing',
  loadConfig: loadProcessingConfig,
  connect: connectProcessingDeps,
  build: buildProcessing,
  healthServer: (config) => ({ port: config.HEALTH_PORT, host: config.HEALTH_HOST, portFile: config.HEALTH_PORT_FILE }),
});
