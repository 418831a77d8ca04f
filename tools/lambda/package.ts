/**
 * `npm run lambda:package`: bundles each worker's Lambda entry (apps/<service>/src/lambda.ts) with every
 * dependency into one ES module, `index.mjs` (handler `index.handler`), and zips it with its source map as
 * dist/lambda/<service>.zip for the Node.js 24 runtime (`nodejs24.x`, the newest Lambda offers). The zips are
 * reproducible: the same sources give the same bytes, so a deployment's source hash changes only with the code.
 *
 *   npm run lambda:package                 # ingest, processing, scoring
 *   npm run lambda:package -- processing   # one of them
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

import { LAMBDA_RUNTIME, LAMBDA_WORKERS, type LambdaWorker } from '@photospots/contracts';

const OUT = path.join('dist', 'lambda');
/** Zip entries carry this time, not the build's, so equal sources give equal zips. */
const FIXED_MTIME = new Date('2020-01-01T00:00:00Z');

/** Bundles one worker and zips it; returns the zip's path and size. */
export async function packageWorker(service: LambdaWorker, outDir = OUT): Promise<{ zip: string; bytes: number }> {
  const dir = path.join(outDir, service);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [path.join('apps', service, 'src', 'lambda.ts')],
    outfile: path.join(dir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    sourcemap: true,
    sourcesContent: false,
    minifySyntax: true,
    legalComments: 'linked',
    logLevel: 'warning',
    // CommonJS packages inside an ES module bundle still call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  const files: Record<string, [Uint8Array, { mtime: Date }]> = {};
  for (const name of ['index.mjs', 'index.mjs.map', 'index.mjs.LEGAL.txt']) {
    try {
      files[name] = [readFileSync(path.join(dir, name)), { mtime: FIXED_MTIME }];
    } catch {
      // No legal comments to link: no LEGAL file.
    }
  }
  const zip = path.join(outDir, `${service}.zip`);
  const bytes = zipSync(files, { level: 9 });
  writeFileSync(zip, bytes);
  return { zip, bytes: bytes.length };
}

if (import.meta.main) {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((s) => !(LAMBDA_WORKERS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    console.error(`usage: npm run lambda:package -- [${LAMBDA_WORKERS.join('|')}]…  (unknown: ${unknown.join(', ')})`);
    process.exit(2);
  }
  for (const service of asked.length > 0 ? (asked as LambdaWorker[]) : LAMBDA_WORKERS) {
    const started = performance.now();
    const { zip, bytes } = await packageWorker(service);
    console.log(
      `${zip}  ${(bytes / 1e6).toFixed(1)} MB  (${LAMBDA_RUNTIME}, ${Math.round(performance.now() - started)} ms)`,
    );
  }
}
