import { markTilesDirty } from '@photospots/db';
import { createTestEnv, type TestEnv } from '@photospots/test-harness';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProcessing } from '../src/app.ts';
import { loadProcessingConfig } from '../src/config.ts';
import { BACKLOG_METRIC, backlogRecord, startBacklogReports } from '../src/dirty-tiles/backlog-metric.ts';

/** The checks CloudWatch applies to an embedded-metric-format record (the specification's required members). */
function expectEmf(record: Record<string, unknown>) {
  const aws = record._aws as {
    Timestamp: unknown;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
  };
  expect(Number.isInteger(aws.Timestamp)).toBe(true);
  for (const directive of aws.CloudWatchMetrics) {
    expect(directive.Namespace).toMatch(/^[\w./#:-]{1,255}$/);
    for (const set of directive.Dimensions) for (const d of set) expect(typeof record[d]).toBe('string');
    for (const m of directive.Metrics) expect(typeof record[m.Name]).toBe('number');
  }
}

describe('the dirty-tile backlog metric', () => {
  it('is a valid embedded-metric record with the count under the metric name', () => {
    const record = backlogRecord(441, Date.UTC(2026, 10, 25));
    expectEmf(record);
    expect(record).toMatchObject({
      _aws: { Timestamp: Date.UTC(2026, 10, 25) },
      service: 'processing',
      DirtyTiles: 441,
    });
    expect(record._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: 'Photospots',
      Dimensions: [['service']],
      Metrics: [{ Name: 'DirtyTiles', Unit: 'Count' }],
    });
  });

  it('skips an interval whose count fails, says so, and reports again at the next', async () => {
    const lines: string[] = [];
    const errors: unknown[] = [];
    let calls = 0;
    const reports = startBacklogReports({
      count: async () => {
        calls++;
        if (calls === 1) throw new Error('database away');
        return calls;
      },
      intervalMs: 20,
      write: (line) => lines.push(line),
      onError: (err) => errors.push(err),
    });
    // However slow the machine: wait for two reports after the failed one, not for a fixed time.
    await expect.poll(() => lines.length, { timeout: 5_000, interval: 5 }).toBeGreaterThanOrEqual(2);
    reports.stop();
    const seen = lines.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(lines).toHaveLength(seen); // nothing after stop
    expect(errors).toHaveLength(1);
    expect(seen).toBeGreaterThanOrEqual(2);
    expect(lines.map((l) => JSON.parse(l)[BACKLOG_METRIC.name])).toEqual(Array.from({ length: seen }, (_, i) => i + 2));
  });
});

describe('the processing service', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(() => env.close());

  it('writes the number of dirty tiles as the backlog metric while it runs, whatever the log level', async () => {
    const lines: string[] = [];
    // Dirty tiles far apart, waiting to settle for longer than the test runs: the service leaves them alone.
    await env.database.sql.begin((tx) => markTilesDirty(tx, [1, 5_000, 90_000]));
    const processing = buildProcessing(
      loadProcessingConfig(
        env.serviceEnv({
          PROCESSING_BACKLOG_METRIC_SECONDS: '1',
          PROCESSING_SETTLE_MS: '600000',
          PROCESSING_MAX_DELAY_MS: '3600000',
        }),
      ),
      {
        database: env.database,
        sqs: env.sqs,
        queues: env.queues,
        log: pino({ level: 'silent' }),
        writeMetric: (line) => lines.push(line),
      },
    );
    processing.start();
    try {
      await expect.poll(() => lines.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    } finally {
      await processing.stop();
    }
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of records) expectEmf(r);
    expect(records.map((r) => r.DirtyTiles)).toEqual(records.map(() => 3));
  });
});
