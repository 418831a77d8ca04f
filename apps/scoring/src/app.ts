import type { SQSClient } from '@aws-sdk/client-sqs';
import { hotspotsChanged, hotspotsRescoreRequested, rescoreAllSchedule } from '@photospots/contracts';
import type { Database } from '@photospots/db';
import { HotspotIndexWriter } from '@photospots/hotspot-index';
import { on, type QueueUrls } from '@photospots/queue';
import { type ConsumerSpec, createWorker, stopStep, type Logger, type ReadinessCheck } from '@photospots/service';
import type { Redis } from 'ioredis';
import type { ScoringConfig } from './config.ts';
import { createHotspotsChangedHandler } from './consumers/hotspots-changed-handler.ts';
import { rescoreAll, rescoreHotspots, type IndexSink, type RescoreDeps } from './scoring/rescore.ts';
import { allSummaries, loadSummaries } from './scoring/score-repository.ts';

export interface ScoringDeps {
  database: Database;
  sqs: SQSClient;
  queues: QueueUrls;
  redis: Redis | undefined;
  log: Logger;
}

export interface Scoring {
  /** The queues this service consumes and their handlers (for a Lambda function). */
  consumerSpecs(): ConsumerSpec[];
  /** Sends what the outbox holds (scoring announces nothing through it: always 0). */
  flushOutbox(): Promise<number>;
  rescore(ids: readonly number[], removedIds?: readonly number[]): Promise<number>;
  rescoreAll(): Promise<number>;
  /** Rebuilds the Redis index from Postgres (no-op without Redis). */
  syncIndex(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
  readiness: Record<string, ReadinessCheck>;
}

export function buildScoring(config: ScoringConfig, deps: ScoringDeps): Scoring {
  const { database, sqs, queues, redis, log } = deps;
  const index = redis ? new HotspotIndexWriter(redis, config.REDIS_KEY_PREFIX) : undefined;
  // Scores live in Postgres; the index is a copy. When Redis refuses an update the
  // scores are still saved, and the whole index is rebuilt once Redis answers again.
  let needsResync = false;
  const sink: IndexSink | undefined = index && {
    apply: async (upserts, removed) => {
      try {
        await index.apply(upserts, removed);
      } catch (err) {
        if (!needsResync)
          log.warn({ err: (err as Error).message }, 'Redis index update failed; it will be rebuilt when Redis is back');
        needsResync = true;
      }
    },
  };
  const rescoreDeps: RescoreDeps = {
    sql: database.sql,
    index: sink,
    halfLifeYears: config.SCORE_RECENCY_HALF_LIFE_YEARS,
  };

  const syncIndex = async () => {
    if (!index) return 0;
    needsResync = false;
    const [{ startedAt }] = await database.sql<{ startedAt: Date }[]>`select now() as "startedAt"`;
    const count = await index.replaceAll(allSummaries(database.sql));
    // Another scoring task may have updated the live index while this one was
    // being built and swapped in: re-apply everything scored or retired since.
    const raced = await database.sql<{ id: number; status: string }[]>`
      select id, status from hotspots where scored_at >= ${startedAt} or retired_at >= ${startedAt}`;
    if (raced.length > 0) {
      const active = raced.filter((r) => r.status === 'active').map((r) => r.id);
      await index.apply(
        await loadSummaries(database.sql, active),
        raced.filter((r) => r.status !== 'active').map((r) => r.id),
      );
    }
    log.info({ count, reapplied: raced.length }, 'Redis hotspot index rebuilt from Postgres');
    return count;
  };

  const worker = createWorker({
    producer: 'scoring',
    database,
    sqs,
    queues,
    log,
    settings: config,
    outboxQueues: [],
    readinessQueue: 'hotspotsChanged',
    consumers: () => {
      const handle = createHotspotsChangedHandler({
        rescore: (ids, removed, progress) => rescoreHotspots(rescoreDeps, ids, removed, progress),
        rescoreAll: (progress) => rescoreAll(rescoreDeps, progress),
      });
      return [
        {
          queue: 'hotspotsChanged',
          batchSize: 10,
          handlers: [on(hotspotsChanged, handle), on(hotspotsRescoreRequested, handle)],
        },
      ];
    },
    readiness: redis ? { redis: () => redis.ping() } : {},
  });
  const { publisher } = worker;

  const timers: NodeJS.Timeout[] = [];
  let syncing: Promise<unknown> | undefined;
  const ensureIndex = () => {
    if (!index || syncing) return;
    syncing = index
      .isSynced()
      .then((ok) => (ok && !needsResync ? undefined : syncIndex()))
      .catch((err: unknown) => log.debug({ err: (err as Error).message }, 'Redis index check failed; retrying'))
      .finally(() => {
        syncing = undefined;
      });
  };

  return {
    consumerSpecs: worker.consumerSpecs,
    flushOutbox: worker.flushOutbox,
    rescore: (ids, removed = []) => rescoreHotspots(rescoreDeps, ids, removed),
    rescoreAll: () => rescoreAll(rescoreDeps),
    syncIndex,
    start: () => {
      worker.start();
      if (index) {
        ensureIndex();
        // The first check fails while the connection is still being made (commands are not queued
        // offline): check again as soon as Redis is ready, not only on the next tick.
        redis?.on('ready', ensureIndex);
        timers.push(setInterval(ensureIndex, config.REDIS_SYNC_CHECK_SECONDS * 1000));
      }
      if (config.RESCORE_INTERVAL_MINUTES > 0) {
        timers.push(
          setInterval(() => {
            publisher
              .publish(rescoreAllSchedule.contract, rescoreAllSchedule.payload)
              .catch((err: unknown) => log.warn({ err }, 'could not schedule a rescore'));
          }, config.RESCORE_INTERVAL_MINUTES * 60_000),
        );
      }
      for (const t of timers) t.unref();
    },
    stop: async () => {
      redis?.off('ready', ensureIndex);
      for (const t of timers) clearInterval(t);
      await worker.stop(() => stopStep(log, 'Redis index sync', async () => syncing, 3_000));
    },
    readiness: worker.readiness,
  };
}
