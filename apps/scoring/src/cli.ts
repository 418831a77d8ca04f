/** `npm run scoring:rescore`: rescores every active hotspot now and rebuilds the Redis index (when configured). */
import { cliLogger, runCli } from '@photospots/service';
import { buildScoring } from './app.ts';
import { loadScoringConfig } from './config.ts';
import { connectScoringDeps } from './connect.ts';

async function run(argv: string[]): Promise<number> {
  if (argv[0] !== 'rescore') {
    console.error('usage: npm run scoring:rescore   (node apps/scoring/src/cli.ts rescore)');
    return 2;
  }
  const config = loadScoringConfig();
  const log = cliLogger('scoring', config.LOG_LEVEL);
  const deps = await connectScoringDeps(config, log);
  try {
    const scoring = buildScoring(config, deps);
    const started = performance.now();
    const scored = await scoring.rescoreAll();
    const indexed = await scoring.syncIndex();
    console.log(
      `rescored ${scored} hotspots${deps.redis ? `, Redis index holds ${indexed}` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return 0;
  } finally {
    await deps.close();
  }
}

runCli('scoring', run);
