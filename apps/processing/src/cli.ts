/** `npm run processing:rebuild`: re-clusters every tile (the full rebuild) and prints a summary. */
import { cliLogger, runCli } from '@photospots/service';
import { buildProcessing } from './app.ts';
import { loadProcessingConfig } from './config.ts';
import { connectProcessingDeps } from './connect.ts';

async function run(argv: string[]): Promise<number> {
  const [command] = argv;
  if (command !== 'rebuild') {
    console.error('usage: npm run processing:rebuild   (node apps/processing/src/cli.ts rebuild)');
    return 2;
  }
  const config = loadProcessingConfig();
  const log = cliLogger('processing', config.LOG_LEVEL);
  const deps = await connectProcessingDeps(config, log);
  try {
    const processing = buildProcessing(config, deps);
    const started = performance.now();
    const results = await processing.rebuildAll();
    await processing.stop();
    const sum = (k: 'created' | 'changed' | 'unchanged' | 'retired' | 'photosRead' | 'tilesClaimed') =>
      results.reduce((s, r) => s + r[k], 0);
    console.log(
      `rebuilt ${sum('tilesClaimed')} tiles from ${sum('photosRead')} photos in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
        `${sum('created')} created, ${sum('changed')} changed, ${sum('unchanged')} unchanged, ${sum('retired')} retired`,
    );
    return 0;
  } finally {
    await deps.close();
  }
}

runCli('processing', run);
