// Copies the root and workspace package.json files, the lock file and the
// dependency patches (patches/, which patch-package applies) to the folder
// given, for the Docker build's dependency layers, which must not change when
// only sources do. Runs with nothing but Node.
import { copyFileSync, globSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const out = process.argv[2];
if (!out) throw new Error('usage: node docker/copy-manifests.mjs <out-dir>');
for (const file of [
  'package.json',
  'package-lock.json',
  ...globSync('patches/*'),
  ...globSync('{apps,libs,tools}/*/package.json'),
]) {
  mkdirSync(path.join(out, path.dirname(file)), { recursive: true });
  copyFileSync(file, path.join(out, file));
}
