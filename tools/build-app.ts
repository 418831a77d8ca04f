/**
 * Builds one app into dist/<projectRoot>/: each entry point (main.ts, and
 * cli.ts where present) bundled with the workspace libs, third-party packages
 * left external (the Docker image installs them with npm ci --omit=dev).
 * `--copy <from>=<to>` copies files the bundle reads at run time (the
 * migrations) to dist/<projectRoot>/<to>.
 */
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const [projectRoot, ...options] = process.argv.slice(2);
if (!projectRoot) {
  console.error('usage: node tools/build-app.ts <projectRoot> [--copy <from>=<to>]…');
  process.exit(2);
}
const copies: [string, string][] = [];
for (let i = 0; i < options.length; i++) {
  const spec = options[i] === '--copy' ? options[++i] : undefined;
  const [from, to] = spec?.split('=') ?? [];
  if (!from || !to) {
    console.error(`unknown option ${options[i]}: expected --copy <from>=<to>`);
    process.exit(2);
  }
  copies.push([from, to]);
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
        b.onResolve({ filter: /^[^./]/ }, (args) =>
          args.path.startsWith('@photospots/') ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
});
for (const [from, to] of copies) cpSync(from, path.join(outdir, to), { recursive: true });
console.log(`built ${entryPoints.map((e) => path.basename(e)).join(', ')} → ${outdir}`);
