import { openDatabase } from '@photospots/db';
import { connectRedis, redisReady } from '@photospots/hotspot-index';
import { awsConnectionOf, createSqsClient, resolveQueues } from '@photospots/queue';
import type { Logger } from '@photospots/service';
import type { ScoringDeps } from './app.ts';
import type { ScoringConfig } from './config.ts';

/** Opens the scoring service's connections from config; `close` releases them. */
export async function connectScoringDeps(
  config: ScoringConfig,
  log: Logger,
): Promise<ScoringDeps & { close(): Promise<void> }> {
  const sqs = createSqsClient(awsConnectionOf(config));
  const database = openDatabase(config, 'scoring', log);
  const redis = config.REDIS_URL ? connectRedis(config.REDIS_URL, log, 'scoring') : undefined;
  try {
    const queues = await resolveQueues(sqs, { hotspotsChanged: config.QUEUE_HOTSPOTS_CHANGED });
    if (redis && !(await redisReady(redis)))
      log.warn({}, 'Redis not reachable at start; scores go to Postgres and the index is rebuilt when Redis returns');
    return {
      database,
      sqs,
      queues,
      redis,
      log,
      close: async () => {
        await database.close();
        redis?.disconnect();
        sqs.destroy();
      },
    };
  } catch (err) {
    await database.close();
    redis?.disconnect();
    throw err;
  }
}
