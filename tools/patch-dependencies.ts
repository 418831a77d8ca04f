/**
 * Runs after `npm install`/`npm ci` (root postinstall, after patch-package): replaces a region of
 * @fastify/rate-limit. Idempotent; applies only to the exact source it was written for.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A whole region replaced: from `start` up to (not including) `end`, applied only if the region's sha256 matches. */
interface RegionPatch {
  name: string;
  file: string;
  start: string;
  end: string;
  sha256: string;
  replacementFile: string;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packageFile = (pkg: string, file: string) => path.join(root, 'node_modules', pkg, file);

/**
 * @fastify/rate-limit@11.2.0 runs every limited request through an async
 * hook that awaits each step (key generator, limit function, store callback)
 * even when all of them answer synchronously, as ours do (the batched Redis
 * store counts in memory): a microtask and a promise per step on every
 * request. tools/patches/fastify-rate-limit-sync-hook.js keeps the steps and
 * their error paths but uses values that are not promises at once, with a
 * callback hook; and it sets its x-ratelimit-* header values as strings (Node
 * checks a number header value through a slow path on every response). Both
 * show in `npm run bench:api`; the figures are in docs/benchmarks.md.
 * The plugin's own test suite passes against the patched file
 * (apps/query-api/test/rate-limit-patch.test.ts runs it).
 */
const regionPatches: RegionPatch[] = [
  {
    name: '@fastify/rate-limit: synchronous fast path for synchronous keys, limits and stores',
    file: packageFile('@fastify/rate-limit', 'index.js'),
    start: 'async function applyRateLimit (',
    end: '\nmodule.exports = fp(',
    sha256: '6679106eca8998a7004bba5821b021673e180e3650bab54acbc896e7f0b31301',
    replacementFile: path.join(root, 'tools/patches/fastify-rate-limit-sync-hook.js'),
  },
];

for (const patch of regionPatches) {
  if (!existsSync(patch.file)) {
    console.log(`patch skipped (not installed): ${patch.name}`);
    continue;
  }
  const source = readFileSync(patch.file, 'utf8');
  const replacement = `${readFileSync(patch.replacementFile, 'utf8').trimEnd()}\n`;
  if (source.includes(replacement)) continue;
  const from = source.indexOf(patch.start);
  const to = from < 0 ? -1 : source.indexOf(patch.end, from);
  const region = to < 0 ? '' : source.slice(from, to);
  if (createHash('sha256').update(region).digest('hex') !== patch.sha256) {
    console.warn(`patch not applied (the source changed; check whether upstream changed or fixed it): ${patch.name}`);
    continue;
  }
  writeFileSync(patch.file, source.slice(0, from) + replacement + source.slice(to));
  console.log(`patched: ${patch.name}`);
}
