/**
 * `npm run ingest -- import <file>`: imports an LBSN CSV through the pipeline
 * (photos stored, photos.ingested published for processing) and prints a report.
 */
import { parseArgs } from 'node:util';
import { ingestRequested } from '@photospots/contracts';
import { countOutbox } from '@photospots/db';
import { MessagePublisher } from '@photospots/queue';
import { createLogger } from '@photospots/service';
import { buildIngest } from './app.ts';
import { loadIngestConfig } from './config.ts';
import { connectIngestDeps } from './connect.ts';

const USAGE = `usage:
  npm run ingest -- import <file.csv | s3://bucket/key>   import an LBSN CSV export
  npm run ingest -- request <file.csv | s3://bucket/key>  ask the running ingest service to import it`;

async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  const [command, location] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if ((command !== 'import' && command !== 'request') || !location) {
    console.error(USAGE);
    return 2;
  }
  const config = loadIngestConfig();
  const log = createLogger('ingest-cli', config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const deps = await connectIngestDeps(config, log, { queuesOptional: command === 'import' });
  try {
    const ingest = buildIngest(config, deps);
    if (command === 'request') {
      const publisher = new MessagePublisher({ sqs: deps.sqs, queueUrls: deps.queues.url, producer: 'cli', log });
      const id = await publisher.publish(ingestRequested, { kind: 'file-import', location, format: 'lbsn-csv' });
      console.log(`import of ${location} requested (message ${id})`);
      await ingest.stop();
      return 0;
    }
    const interactive = process.stderr.isTTY;
    const report = await ingest.importFile(location, undefined, (c) => {
      const text = `rows read ${c.rowsRead.toLocaleString('en')} · photos stored ${(c.inserted + c.updated).toLocaleString('en')} new/changed, ${c.unchanged.toLocaleString('en')} unchanged · rejected ${c.rowsRejected}`;
      if (interactive) process.stderr.write(`\r${text}`);
    });
    if (interactive) process.stderr.write('\n');
    await ingest.stop();
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      console.log(`imported ${report.location} in ${(report.durationMs / 1000).toFixed(1)} s`);
      console.log(`  rows read       ${report.rowsRead}${report.resumedAfterLine ? ` (resumed after line ${report.resumedAfterLine})` : ''}`);
      console.log(`  photos inserted ${report.inserted}`);
      console.log(`  photos updated  ${report.updated}`);
      console.log(`  unchanged       ${report.unchanged}`);
      console.log(`  rows rejected   ${report.rowsRejected}${report.rowsRejected ? ` ${JSON.stringify(report.errorsByCode)}` : ''}`);
      for (const e of report.errors.slice(0, 20)) console.log(`    line ${e.line}: ${e.code} ${e.message}`);
      if (report.errors.length > 20) console.log(`    … ${report.rowsRejected - 20} more`);
      console.log(`  messages queued ${report.messagesQueued} (photos.ingested, for processing)`);
    }
    // The photos are committed; their announcements wait in the outbox if SQS could not be reached.
    const unsent = await countOutbox(deps.database.sql, ['photosIngested']);
    if (unsent > 0) {
      console.error(
        `ingest: ${unsent} photos.ingested message(s) could not be sent to SQS yet; the photos are stored and the messages are kept. ` +
          'They are sent by the running ingest service, or by running this command again once SQS is reachable.',
      );
      return 3;
    }
    return 0;
  } finally {
    await deps.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // Known failures (a missing file, a bad header) carry a code and need no stack trace.
    console.error((err as { code?: string }).code ? `ingest: ${(err as Error).message}` : err);
    process.exit(1);
  },
);
