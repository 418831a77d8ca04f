/**
 * `npm run ingest -- import <file>`: imports an LBSN CSV through the pipeline
 * (photos stored, photos.ingested published for processing) and prints a report.
 * `npm run ingest -- flickr --bbox … --since …`: harvests Flickr the same way.
 */
import { parseArgs } from 'node:util';
import { ingestRequested } from '@photospots/contracts';
import { countOutbox } from '@photospots/db';
import { parseBBox } from '@photospots/geo';
import { MessagePublisher } from '@photospots/queue';
import { cliLogger, runCli, UsageError } from '@photospots/service';
import { buildIngest, type Ingest } from './app.ts';
import { loadIngestConfig } from './config.ts';
import { connectIngestDeps } from './connect.ts';
import { progressLine, summaryLines } from './flickr/harvest-display.ts';
import { HARVEST_LEASE_SECONDS } from './flickr/harvest-lock.ts';
import type { FlickrHarvestInput } from './flickr/harvest-window.ts';

const USAGE = `usage:
  npm run ingest -- import <file.csv | s3://bucket/key>   import an LBSN CSV export
  npm run ingest -- request <file.csv | s3://bucket/key>  ask the running ingest service to import it
  npm run ingest -- flickr --bbox <minLng,minLat,maxLng,maxLat> --since <date> [--until <date>]
                          [--incremental] [--fresh] [--request] [--json]
      harvest photos uploaded to Flickr in the bbox between the dates (YYYY-MM-DD or ISO time, UTC;
      a date-only --until means the end of that day). --incremental: since the last harvest of
      the bbox. --fresh: run a completed harvest again. --request: ask the running service instead.
      Needs FLICKR_API_KEY; an interrupted harvest resumes when run again with the same arguments.`;

/** "2020-01-01" (UTC midnight, or the end of that day for an upper bound) or an ISO time. */
function parseDate(text: string, name: string, endOfDay: boolean): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = Date.parse(dateOnly ? `${text}T${endOfDay ? '23:59:59' : '00:00:00'}Z` : text);
  if (!Number.isFinite(ms) || (!dateOnly && !/^\d{4}-\d{2}-\d{2}T/.test(text)))
    throw new UsageError(`--${name} ${JSON.stringify(text)} is not a date (YYYY-MM-DD or an ISO time)`);
  return new Date(ms);
}

function harvestInput(values: Record<string, string | boolean | undefined>): FlickrHarvestInput {
  if (typeof values.bbox !== 'string') throw new UsageError('--bbox <minLng,minLat,maxLng,maxLat> is required');
  const bbox = parseBBox(values.bbox);
  if (typeof bbox === 'string')
    throw new UsageError(
      `--bbox ${values.bbox}: ${bbox === 'format' ? 'expected four numbers minLng,minLat,maxLng,maxLat' : bbox === 'range' ? 'out of range' : 'min must be below max'}`,
    );
  if (typeof values.since !== 'string' && !values.incremental)
    throw new UsageError('--since <date> is required (or --incremental)');
  const since = typeof values.since === 'string' ? parseDate(values.since, 'since', false) : undefined;
  const until = typeof values.until === 'string' ? parseDate(values.until, 'until', true) : undefined;
  if (since && until && since > until) throw new UsageError('--since must not be after --until');
  return { bbox, since, until, incremental: values.incremental === true, fresh: values.fresh === true };
}

async function runHarvest(ingest: Ingest, input: FlickrHarvestInput, json: boolean): Promise<void> {
  const interactive = process.stderr.isTTY;
  let lastPrinted = 0;
  const report = await ingest.harvestFlickr(input, {
    // Run again after a killed run, the harvest waits for the lease that run left to expire.
    waitForRunningSeconds: HARVEST_LEASE_SECONDS + 10,
    onProgress: (p) => {
      const now = Date.now();
      if (interactive) process.stderr.write(`\r${progressLine(p)}\x1b[K`);
      else if (now - lastPrinted > 10_000) {
        // Logs and pipes get a line every ten seconds instead of a redrawn bar.
        lastPrinted = now;
        process.stderr.write(`${progressLine(p)}\n`);
      }
    },
  });
  if (interactive) process.stderr.write('\n');
  console.log(json ? JSON.stringify(report, null, 2) : summaryLines(report).join('\n'));
}

async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      bbox: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      incremental: { type: 'boolean' },
      fresh: { type: 'boolean' },
      request: { type: 'boolean' },
    },
  });
  const [command, location] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const isFile = (command === 'import' || command === 'request') && location;
  if (!isFile && command !== 'flickr') {
    console.error(USAGE);
    return 2;
  }
  const harvest = command === 'flickr' ? harvestInput(values) : undefined;
  const config = loadIngestConfig();
  const log = cliLogger('ingest', config.LOG_LEVEL);
  const deps = await connectIngestDeps(config, log, { queuesOptional: command === 'import' });
  try {
    const ingest = buildIngest(config, deps);
    if (harvest && values.request) {
      const publisher = new MessagePublisher({ sqs: deps.sqs, queueUrls: deps.queues.url, producer: 'cli', log });
      const id = await publisher.publish(ingestRequested, {
        kind: 'flickr-harvest',
        bbox: harvest.bbox,
        incremental: harvest.incremental ?? false,
        ...(harvest.since ? { since: harvest.since.toISOString() } : {}),
        ...(harvest.until ? { until: harvest.until.toISOString() } : {}),
      });
      console.log(`Flickr harvest requested (message ${id})`);
      await ingest.stop();
      return 0;
    }
    if (harvest) {
      try {
        await runHarvest(ingest, harvest, values.json === true);
      } finally {
        await ingest.stop();
      }
      return 0;
    }
    if (command === 'request') {
      const publisher = new MessagePublisher({ sqs: deps.sqs, queueUrls: deps.queues.url, producer: 'cli', log });
      const id = await publisher.publish(ingestRequested, {
        kind: 'file-import',
        location: location!,
        format: 'lbsn-csv',
      });
      console.log(`import of ${location} requested (message ${id})`);
      await ingest.stop();
      return 0;
    }
    const interactive = process.stderr.isTTY;
    const report = await ingest.importFile(location!, undefined, (c) => {
      const text = `rows read ${c.rowsRead.toLocaleString('en')} · photos stored ${(c.inserted + c.updated).toLocaleString('en')} new/changed, ${c.unchanged.toLocaleString('en')} unchanged · rejected ${c.rowsRejected}`;
      if (interactive) process.stderr.write(`\r${text}`);
    });
    if (interactive) process.stderr.write('\n');
    await ingest.stop();
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      console.log(`imported ${report.location} in ${(report.durationMs / 1000).toFixed(1)} s`);
      console.log(
        `  rows read       ${report.rowsRead}${report.resumedAfterLine ? ` (resumed after line ${report.resumedAfterLine})` : ''}`,
      );
      console.log(`  photos inserted ${report.inserted}`);
      console.log(`  photos updated  ${report.updated}`);
      console.log(`  unchanged       ${report.unchanged}`);
      console.log(
        `  rows rejected   ${report.rowsRejected}${report.rowsRejected ? ` ${JSON.stringify(report.errorsByCode)}` : ''}`,
      );
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

// Known failures (a missing file, a bad header, a rejected API key) carry a code and need no stack trace.
runCli('ingest', run, USAGE);
