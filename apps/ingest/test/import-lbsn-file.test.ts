import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createTestEnv, DRESDEN_SAMPLE_CSV, LBSN_HEADER, lbsnRow, type TestEnv } from '@photospots/test-harness';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIngest, type Ingest } from '../src/app.ts';
import { loadIngestConfig } from '../src/config.ts';

let env: TestEnv;
let ingest: Ingest;
const dir = mkdtempSync(path.join(tmpdir(), 'ingest-test-'));

function csv(name: string, lines: string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${[LBSN_HEADER, ...lines].join('\n')}\n`);
  return file;
}

async function receiveAll(url: string) {
  const out = [];
  for (;;) {
    const r = await env.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!r.Messages?.length) return out;
    out.push(...r.Messages.map((m) => JSON.parse(m.Body!)));
  }
}

beforeAll(async () => {
  env = await createTestEnv();
  const config = loadIngestConfig(env.serviceEnv({ INGEST_BATCH_SIZE: '1000' }));
  ingest = buildIngest(config, {
    database: env.database,
    sqs: env.sqs,
    queues: env.queues,
    log: pino({ level: 'silent' }),
  });
});
beforeEach(async () => {
  await env.truncate();
  await receiveAll(env.queues.url.photosIngested);
});
afterAll(async () => {
  await ingest.stop();
  await env.close();
});

describe('importing an LBSN CSV', () => {
  it('marks the import done in the transaction of its last photos, whether the file ends on a full batch or not', async () => {
    // Processing holds tiles back while an import runs and is woken by the last batch's message: that message
    // must find the import done.
    for (const rows of [2_000, 2_345]) {
      await env.truncate();
      const guid = (i: number) => `end${rows}-${i}`;
      const file = csv(
        `ends-at-${rows}.csv`,
        Array.from({ length: rows }, (_, i) =>
          lbsnRow({ guid: guid(i), user: `u${i % 7}`, lat: 51.04 + (i % 50) * 0.001, lng: 13.7 + (i % 40) * 0.002 }),
        ),
      );
      const report = await ingest.importFile(file);
      expect(report).toMatchObject({ rowsRead: rows, inserted: rows, batches: Math.ceil(rows / 1000) });
      const sql = env.database.sql;
      const [checkpoint] = await sql<{ done: boolean; line: string; tx: string }[]>`
        select done, state->>'line' as line, xmin::text as tx from ingest_checkpoints where key = ${file}`;
      const writtenBy = async (i: number) =>
        (await sql<{ tx: string }[]>`select xmin::text as tx from photos where source_id = ${guid(i)}`)[0]!.tx;
      expect(checkpoint).toMatchObject({ done: true, line: String(rows + 1) });
      expect(await writtenBy(rows - 1)).toBe(checkpoint!.tx);
      expect(await writtenBy(0)).not.toBe(checkpoint!.tx);
    }
  });

  it('stores valid rows, reports bad rows by line and code, and announces the touched tiles', async () => {
    const file = csv('mixed.csv', [
      lbsnRow({ guid: 'p1', user: 'u1', lat: 51.0519, lng: 13.7416, tags: ['Frauenkirche', 'dresden'], views: 10 }),
      lbsnRow({ guid: 'p2', user: 'u2', lat: 'north', lng: 13.74 }),
      '"2",51.05,13.74,"p3"',
      lbsnRow({ guid: 'p4', user: 'u3', lat: 0, lng: 0 }),
      lbsnRow({ guid: 'p5', user: 'u2', lat: 51.0543, lng: 13.7356, taken: '2019-02-30' }),
      lbsnRow({ guid: 'p6', user: 'u2', lat: 51.0543, lng: 13.7356, tags: ['semperoper'] }),
      '"2",51.05,"13.74,"broken quote',
      lbsnRow({ guid: 'p1', user: 'u1', lat: 51.0519, lng: 13.7416, tags: ['Frauenkirche', 'dresden'], views: 12 }),
    ]);
    const report = await ingest.importFile(file);
    expect(report).toMatchObject({ rowsRead: 8, rowsRejected: 5, inserted: 2, updated: 0, messagesQueued: 1 });
    expect(report.errors.map((e) => [e.line, e.code])).toEqual([
      [3, 'INVALID_LAT'],
      [4, 'COLUMN_COUNT'],
      [5, 'NULL_ISLAND'],
      [6, 'INVALID_DATE'],
      [8, 'CSV_SYNTAX'],
    ]);
    const rows = await env.database.sql<{ source_id: string; views: number; tags: string[]; id: number }[]>`
      select id, source_id, views, tags from photos order by source_id`;
    // The duplicate of p1 later in the file wins (views 12); ids are numbers, not strings.
    expect(rows.map((r) => [r.source_id, r.views, r.tags])).toEqual([
      ['p1', 12, ['frauenkirche', 'dresden']],
      ['p6', 0, ['semperoper']],
    ]);
    expect(typeof rows[0]!.id).toBe('number');
    await ingest.flushOutbox();
    const messages = await receiveAll(env.queues.url.photosIngested);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ type: 'photos.ingested', payload: { source: 'lbsn', photoCount: 2 } });
    expect(messages[0].payload.tiles.length).toBeGreaterThanOrEqual(1);
    // The announced tiles were marked dirty with the photos, in the same transaction.
    const dirty = await env.database.sql<{ tile: number }[]>`select tile from dirty_tiles order by tile`;
    expect(dirty.map((d) => d.tile)).toEqual([...messages[0].payload.tiles].sort((a: number, b: number) => a - b));
  });

  it('stores text with NUL characters without them, and reports a row whose id has one (Postgres text cannot hold NUL)', async () => {
    const file = csv('nul.csv', [
      lbsnRow({ guid: 'n\u00001', user: 'u1', lat: 51.0519, lng: 13.7416 }),
      lbsnRow({
        guid: 'n2',
        user: 'u1',
        lat: 51.0519,
        lng: 13.7416,
        tags: ['frauen\u0000kirche', '\u0000', 'dresden'],
      }),
      lbsnRow({ guid: 'n3', user: 'u2', lat: 51.0519, lng: 13.7416 }),
    ]);
    const report = await ingest.importFile(file);
    expect(report).toMatchObject({ rowsRead: 3, rowsRejected: 1, inserted: 2 });
    expect(report.errors.map((e) => [e.line, e.code])).toEqual([[2, 'INVALID_TEXT']]);
    const rows = await env.database.sql<
      { source_id: string; tags: string[] }[]
    >`select source_id, tags from photos order by source_id`;
    expect(rows.map((r) => [r.source_id, r.tags])).toEqual([
      ['n2', ['frauenkirche', 'dresden']],
      ['n3', []],
    ]);
    // Stored without them, and the same file again changes nothing.
    expect(await ingest.importFile(file)).toMatchObject({ inserted: 0, updated: 0, unchanged: 2 });
  });

  it('imports the Dresden sample once: a second import changes nothing and announces nothing', async () => {
    const first = await ingest.importFile(DRESDEN_SAMPLE_CSV);
    expect(first).toMatchObject({ rowsRead: 17_879, rowsRejected: 0, inserted: 17_879, updated: 0 });
    await ingest.flushOutbox();
    const announced = await receiveAll(env.queues.url.photosIngested);
    expect(announced).toHaveLength(18);
    expect(announced.reduce((s, m) => s + m.payload.photoCount, 0)).toBe(17_879);
    // The sample's placeholder taken dates (1901-01-01, 1970-01-01) are stored as unknown; the upload dates stay.
    const placeholders = await env.database.sql<{ source_id: string; taken_at: string | null; uploaded: string }[]>`
      select source_id, taken_at, uploaded_at::date::text as uploaded from photos
      where source_id in ('adc1a85362e31643b5f3bd445c2be1c5', '42d44f8a78f2567a911364ccadaccae7') order by source_id`;
    expect(placeholders).toEqual([
      { source_id: '42d44f8a78f2567a911364ccadaccae7', taken_at: null, uploaded: '2014-10-01' },
      { source_id: 'adc1a85362e31643b5f3bd445c2be1c5', taken_at: null, uploaded: '2010-06-10' },
    ]);
    const [{ oldest }] = await env.database.sql<
      { oldest: string }[]
    >`select min(taken_at)::date::text as oldest from photos`;
    expect(oldest).toBe('1921-01-01');

    const second = await ingest.importFile(DRESDEN_SAMPLE_CSV);
    expect(second).toMatchObject({ rowsRead: 17_879, inserted: 0, updated: 0, unchanged: 17_879, messagesQueued: 0 });
    const [{ count }] = await env.database.sql<{ count: number }[]>`select count(*)::int as count from photos`;
    expect(count).toBe(17_879);
    const [{ owners }] = await env.database.sql<
      { owners: number }[]
    >`select count(distinct owner_id)::int as owners from photos`;
    expect(owners).toBe(909);
  });

  it('reports a changed photo as updated and announces both its old and new tile', async () => {
    const before = csv('before.csv', [lbsnRow({ guid: 'm1', user: 'u1', lat: 51.0519, lng: 13.7416 })]);
    // One batch of a changed photo and a new one (two statements: the new one inserted first, then the changed one updated).
    const after = csv('after.csv', [
      lbsnRow({ guid: 'm1', user: 'u1', lat: 51.1, lng: 13.9 }),
      lbsnRow({ guid: 'm2', user: 'u2', lat: 50.9, lng: 13.3 }),
    ]);
    await ingest.importFile(before);
    await ingest.flushOutbox();
    const [{ tile: oldTile }] = await env.database.sql<{ tile: number }[]>`select tile from photos`;
    await receiveAll(env.queues.url.photosIngested);
    const report = await ingest.importFile(after);
    expect(report).toMatchObject({ inserted: 1, updated: 1, unchanged: 0 });
    await ingest.flushOutbox();
    const [message] = await receiveAll(env.queues.url.photosIngested);
    const [{ tile: newTile }, { tile: otherTile }] = await env.database.sql<
      { tile: number }[]
    >`select tile from photos order by source_id`;
    expect(message.payload.tiles).toEqual([oldTile, newTile, otherTile].sort((a, b) => a - b));
    expect(message.payload.photoCount).toBe(2);
  });

  it('resumes an interrupted import after the last committed batch', async () => {
    const lines = Array.from({ length: 2500 }, (_, i) =>
      lbsnRow({ guid: `r${i}`, user: `u${i % 7}`, lat: 51 + i * 1e-5, lng: 13.7 }),
    );
    const file = csv('resume.csv', lines);
    const { size, mtimeMs } = await import('node:fs').then((fs) => fs.statSync(file));
    // A previous run committed the first 1,000 rows (lines 2–1001) and died.
    await ingest.importFile(csv('first-part.csv', lines.slice(0, 1000)));
    await env.database.sql`
      insert into ingest_checkpoints (job, key, done, state)
      values ('file-import', ${file}, false, ${JSON.stringify({ fingerprint: `${size}:${mtimeMs}`, line: 1001, counters: { rowsRead: 1000, rowsRejected: 0, inserted: 1000, updated: 0, unchanged: 0, batches: 1, messagesQueued: 1 }, errorsByCode: {} })}::jsonb)`;
    const report = await ingest.importFile(file);
    expect(report).toMatchObject({ resumedAfterLine: 1001, rowsRead: 2500, inserted: 2500, unchanged: 0 });
    const [{ count }] = await env.database.sql<{ count: number }[]>`select count(*)::int as count from photos`;
    expect(count).toBe(2500);
  });

  it('writes each checkpoint with the counts up to its own line, though the next batch is read while one is written', async () => {
    // Every 7th row is bad: rejected rows fall inside and between batches.
    const lines = Array.from({ length: 4500 }, (_, i) =>
      i % 7 === 3
        ? lbsnRow({ guid: `c${i}`, user: 'u1', lat: 'north', lng: 13.7 })
        : lbsnRow({ guid: `c${i}`, user: `u${i % 5}`, lat: 51 + i * 1e-5, lng: 13.7 }),
    );
    const file = csv('checkpoints.csv', lines);
    await env.database.sql.unsafe(`
      create table if not exists test_checkpoint_log (state jsonb, done boolean);
      truncate test_checkpoint_log;
      create or replace function test_log_checkpoint() returns trigger language plpgsql as $$
        begin insert into test_checkpoint_log values (new.state, new.done); return new; end $$;
      drop trigger if exists test_log_checkpoint on ingest_checkpoints;
      create trigger test_log_checkpoint after insert or update on ingest_checkpoints for each row execute function test_log_checkpoint();`);
    try {
      const report = await ingest.importFile(file);
      expect(report).toMatchObject({ rowsRead: 4500, rowsRejected: 643, inserted: 3857 });
      const states = await env.database.sql<
        {
          state: {
            line: number;
            counters: { rowsRead: number; rowsRejected: number; inserted: number };
            errorsByCode: Record<string, number>;
          };
          done: boolean;
        }[]
      >`
        select state, done from test_checkpoint_log`;
      expect(states.length).toBeGreaterThanOrEqual(4);
      for (const { state } of states) {
        // Rows on lines 2..line: the data rows the checkpoint covers.
        const covered = lines.slice(0, state.line - 1);
        const bad = covered.filter((_, i) => i % 7 === 3).length;
        expect(state.counters).toMatchObject({
          rowsRead: covered.length,
          rowsRejected: bad,
          inserted: covered.length - bad,
        });
        expect(state.errorsByCode).toEqual(bad > 0 ? { INVALID_LAT: bad } : {});
      }
      expect(states.map((s) => s.state.line)).toEqual([...states.map((s) => s.state.line)].sort((a, b) => a - b));
    } finally {
      await env.database.sql.unsafe(
        'drop trigger if exists test_log_checkpoint on ingest_checkpoints; drop table if exists test_checkpoint_log',
      );
    }
  });

  it('rejects a file that is not an LBSN export without importing anything', async () => {
    const file = path.join(dir, 'wrong.csv');
    writeFileSync(file, 'id,name\n1,x\n');
    await expect(ingest.importFile(file)).rejects.toMatchObject({ code: 'INVALID_HEADER' });
    await expect(ingest.importFile(path.join(dir, 'missing.csv'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
