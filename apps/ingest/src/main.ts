import { runService } from '@photospots/service';
import { buildIngest } from './app.ts';
import { loadIngestConfig } from './config.ts';
import { connectIngestDeps } from './connect.ts';

await runService({
  name: 'ingest',
  loadConfig: loadIngestConfig,
  connect: connectIngestDeps,
  build: buildIngest,
  healthServer: (config) => ({ port: config.HEALTH_PORT, host: config.HEALTH_HOST, portFile: config.HEALTH_PORT_FILE }),
});
