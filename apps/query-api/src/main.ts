import { createLogger, failStartup, runUntilSignalled, stopStep } from '@photospots/service';
import { buildApp } from './app.ts';
import { loadQueryApiConfig, type QueryApiConfig } from './config.ts';
import { connectQueryApiDeps } from './connect.ts';

let config: QueryApiConfig;
try {
  config = loadQueryApiConfig();
} catch (err) {
  failStartup(err);
}
const log = createLogger('query-api', config.LOG_LEVEL);
try {
  const deps = await connectQueryApiDeps(config, log);
  const app = await buildApp(config, deps);
  await app.listen({ port: config.PORT, host: config.HOST });
  runUntilSignalled(
    {
      // Each step bounded, so the process exits 0 within runUntilSignalled's grace period (25 s) whatever hangs.
      stop: async () => {
        await stopStep(log, 'http server', () => app.close(), 15_000);
        await stopStep(log, 'connections', () => deps.close(), 5_000);
      },
    },
    log,
  );
} catch (err) {
  failStartup(err, log);
}
