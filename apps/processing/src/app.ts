import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SQSClient } from '@aws-sdk/client-sqs';
import pTimeout from 'p-timeout';
import { hotspotsChanged, photosIngested, photosIngestedV1 } from '@photospots/contracts';
import type { Database } from '@photospots/db';
import { DEFAULT_CLUSTER_PARAMS, type PeopleClusterParams } from '@photospots/geo';
import { on, throwIfStopping, type QueueUrls } from '@photospots/queue';
import { createWorker, stopStep, type ConsumerSpec, type Logger, type ReadinessCheck } from '@photospots/service';
import { rebuildDirtyTiles, type RebuildResult } from './clustering/rebuild-dirty-tiles.ts';
import type { ProcessingConfig } from './config.ts';
import { createPhotosIngestedHandler } from './consumers/photos-ingested-handler.ts';
import { startBacklogReports } from './dirty-tiles/backlog-metric.ts';
import { claimReachOf } from './dirty-tiles/claim.ts';
import {
  AT_ONCE,
  countDirtyTiles,
  DirtyTilePool,
  markAllTilesDirty,
  type Settling,
} from './dirty-tiles/dirty-tile-repository.ts';
import { RebuildLoop } from './clustering/rebuild-loop.ts';

/** The queues this service announces to through the outbox (other services' rows are theirs to send). */
const OUTBOX_QUEUES = [hotspotsChanged.queue];

export interface ProcessingDeps {
  database: Database;
  sqs: SQSClient;
  queues: QueueUrls;
  log: Logger;
  /** Where the dirty-tile metric records go (default stdout, where CloudWatch Logs reads them). */
  writeMetric?: (line: string) => void;
  /**
   * Under AWS Lambda: nothing runs in the background (the process is frozen between invocations), so a
   * message only marks its tiles, and the function calls rebuildSettled after each batch and on its schedule.
   */
  inline?: boolean;
}

export interface Processing {
  /** Re-clusters every dirty tile, claim by claim, until none is left. */
  rebuildDirty(correlationId?: string): Promise<RebuildResult[]>;
  /** Dirties every tile and re-clusters (and re-names) the world. */
  rebuildAll(correlationId?: string): Promise<RebuildResult[]>;
  /**
   * Re-clusters the dirty tiles as they settle, claim by claim, until none is dirty or the signal fires
   * (checked between claims, and while waiting for tiles to settle): what is left stays dirty for the next call.
   */
  rebuildSettled(signal: AbortSignal): Promise<RebuildResult[]>;
  /** The queue this service consumes and its handlers (for a Lambda function). */
  consumerSpecs(): ConsumerSpec[];
  flushOutbox(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
  readiness: Record<string, ReadinessCheck>;
}

/** Pause (± half, at random) before a worker that lost a claim to another peeks again. */
const CONTENDED_RETRY_MS = 100;

/** How often dirty tiles left by a crashed worker are picked up without a new message. */
const SWEEP_INTERVAL_MS = 10_000;

export function clusterParamsFrom(config: ProcessingConfig): PeopleClusterParams {
  return {
    ...DEFAULT_CLUSTER_PARAMS,
    cellSizeMercM: config.CLUSTER_CELL_SIZE_MERC_M,
    minUsers: config.CLUSTER_MIN_USERS,
    bandwidthM: config.CLUSTER_BANDWIDTH_M,
    peakSeparationM: config.CLUSTER_PEAK_SEPARATION_M,
    maxRadiusM: config.CLUSTER_MAX_RADIUS_M,
  };
}

export function buildProcessing(config: ProcessingConfig, deps: ProcessingDeps): Processing {
  const { database, sqs, queues, log } = deps;
  const worker = createWorker({
    inline: deps.inline,
    producer: 'processing',
    database,
    sqs,
    queues,
    log,
    settings: config,
    outboxQueues: OUTBOX_QUEUES,
    readinessQueue: 'photosIngested',
    consumers: () => {
      const handle = createPhotosIngestedHandler({
        sql: database.sql,
        requestRebuild: (correlationId) => loop?.poke(correlationId),
      });
      return [
        {
          queue: 'photosIngested',
          batchSize: config.PROCESSING_CONSUMER_BATCH,
          handlers: [on(photosIngested, handle), on(photosIngestedV1, handle)],
        },
      ];
    },
  });
  const { publisher } = worker;
  const params = clusterParamsFrom(config);
  const naming = {
    backgroundRadiusM: config.NAMING_BACKGROUND_RADIUS_M,
    localRadiusM: config.NAMING_LOCAL_RADIUS_M,
    qualifierShare: config.NAMING_QUALIFIER_SHARE,
    broadExtent: config.NAMING_BROAD_EXTENT,
  };

  const rebuildDirty = async (
    correlationId: string = randomUUID(),
    relabelAll = false,
    signal?: AbortSignal,
    settling = AT_ONCE,
    // One view of the dirty tiles for the pass's claims (see DirtyTilePool).
    pool = new DirtyTilePool(settling, claimReachOf(params)),
  ) => {
    const results: RebuildResult[] = [];
    for (;;) {
      // Between claims (each committed on its own) a stopping service hands over the rest.
      throwIfStopping(signal);
      const result = await pTimeout(
        rebuildDirtyTiles(
          { sql: database.sql, publisher, params, naming, maxTilesPerRun: config.PROCESSING_MAX_TILES_PER_RUN, log },
          correlationId,
          { relabelAll, pool },
        ),
        {
          milliseconds: config.PROCESSING_CLAIM_TIMEOUT_SECONDS * 1000,
          message: 'a claim did not commit in time; its tiles stay dirty',
        },
      );
      if (!result) break;
      if (result.contended) {
        // Another worker holds part of the area; peek again once it has taken the rest of its locks (or stop at once).
        await sleep(CONTENDED_RETRY_MS * (0.5 + Math.random()), undefined, { signal }).catch(() => undefined);
        continue;
      }
      results.push(result);
      worker.flushSoon();
    }
    return results;
  };

  // The service waits for an import's writes to a tile to settle before re-clustering it; explicit calls
  // (rebuildDirty, rebuildAll) take every dirty tile at once.
  const settling: Settling = { settleMs: config.PROCESSING_SETTLE_MS, maxDelayMs: config.PROCESSING_MAX_DELAY_MS };
  /** Re-clusters what has settled; then the milliseconds until the next dirty tile settles (null: none is dirty). */
  const settledPass = async (correlationId: string | undefined, signal: AbortSignal) => {
    // The pass ends on a peek that found nothing claimable, which read the tiles: the pool knows when to come back.
    const pool = new DirtyTilePool(settling, claimReachOf(params));
    const results = await rebuildDirty(correlationId, false, signal, settling, pool);
    return { results, waitMs: pool.nextMs };
  };
  const loop = deps.inline
    ? undefined
    : new RebuildLoop(
        async (correlationId, signal) => {
          // Tiles still settling: come back when the first of them may be claimed.
          const { waitMs } = await settledPass(correlationId, signal);
          if (waitMs !== null) loop?.pokeIn(waitMs);
        },
        log,
        SWEEP_INTERVAL_MS,
      );

  let backlogReports: { stop(): void } | undefined;

  return {
    rebuildDirty,
    rebuildAll: async (correlationId: string = randomUUID()) => {
      const tiles = await markAllTilesDirty(database.sql);
      log.info({ tiles }, 'full rebuild: every tile dirtied');
      const results = await rebuildDirty(correlationId, true);
      await worker.flushOutbox();
      return results;
    },
    rebuildSettled: async (signal) => {
      const done: RebuildResult[] = [];
      try {
        for (;;) {
          const { results, waitMs } = await settledPass(undefined, signal);
          done.push(...results);
          // Tiles still settling (an import still writing): wait for the first of them, as the service's loop
          // does, rather than leave them to the next scheduled invocation a minute later.
          if (waitMs === null) break;
          await sleep(waitMs, undefined, { signal });
        }
      } catch (err) {
        // Stopped between claims: each claim before committed on its own, the rest stays dirty.
        if (!signal.aborted) throw err;
      }
      return done;
    },
    consumerSpecs: worker.consumerSpecs,
    flushOutbox: worker.flushOutbox,
    start: () => {
      worker.start();
      loop?.poke();
      if (config.PROCESSING_BACKLOG_METRIC_SECONDS > 0) {
        backlogReports = startBacklogReports({
          count: () => countDirtyTiles(database.sql),
          intervalMs: config.PROCESSING_BACKLOG_METRIC_SECONDS * 1000,
          write: deps.writeMetric,
          onError: (err) => log.warn({ err }, 'could not count dirty tiles for the backlog metric'),
        });
      }
    },
    stop: async () => {
      backlogReports?.stop();
      // A claim being written is left to roll back with the connection if it cannot finish in time: its tiles stay dirty.
      await worker.stop(() => stopStep(log, 're-clustering', async () => loop?.stop(), 5_000));
    },
    readiness: worker.readiness,
  };
}
