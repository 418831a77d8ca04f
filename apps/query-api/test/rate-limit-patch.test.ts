import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const plugin = path.dirname(createRequire(import.meta.url).resolve('@fastify/rate-limit/package.json'));
const patch = readFileSync(
  path.resolve(import.meta.dirname, '../../../tools/patches/fastify-rate-limit-sync-hook.js'),
  'utf8',
);

describe('the patched @fastify/rate-limit (tools/patch-dependencies.ts)', () => {
  it('is installed: the synchronous hook replaced the async one', () => {
    const source = readFileSync(path.join(plugin, 'index.js'), 'utf8');
    expect(source).toContain(patch.trimEnd());
    expect(source).not.toContain('async function applyRateLimit (');
  });

  // The plugin's own tests, shipped in its package, run against the patched file. Its Redis tests are
  // left out: they flush the whole Redis other suites use meanwhile, and the patch does not touch its Redis store.
  it('passes the plugin’s own test suite', { timeout: 120_000 }, async () => {
    const files = [
      ...readdirSync(path.join(plugin, 'test'))
        .filter((f) => f.endsWith('.test.js') && f !== 'redis-rate-limit.test.js')
        .map((f) => `test/${f}`),
      ...readdirSync(path.join(plugin, 'test/github-issues'))
        .filter((f) => f.endsWith('.test.js'))
        .map((f) => `test/github-issues/${f}`),
    ];
    expect(files.length).toBeGreaterThan(8);
    const { stdout } = await promisify(execFile)(process.execPath, ['--test', '--test-reporter=tap', ...files], {
      cwd: plugin,
      maxBuffer: 32 * 1024 * 1024,
    });
    const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(stdout)?.[1] ?? NaN);
    expect(count('fail')).toBe(0);
    expect(count('pass')).toBeGreaterThan(80);
  });
});
