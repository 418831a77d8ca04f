import { createLogger, failStartup, runUntilSignalled } from '@photospots/service';
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
      stop: async () => {
        await app.close();
        await deps.close();
      },
    },
    log,
  );
} catch (err) {
  failStartup(err, log);
}
