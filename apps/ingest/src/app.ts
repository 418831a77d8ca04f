import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  contractsForQueue,
  flickrIncrementalSchedule,
  photosIngested,
  queueSpec,
  thumbnailsRequested,
} from '@photospots/contracts';
import { drainOutbox, type Database } from '@photospots/db';
import {
  createConsumer,
  MessagePublisher,
  pingQueue,
  startOutboxRelay,
  type QueueUrls,
  type RunningConsumer,
} from '@photospots/queue';
import { stopStep, type Logger, type ReadinessCheck } from '@photospots/service';
import type { IngestConfig } from './config.ts';
import { createIngestRequestedHandler } from './consumers/ingest-requested-handler.ts';
import { FlickrClient } from './flickr/flickr-client.ts';
import { FlickrKeyMissingError } from './flickr/flickr-errors.ts';
import { parseLicenceFilter } from './flickr/flickr-licences.ts';
import { harvestFlickr } from './flickr/harvest-flickr.ts';
import type { HarvestProgress, HarvestReport } from './flickr/harvest-progress.ts';
import { resolveHarvestWindow, type FlickrHarvestInput } from './flickr/harvest-window.ts';
import { requestIncrementalHarvests } from './flickr/incremental-schedule.ts';
import { TokenBucket } from './flickr/rate-limiter.ts';
import type { RetryPolicy } from './flickr/retry-policy.ts';
import { importLbsnFile, type ImportCounters } from './import/import-lbsn-file.ts';
import { Semaphore } from './thumbnails/semaphore.ts';
import { createThumbnailsRequestedHandler } from './thumbnails/thumbnail-worker.ts';

/** The queues this service announces to through the outbox (other services' rows are theirs to send). */
const OUTBOX_QUEUES = [photosIngested.queue, thumbnailsRequested.queue];

export interface IngestDeps {
  database: Database;
  sqs: SQSClient;
  s3?: S3Client;
  queues: QueueUrls;
  log: Logger;
  /** Flickr retry timing (tests shorten it); defaults to DEFAULT_RETRY_POLICY. */
  flickrRetry?: RetryPolicy;
}

export interface Ingest {
  /** Imports a file now (the CLI and the ingest.requested handler both use this). */
  importFile(
    location: string,
    correlationId?: string,
    onProgress?: (c: Readonly<ImportCounters>) => void,
    signal?: AbortSignal,
  ): ReturnType<typeof importLbsnFile>;
  /** Harvests Flickr now (the CLI and the ingest.requested handler both use this). */
  harvestFlickr(
    input: FlickrHarvestInput,
    options?: { correlationId?: string; onProgress?: (p: HarvestProgress) => void },
  ): Promise<HarvestReport>;
  /** Sends every committed-but-unsent message. */
  flushOutbox(): Promise<number>;
  /** Starts consuming ingest requests and thumbnail jobs, and the incremental schedule. */
  start(): void;
  stop(): Promise<void>;
  readiness: Record<string, ReadinessCheck>;
}

/** Wires the ingest service from config and its dependencies (no I/O happens until start/importFile/harvestFlickr). */
export function buildIngest(config: IngestConfig, deps: IngestDeps): Ingest {
  const { database, sqs, queues, log } = deps;
  const publisher = new MessagePublisher({ sqs, queueUrls: queues.url, producer: 'ingest', log });
  const relay = startOutboxRelay({
    drain: (limit, send) => drainOutbox(database.sql, OUTBOX_QUEUES, limit, send),
    publisher,
    log,
  });
  const flushSoon = () => {
    relay.flush().catch((err: unknown) => log.warn({ err }, 'outbox flush failed; the relay retries'));
  };
  // One bucket for every harvest of this process: the key's allowance is per key, not per harvest.
  const limiter = new TokenBucket({ ratePerHour: config.FLICKR_RATE_PER_HOUR });
  const client = config.FLICKR_API_KEY
    ? new FlickrClient({
        apiUrl: config.FLICKR_API_URL,
        apiKey: config.FLICKR_API_KEY,
        licences: config.FLICKR_LICENSES,
        extras: config.FLICKR_EXTRAS,
        limiter,
        log,
        ...(deps.flickrRetry ? { retry: deps.flickrRetry } : {}),
      })
    : undefined;
  const licences = parseLicenceFilter(config.FLICKR_LICENSES);
  const stopping = new AbortController();

  const importFile: Ingest['importFile'] = (location, correlationId, onProgress, signal) =>
    importLbsnFile(
      location,
      {
        sql: database.sql,
        publisher,
        log,
        s3: deps.s3,
        batchSize: config.INGEST_BATCH_SIZE,
        batchTimeoutMs: config.INGEST_BATCH_TIMEOUT_SECONDS * 1000,
        afterCommit: flushSoon,
        ...(onProgress ? { onProgress } : {}),
        ...(signal ? { signal } : {}),
      },
      correlationId,
    ).finally(() => relay.flush().catch(() => 0));

  const harvest: Ingest['harvestFlickr'] = async (input, options = {}) => {
    if (!client) throw new FlickrKeyMissingError();
    const request = await resolveHarvestWindow(database.sql, input, config.FLICKR_LICENSES);
    return harvestFlickr(
      request,
      {
        sql: database.sql,
        publisher,
        log,
        client,
        limiter,
        licences,
        licenceParam: config.FLICKR_LICENSES,
        concurrency: config.FLICKR_CONCURRENCY,
        batchSize: config.INGEST_BATCH_SIZE,
        batchTimeoutMs: config.INGEST_BATCH_TIMEOUT_SECONDS * 1000,
        signal: stopping.signal,
        afterCommit: flushSoon,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      },
      options.correlationId,
    ).finally(() => relay.flush().catch(() => 0));
  };

  // Created on start: the CLI builds the service only to import, and may run without SQS.
  const consumers: RunningConsumer[] = [];
  const createConsumers = () => [
    createConsumer({
      name: 'ingest',
      sqs,
      queueUrl: queues.url.ingest,
      deadLetterUrl: queues.deadLetterUrl.ingest,
      contracts: contractsForQueue('ingest'),
      handle: createIngestRequestedHandler({
        importFile: (location, correlationId, signal, progress) =>
          importFile(location, correlationId, progress, signal),
        harvestFlickr: (input, correlationId, progress) => harvest(input, { correlationId, onProgress: progress }),
        requestIncrementalHarvests: () =>
          requestIncrementalHarvests(database.sql, publisher, config.FLICKR_LICENSES, log),
      }) as never,
      log,
      batchSize: config.INGEST_CONSUMER_BATCH,
      waitTimeSeconds: config.SQS_WAIT_TIME_SECONDS,
      stallTimeoutMs: config.SQS_HANDLER_STALL_SECONDS * 1000,
      visibilityTimeoutSeconds: config.SQS_VISIBILITY_TIMEOUT_SECONDS ?? queueSpec('ingest').visibilityTimeoutSeconds,
    }),
    ...(deps.s3 && queues.url.thumbnails
      ? [
          createConsumer({
            name: 'thumbnails',
            sqs,
            queueUrl: queues.url.thumbnails,
            deadLetterUrl: queues.deadLetterUrl.thumbnails,
            contracts: contractsForQueue('thumbnails'),
            handle: createThumbnailsRequestedHandler({
              sql: database.sql,
              s3: deps.s3,
              bucket: config.THUMBNAIL_BUCKET,
              slots: thumbnailSlots,
            }) as never,
            log,
            batchSize: Math.min(10, config.THUMBNAIL_CONCURRENCY),
            waitTimeSeconds: config.SQS_WAIT_TIME_SECONDS,
            stallTimeoutMs: config.SQS_HANDLER_STALL_SECONDS * 1000,
            visibilityTimeoutSeconds:
              config.SQS_VISIBILITY_TIMEOUT_SECONDS ?? queueSpec('thumbnails').visibilityTimeoutSeconds,
            retryDelay: (receiveCount) =>
              Math.min(900, config.THUMBNAIL_RETRY_SECONDS * 2 ** Math.max(0, receiveCount - 1)),
          }),
        ]
      : []),
  ];
  const thumbnailSlots = new Semaphore(config.THUMBNAIL_CONCURRENCY);

  let schedule: NodeJS.Timeout | undefined;

  return {
    importFile,
    harvestFlickr: harvest,
    flushOutbox: () => relay.flush(),
    start: () => {
      if (consumers.length === 0) consumers.push(...createConsumers());
      for (const c of consumers) c.start();
      if (client && config.FLICKR_INCREMENTAL_INTERVAL_MINUTES > 0) {
        // The same message EventBridge Scheduler sends in AWS (where this timer is off).
        schedule = setInterval(() => {
          publisher
            .publish(flickrIncrementalSchedule.contract, flickrIncrementalSchedule.payload)
            .catch((err: unknown) => log.warn({ err }, 'could not request incremental harvests'));
        }, config.FLICKR_INCREMENTAL_INTERVAL_MINUTES * 60_000);
        schedule.unref();
      }
    },
    stop: async () => {
      clearInterval(schedule);
      // A running harvest stops after its current page; its message is retried and resumes from the checkpoint.
      stopping.abort(new Error('ingest is stopping'));
      await Promise.all(consumers.map((c) => c.stop()));
      // What the last commits queued goes out now if it can; otherwise it waits in the outbox for the next task.
      await stopStep(log, 'outbox flush', () => relay.flush(), 4_000);
      await stopStep(log, 'outbox relay', () => relay.stop(), 1_000);
    },
    readiness: {
      database: () => database.ping(),
      sqs: () => pingQueue(sqs, queues.url.ingest),
    },
  };
}
