/**
 * `npm run test:repeat -- [--times N] [--busy K] <vitest filters…>`: runs the given tests N times in a row
 * (default 20) and stops at the first failure, printing its output. The last K runs (default half) run with
 * the other cores busy (a spinning process per core but one), as on a loaded CI machine. A test that fails
 * sometimes is a bug; this is how to catch it in the act.
 *
 *   npm run test:repeat -- --times 20 --busy 10 apps/system-tests/test/faults.test.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { times: { type: 'string' }, busy: { type: 'string' } },
  allowPositionals: true,
});
const times = Number(values.times ?? 20);
const busy = Number(values.busy ?? Math.floor(times / 2));
if (
  !Number.isInteger(times) ||
  times < 1 ||
  !Number.isInteger(busy) ||
  busy < 0 ||
  busy > times ||
  positionals.length === 0
) {
  console.error('usage: npm run test:repeat -- [--times N] [--busy K] <vitest filters…>');
  process.exit(2);
}

const vitest = path.resolve('node_modules/vitest/vitest.mjs');
const run = () =>
  new Promise<{ ok: boolean; output: string; ms: number }>((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [vitest, 'run', ...positionals], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ ok: code === 0, output, ms: performance.now() - started }));
  });
/** One spinning process per core but one: the tests get a single core. */
const spin = (): ChildProcess[] =>
  Array.from({ length: Math.max(1, availableParallelism() - 1) }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
  );

let passed = 0;
for (let i = 1; i <= times; i++) {
  const loaded = i > times - busy;
  const spinners = loaded ? spin() : [];
  const result = await run();
  for (const s of spinners) s.kill('SIGKILL');
  console.log(
    `run ${String(i).padStart(2)}/${times}${loaded ? ' (other cores busy)' : ''}: ${result.ok ? 'passed' : 'FAILED'} in ${(result.ms / 1000).toFixed(0)} s`,
  );
  if (!result.ok) {
    console.log(result.output.slice(-20_000));
    console.log(`${passed} of ${times} runs passed before the first failure`);
    process.exit(1);
  }
  passed++;
}
console.log(`${passed} of ${times} runs passed (${busy} with the other cores busy)`);
