/**
 * Builds one app into dist/<projectRoot>/: each entry point (main.ts, and
 * cli.ts where present) bundled with the workspace libs, third-party packages
 * left external (the Docker image installs them with npm ci --omit=dev).
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const projectRoot = process.argv[2];
if (!projectRoot) {
  console.error('usage: node tools/build-app.ts <projectRoot>');
  process.exit(2);
}
const outdir = path.join('dist', projectRoot);
rmSync(outdir, { recursive: true, force: true });
const entryPoints = ['main.ts', 'cli.ts'].map((f) => path.join(projectRoot, 'src', f)).filter((f) => existsSync(f));

await build({
  entryPoints,
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  sourcemap: true,
  logLevel: 'warning',
  outExtension: { '.js': '.js' },
  plugins: [
    {
      name: 'externalise-third-party',
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@photospots/') ? undefined : { path: args.path, external: true }));
      },
    },
  ],
});
console.log(`built ${entryPoints.map((e) => path.basename(e)).join(', ')} → ${outdir}`);
