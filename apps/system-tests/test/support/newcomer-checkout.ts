import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A fresh copy of the repository, as a newcomer gets it: the files git tracks
 * (plus new ones not yet committed, so the test also runs before a commit),
 * without .data/, dist/ or anything else ignored.
 *
 * Dependencies: installing them again (npm ci, slow even from the cache) would
 * only re-create what `npm ci` already put in this checkout's node_modules. So
 * every third-party package is a symlink to that install, while the workspace
 * packages (@photospots/*) are links into the copy, as npm makes them: the
 * copy runs its own code, with the same dependency tree a fresh npm ci gives.
 */
export function newcomerCheckout(repoRoot: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'photospots-newcomer-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const from = path.join(repoRoot, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    copyFileSync(from, path.join(dir, file));
  }
  const modules = path.join(repoRoot, 'node_modules');
  mkdirSync(path.join(dir, 'node_modules', '@photospots'), { recursive: true });
  for (const entry of readdirSync(modules)) {
    if (entry === '@photospots') continue;
    symlinkSync(path.join(modules, entry), path.join(dir, 'node_modules', entry));
  }
  for (const pkg of readdirSync(path.join(modules, '@photospots'))) {
    // npm's links are relative (../../libs/db), so the same link in the copy points into the copy.
    symlinkSync(
      readlinkSync(path.join(modules, '@photospots', pkg)),
      path.join(dir, 'node_modules', '@photospots', pkg),
    );
  }
  return dir;
}
