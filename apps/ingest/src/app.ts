import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { contractsForQueue, photosIngested, queueSpec } from '@photospots/contracts';
import { drainOutbox, type Database } from '@photospots/db';
import { createConsumer, MessagePublisher, pingQueue, startOutboxRelay, type QueueUrls } from '@photospots/queue';
import type { Logger, ReadinessCheck } from '@photospots/service';
import type { IngestConfig } from './config.ts';
import { createIngestRequestedHandler } from './consumers/ingest-requested-handler.ts';
import { importLbsnFile, type ImportCounters } from './import/import-lbsn-file.ts';

/** The queues this service announces to through the outbox (other services' rows are theirs to send). */
const OUTBOX_QUEUES = [photosIngested.queue];

export interface IngestDeps {
  database: Database;
  sqs: SQSClient;
  s3?: S3Client;
  queues: QueueUrls;
  log: Logger;
}

export interface Ingest {
  /** Imports a file now (the CLI and the ingest.requested handler both use this). */
  importFile(location: string, correlationId?: string, onProgress?: (c: Readonly<ImportCounters>) => void): ReturnType<typeof importLbsnFile>;
  /** Sends every committed-but-unsent message. */
  flushOutbox(): Promise<number>;
  /** Starts consuming ingest requests. */
  start(): void;
  stop(): Promise<void>;
  readiness: Record<string, ReadinessCheck>;
}

/** Wires the ingest service from config and its dependencies (no I/O happens until start/importFile). */
export function buildIngest(config: IngestConfig, deps: IngestDeps): Ingest {
  const { database, sqs, queues, log } = deps;
  const publisher = new MessagePublisher({ sqs, queueUrls: queues.url, producer: 'ingest', log });
  const relay = startOutboxRelay({ drain: (limit, send) => drainOutbox(database.sql, limit, send, OUTBOX_QUEUES), publisher, log });
  const flushSoon = () => {
    relay.flush().catch((err: unknown) => log.warn({ err }, 'outbox flush failed; the relay retries'));
  };

  const importFile: Ingest['importFile'] = (location, correlationId, onProgress) =>
    importLbsnFile(
      location,
      { sql: database.sql, publisher, log, s3: deps.s3, batchSize: config.INGEST_BATCH_SIZE, afterCommit: flushSoon, ...(onProgress ? { onProgress } : {}) },
      correlationId,
    ).finally(() => relay.flush().catch(() => 0));

  const consumer = createConsumer({
    name: 'ingest',
    sqs,
    queueUrl: queues.url.ingest,
    deadLetterUrl: queues.deadLetterUrl.ingest,
    contracts: contractsForQueue('ingest'),
    handle: createIngestRequestedHandler({ importFile: (location, correlationId) => importFile(location, correlationId) }) as never,
    log,
    batchSize: config.INGEST_CONSUMER_BATCH,
    waitTimeSeconds: config.SQS_WAIT_TIME_SECONDS,
    visibilityTimeoutSeconds: queueSpec('ingest').visibilityTimeoutSeconds,
  });

  return {
    importFile,
    flushOutbox: () => relay.flush(),
    start: () => consumer.start(),
    stop: async () => {
      await consumer.stop();
      await relay.flush().catch(() => 0);
      await relay.stop();
    },
    readiness: {
      database: () => database.ping(),
      sqs: () => pingQueue(sqs, queues.url.ingest),
    },
  };
}
