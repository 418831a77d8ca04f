import { runService } from '@photospots/service';
import { buildApp } from './app.ts';
import { loadQueryApiConfig } from './config.ts';
import { connectQueryApiDeps } from './connect.ts';

await runService({
  name: 'query-api',
  loadConfig: loadQueryApiConfig,
  connect: connectQueryApiDeps,
  build: async (config, deps) => {
    const app = await buildApp(config, deps);
    return {
      start: async () => {
        await app.listen({ port: config.PORT, host: config.HOST });
      },
      stop: () => app.close(),
    };
  },
});
