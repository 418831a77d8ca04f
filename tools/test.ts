/**
 * `npm test`: runs every vitest project (unit and integration) and ends with
 * one plain line, "N passed, N failed", counted from vitest's JSON report (skipped tests, if any, are counted
 * on the line before it).
 * Extra arguments go to vitest (e.g. `npm test -- --project geo`).
 */
import { spawn } from 'node:child_process';
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

const dir = mkdtempSync(path.join(tmpdir(), 'photospots-test-'));
const reportFile = path.join(dir, 'vitest.json');
const vitest = path.resolve('node_modules/vitest/vitest.mjs');
const args = [
  vitest,
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${reportFile}`,
  ...process.argv.slice(2),
];

const code: number = await new Promise((resolve) => {
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
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
rmSync(dir, { recursive: true, force: true });
if (code !== 0 && failed === 0) failed = 1;
if (skipped) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : code);
