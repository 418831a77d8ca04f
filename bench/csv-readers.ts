/**
 * `npm run bench:csv`: the ingest service's CSV record reader (csvRecords,
 * which read-lbsn-csv.ts uses) against published parsers, on a synthetic LBSN
 * export of BENCH_CSV_ROWS rows (default 1,000,000; quoted and unquoted
 * fields, as the exports have them). Each reader streams the file (64 KiB
 * chunks, decoded to text) and turns every row into an array of strings; the
 * readers take turns, several rounds, and the table prints each one's median
 * rows/s and its ratio to ours, with what the import needs from a reader
 * besides speed: streaming, the line of every record (row errors name it), and
 * reading on after a broken row.
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parse as csvParse } from 'csv-parse';
import Papa from 'papaparse';
import { inferSchema, initParser, type Parser } from 'udsv';
import { csvRecords } from '../apps/ingest/src/lbsn/csv-records.ts';
import { benchLog as log, fmt, median } from './api-stack.ts';
import { writeSyntheticLbsnCsv } from './synthetic-photos.ts';

const ROWS = Number(process.env.BENCH_CSV_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CHUNK = 64 * 1024;

interface Reader {
  name: string;
  /** What the import needs besides speed: streaming, each record's line, reading on after a broken row. */
  streams: string;
  lines: string;
  recovers: string;
  /** Reads every record of `file`; resolves with the number of data rows (the header not counted). */
  read(file: string): Promise<number>;
}

const text = (file: string) => createReadStream(file, { encoding: 'utf8', highWaterMark: CHUNK });

const READERS: Reader[] = [
  {
    name: 'csvRecords (ours)',
    streams: 'yes',
    lines: 'yes',
    recovers: 'yes: reports the row with its line, reads on at the next line',
    async read(file) {
      let rows = 0;
      for await (const items of csvRecords(text(file))) rows += items.length;
      return rows - 1;
    },
  },
  {
    name: 'uDSV',
    streams: 'yes (chunks)',
    lines: 'no',
    recovers: 'no: reports nothing, a broken quote shifts or drops fields',
    async read(file) {
      let rows = 0;
      let parser: Parser | undefined;
      const count = () => {
        rows++;
      };
      for await (const chunk of text(file)) {
        parser ??= initParser(inferSchema(chunk as string, { col: ',', row: '\n', encl: '"' }));
        parser.chunk<string[]>(chunk as string, parser.stringArrs, count);
      }
      parser?.end();
      return rows;
    },
  },
  {
    name: 'papaparse',
    streams: 'yes',
    lines: 'no (a row index)',
    recovers: 'no: a quote never closed swallows the rest of the file',
    read(file) {
      let rows = 0;
      return new Promise((resolve, reject) => {
        Papa.parse<string[]>(text(file), {
          chunk: (results) => {
            rows += results.data.length;
          },
          complete: () => resolve(rows - 1),
          error: reject,
        });
      });
    },
  },
  {
    name: 'csv-parse',
    streams: 'yes',
    lines: 'yes',
    recovers: 'no: skip_records_with_error loses the rest of the file',
    read(file) {
      let rows = 0;
      return new Promise((resolve, reject) => {
        const records = text(file).pipe(csvParse());
        records.on('data', () => rows++);
        records.on('end', () => resolve(rows - 1));
        records.on('error', reject);
      });
    },
  },
];

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'photospots-csv-'));
  const file = path.join(dir, 'lbsn.csv');
  try {
    log(`writing ${ROWS.toLocaleString('en')} synthetic LBSN rows…`);
    await writeSyntheticLbsnCsv(file, ROWS);
    const mib = statSync(file).size / 2 ** 20;
    for (const r of READERS) await r.read(file); // warm-up, and every reader must see every row
    const seconds = new Map<string, number[]>(READERS.map((r) => [r.name, []]));
    const loadBefore = loadavg()[0]!;
    for (let round = 0; round < ROUNDS; round++) {
      // A different reader goes first each round, so a burst of load elsewhere falls on all of them alike.
      for (let k = 0; k < READERS.length; k++) {
        const r = READERS[(round + k) % READERS.length]!;
        const started = performance.now();
        const rows = await r.read(file);
        const elapsed = (performance.now() - started) / 1000;
        if (rows !== ROWS) throw new Error(`${r.name} read ${rows} rows, not ${ROWS}`);
        seconds.get(r.name)!.push(elapsed);
        log(`round ${round + 1}: ${r.name} ${fmt(ROWS / elapsed)} rows/s`);
      }
    }
    const oursSeconds = median(seconds.get(READERS[0]!.name)!);
    console.log(
      `\nreading ${ROWS.toLocaleString('en')} LBSN rows (${mib.toFixed(0)} MiB), streamed in ${CHUNK / 1024} KiB chunks: ` +
        `medians of ${ROUNDS} rounds; load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores\n`,
    );
    console.log('| reader | streams | line of each record | reads on after a broken row | rows/s | vs ours |');
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const r of READERS) {
      const s = median(seconds.get(r.name)!);
      console.log(
        `| ${r.name} | ${r.streams} | ${r.lines} | ${r.recovers} | ${fmt(ROWS / s)} | ${(oursSeconds / s).toFixed(2)}× |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
