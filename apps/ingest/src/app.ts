import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { flickrIncrementalSchedule, ingestRequested, photosIngested, thumbnailsRequested } from '@photospots/contracts';
import type { Database } from '@photospots/db';
import { on, type QueueUrls } from '@photospots/queue';
import { type ConsumerSpec, createWorker, type Logger, type ReadinessCheck } from '@photospots/service';
import pLimit from 'p-limit';
import type { IngestConfig } from './config.ts';
import { createIngestRequestedHandler } from './consumers/ingest-requested-handler.ts';
import { FlickrClient } from './flickr/flickr-client.ts';
import { FlickrKeyMissingError } from './flickr/flickr-errors.ts';
import { parseLicenceFilter } from './flickr/flickr-licences.ts';
import { harvestFlickr } from './flickr/harvest-flickr.ts';
import { HARVEST_LEASE_SECONDS } from './flickr/harvest-lock.ts';
import type { HarvestProgress, HarvestReport } from './flickr/harvest-progress.ts';
import { resolveHarvestWindow, type FlickrHarvestInput } from './flickr/harvest-window.ts';
import { requestIncrementalHarvests } from './flickr/incremental-schedule.ts';
import { FlickrRateLimiter } from './flickr/rate-limiter.ts';
import type { RetryPolicy } from './flickr/retry-policy.ts';
import { importLbsnFile, type ImportCounters } from './import/import-lbsn-file.ts';
import { createThumbnailsRequestedHandler } from './thumbnails/thumbnail-worker.ts';

/** The queues this service announces to through the outbox (other services' rows are theirs to send). */
const OUTBOX_QUEUES = [photosIngested.queue, thumbnailsRequested.queue];

export interface IngestDeps {
  database: Database;
  sqs: SQSClient;
  s3?: S3Client;
  /** The thumbnail bucket's client when it has an endpoint of its own (THUMBNAIL_S3_ENDPOINT_URL); else s3. */
  thumbnailS3?: S3Client;
  queues: QueueUrls;
  log: Logger;
  /** Flickr retry timing (tests shorten it); defaults to DEFAULT_RETRY_POLICY. */
  flickrRetry?: RetryPolicy;
  /** Under AWS Lambda: no outbox relay in the background; the function flushes before it returns. */
  inline?: boolean;
}

export interface Ingest {
  /** The queues this service consumes and their handlers (for a Lambda function). */
  consumerSpecs(): ConsumerSpec[];
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
    options?: {
      correlationId?: string;
      onProgress?: (p: HarvestProgress) => void;
      /** Wait this long for the same harvest running elsewhere, or left by a killed process, instead of failing. */
      waitForRunningSeconds?: number;
    },
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
  const thumbnailSlots = pLimit(config.THUMBNAIL_CONCURRENCY);
  const worker = createWorker({
    inline: deps.inline,
    producer: 'ingest',
    database,
    sqs,
    queues,
    log,
    settings: config,
    outboxQueues: OUTBOX_QUEUES,
    readinessQueue: 'ingest',
    consumers: () => [
      {
        queue: 'ingest',
        batchSize: config.INGEST_CONSUMER_BATCH,
        handlers: [
          on(
            ingestRequested,
            createIngestRequestedHandler({
              importFile: (location, correlationId, signal, progress) =>
                importFile(location, correlationId, progress, signal),
              // A redelivered request may find the lease its first delivery's killed process left: it waits for it
              // to expire. One still renewed belongs to a live harvest, and the request is then a duplicate.
              harvestFlickr: (input, correlationId, progress) =>
                harvest(input, {
                  correlationId,
                  onProgress: progress,
                  waitForRunningSeconds: HARVEST_LEASE_SECONDS + 5,
                }),
              requestIncrementalHarvests: () =>
                requestIncrementalHarvests(database.sql, publisher, config.FLICKR_LICENSES, log),
            }),
          ),
        ],
      },
      // Thumbnails only where S3 is configured (the CLI imports without it).
      ...((deps.thumbnailS3 ?? deps.s3) && queues.url.thumbnails
        ? [
            {
              queue: 'thumbnails' as const,
              batchSize: Math.min(10, config.THUMBNAIL_CONCURRENCY),
              retryDelay: (receiveCount: number) =>
                Math.min(900, config.THUMBNAIL_RETRY_SECONDS * 2 ** Math.max(0, receiveCount - 1)),
              handlers: [
                on(
                  thumbnailsRequested,
                  createThumbnailsRequestedHandler({
                    sql: database.sql,
                    s3: (deps.thumbnailS3 ?? deps.s3)!,
                    bucket: config.THUMBNAIL_BUCKET,
                    slots: thumbnailSlots,
                  }),
                ),
              ],
            },
          ]
        : []),
    ],
  });
  const { publisher, flushSoon } = worker;
  // One bucket for every harvest of this process: the key's allowance is per key, not per harvest.
  const limiter = new FlickrRateLimiter({ ratePerHour: config.FLICKR_RATE_PER_HOUR });
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
    ).finally(() => worker.flushOutbox().catch(() => 0));

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
        ...(options.waitForRunningSeconds ? { waitForRunningSeconds: options.waitForRunningSeconds } : {}),
      },
      options.correlationId,
    ).finally(() => worker.flushOutbox().catch(() => 0));
  };

  let schedule: NodeJS.Timeout | undefined;

  return {
    consumerSpecs: worker.consumerSpecs,
    importFile,
    harvestFlickr: harvest,
    flushOutbox: worker.flushOutbox,
    start: () => {
      worker.start();
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
      await worker.stop();
    },
    readiness: worker.readiness,
  };
}
