import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { contractsForQueue, hotspotsChanged, queueSpec } from '@photospots/contracts';
import { drainOutbox, type Database } from '@photospots/db';
import { DEFAULT_CLUSTER_PARAMS, type PeopleClusterParams } from '@photospots/geo';
import { createConsumer, MessagePublisher, pingQueue, startOutboxRelay, type QueueUrls } from '@photospots/queue';
import type { Logger, ReadinessCheck } from '@photospots/service';
import { rebuildDirtyTiles, type RebuildResult } from './clustering/rebuild-dirty-tiles.ts';
import type { ProcessingConfig } from './config.ts';
import { createPhotosIngestedHandler } from './consumers/photos-ingested-handler.ts';
import { countDirtyTiles, markAllTilesDirty } from './dirty-tiles/dirty-tile-repository.ts';

/** The queues this service announces to through the outbox (other services' rows are theirs to send). */
const OUTBOX_QUEUES = [hotspotsChanged.queue];

export interface ProcessingDeps {
  database: Database;
  sqs: SQSClient;
  queues: QueueUrls;
  log: Logger;
}

export interface Processing {
  /** Re-clusters every dirty tile, claim by claim, until none is left. */
  rebuildDirty(correlationId?: string): Promise<RebuildResult[]>;
  /** Dirties every tile and re-clusters the world. */
  rebuildAll(correlationId?: string): Promise<RebuildResult[]>;
  flushOutbox(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
  readiness: Record<string, ReadinessCheck>;
}

/** How often dirty tiles left by a crashed run are picked up without a new message. */
const SWEEP_INTERVAL_MS = 30_000;

export function clusterParamsFrom(config: ProcessingConfig): PeopleClusterParams {
  return {
    ...DEFAULT_CLUSTER_PARAMS,
    minUsers: config.CLUSTER_MIN_USERS,
    bandwidthM: config.CLUSTER_BANDWIDTH_M,
    peakSeparationM: config.CLUSTER_PEAK_SEPARATION_M,
    maxRadiusM: config.CLUSTER_MAX_RADIUS_M,
  };
}

export function buildProcessing(config: ProcessingConfig, deps: ProcessingDeps): Processing {
  const { database, sqs, queues, log } = deps;
  const publisher = new MessagePublisher({ sqs, queueUrls: queues.url, producer: 'processing', log });
  const relay = startOutboxRelay({ drain: (limit, send) => drainOutbox(database.sql, limit, send, OUTBOX_QUEUES), publisher, log });
  const params = clusterParamsFrom(config);

  const rebuildDirty = async (correlationId: string = randomUUID()) => {
    const results: RebuildResult[] = [];
    for (;;) {
      const result = await rebuildDirtyTiles(
        { sql: database.sql, publisher, params, maxTilesPerRun: config.PROCESSING_MAX_TILES_PER_RUN, log },
        correlationId,
      );
      if (!result) break;
      results.push(result);
      relay.flush().catch((err: unknown) => log.warn({ err }, 'outbox flush failed; the relay retries'));
    }
    return results;
  };

  const consumer = createConsumer({
    name: 'processing',
    sqs,
    queueUrl: queues.url.photosIngested,
    deadLetterUrl: queues.deadLetterUrl.photosIngested,
    contracts: contractsForQueue('photosIngested'),
    handle: createPhotosIngestedHandler({ sql: database.sql, rebuildDirty }) as never,
    log,
    batchSize: config.PROCESSING_CONSUMER_BATCH,
    waitTimeSeconds: config.SQS_WAIT_TIME_SECONDS,
    visibilityTimeoutSeconds: queueSpec('photosIngested').visibilityTimeoutSeconds,
  });

  let sweeping: Promise<unknown> | undefined;
  const sweep = setInterval(() => {
    if (sweeping) return;
    sweeping = countDirtyTiles(database.sql)
      .then((n) => (n > 0 ? rebuildDirty() : undefined))
      .catch((err: unknown) => log.warn({ err }, 'dirty-tile sweep failed; it runs again'))
      .finally(() => {
        sweeping = undefined;
      });
  }, SWEEP_INTERVAL_MS);
  sweep.unref();

  return {
    rebuildDirty,
    rebuildAll: async (correlationId: string = randomUUID()) => {
      const tiles = await markAllTilesDirty(database.sql);
      log.info({ tiles }, 'full rebuild: every tile dirtied');
      const results = await rebuildDirty(correlationId);
      await relay.flush();
      return results;
    },
    flushOutbox: () => relay.flush(),
    start: () => consumer.start(),
    stop: async () => {
      clearInterval(sweep);
      await consumer.stop();
      await sweeping;
      await relay.flush().catch(() => 0);
      await relay.stop();
    },
    readiness: {
      database: () => database.ping(),
      sqs: () => pingQueue(sqs, queues.url.photosIngested),
    },
  };
}
