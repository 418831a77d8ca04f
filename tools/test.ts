/**
 * `npm test`: runs every vitest project (unit and integration) and ends with
 * one plain line, "N passed, N failed", counted from vitest's JSON reports (skipped tests, if any, are counted
 * on the line before it).
 * The compose check (it builds every image and runs the whole stack, loading both cores for minutes) runs
 * alone, after the rest, so that its load does not skew the other tests' timings. Then the integration and
 * end-to-end suites run again through PgBouncer in transaction mode (PHOTOSPOTS_TEST_POOLER=pgbouncer), as
 * behind Supabase's transaction pooler; without a `pgbouncer` binary that pass is skipped with a line saying
 * so, unless PHOTOSPOTS_REQUIRE_POOLER=1 (CI), which makes it a failure.
 * Extra arguments go to vitest, in one run (e.g. `npm test -- --project geo`); `npm test -- --through-pooler`
 * runs only the pass through PgBouncer.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { name: string; status: string; message?: string; assertionResults: unknown[] }[];
}

const ALONE = ['apps/system-tests/test/compose-stack.test.ts'];
/** What runs again through the transaction pooler: every suite that talks to Postgres, and the whole pipeline. */
const THROUGH_POOLER = [
  'libs/db/',
  'apps/ingest/',
  'apps/processing/',
  'apps/scoring/',
  'apps/query-api/',
  'apps/system-tests/test/dresden-pipeline.test.ts',
  'apps/system-tests/test/lambda-local.test.ts',
  '--exclude=**/map-page.browser.test.ts',
];
const POOLER_ENV = { PHOTOSPOTS_TEST_POOLER: 'pgbouncer' };
const extra = process.argv.slice(2);

interface Run {
  args: string[];
  env?: Record<string, string>;
}
// --exclude globs match within each project's folder, hence `**/` and the file's name.
const runs: Run[] =
  extra[0] === '--through-pooler'
    ? poolerRun()
    : extra.length > 0
      ? [{ args: extra }]
      : [{ args: ALONE.map((file) => `--exclude=**/${path.basename(file)}`) }, { args: ALONE }, ...poolerRun()];

function poolerRun(): Run[] {
  const found = spawnSync(process.env.PGBOUNCER_BIN || 'pgbouncer', ['--version'], { encoding: 'utf8' }).status === 0;
  if (found) return [{ args: THROUGH_POOLER, env: POOLER_ENV }];
  if (process.env.PHOTOSPOTS_REQUIRE_POOLER === '1') {
    console.error('PHOTOSPOTS_REQUIRE_POOLER=1, but there is no pgbouncer binary (apt-get install pgbouncer)');
    process.exit(1);
  }
  console.log('no pgbouncer binary: the pass through a transaction pooler is skipped (apt-get install pgbouncer)');
  return [];
}

const dir = mkdtempSync(path.join(tmpdir(), 'photospots-test-'));
const vitest = path.resolve('node_modules/vitest/vitest.mjs');

/** One vitest run; its exit code and its JSON report's counts. */
async function run({ args, env }: Run, index: number) {
  const reportFile = path.join(dir, `vitest-${index}.json`);
  const argv = [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`, ...args];
  const code: number = await new Promise((resolve) => {
    if (env) console.log(`\n==> through PgBouncer in transaction mode: ${args.join(' ')}`);
    const child = spawn(process.execPath, argv, { stdio: 'inherit', env: { ...process.env, ...env } });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (status, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(status ?? (signal ? 1 : 0));
    });
  });
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  try {
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport;
    passed = report.numPassedTests;
    failed = report.numFailedTests;
    skipped = report.numPendingTests + report.numTodoTests;
    // A file that failed to load (syntax error, failing hook) has no test results: count it as a failure.
    failed += report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  } catch {
    failed = Math.max(failed, 1);
    console.error('no vitest JSON report was written; counting the run as failed');
  }
  if (code !== 0 && failed === 0) failed = 1;
  return { passed, failed, skipped };
}

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const [index, spec] of runs.entries()) {
  const counts = await run(spec, index);
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
}
rmSync(dir, { recursive: true, force: true });
if (totals.skipped) console.log(`${totals.skipped} skipped`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 ? 1 : 0);
