import type { SQSClient } from '@aws-sdk/client-sqs';
import { drainOutbox, type Database } from '@photospots/db';
import { backoff, MessagePublisher, resolveQueueUrl, startOutboxRelay, type OutboxRelay } from '@photospots/queue';
import type { Logger } from '@photospots/service';
import type { QueryApiConfig } from '../config.ts';

/**
 * Relays the outbox (rescore requests written with favorite changes) to the
 * hotspots-changed queue. The queue URL is resolved in the background with
 * retries, so an SQS outage never delays start-up or fails a request: rows
 * simply wait in the outbox.
 */
export function startRescoreRelay(options: {
  config: QueryApiConfig;
  sqs: SQSClient;
  database: Database;
  log: Logger;
}): Pick<OutboxRelay, 'stop'> & { flush(): void } {
  const { config, sqs, database, log } = options;
  let relay: OutboxRelay | undefined;
  let stopped = false;
  const ready = (async () => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        const url = await resolveQueueUrl(sqs, config.QUEUE_HOTSPOTS_CHANGED);
        if (stopped) return;
        const publisher = new MessagePublisher({
          sqs,
          queueUrls: { hotspotsChanged: url },
          producer: 'query-api',
          log,
        });
        relay = startOutboxRelay({
          drain: (limit, send) => drainOutbox(database.sql, ['hotspotsChanged'], limit, send),
          publisher,
          log,
          intervalMs: config.OUTBOX_POLL_MS,
        });
        return;
      } catch (err) {
        if (attempt === 1)
          log.warn({ err: (err as Error).message }, 'hotspots-changed queue not reachable; favorites rescore later');
        await backoff(Math.min(attempt, 8), 200, 30_000);
      }
    }
  })();
  return {
    flush: () => {
      relay
        ?.flush()
        .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'outbox flush failed; the relay retries'));
    },
    stop: async () => {
      stopped = true;
      await ready;
      await relay?.stop();
    },
  };
}
