import type { QueueKey } from '@photospots/contracts';
import pTimeout from 'p-timeout';
import type { Logger } from 'pino';
import type { MessagePublisher } from './publisher.ts';

/** A store of committed-but-unsent messages (the db lib implements it with the outbox table). */
export type OutboxDrain = (
  limit: number,
  send: (rows: { id: number; queue: string; body: unknown }[]) => Promise<void>,
) => Promise<number>;

export interface OutboxRelay {
  /** Sends everything pending now; resolves when the outbox is empty or a send failed. */
  flush(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Relays outbox rows to SQS: on demand after a commit (flush), and on an
 * interval to pick up anything a crashed process left behind. A drain that
 * takes longer than `drainTimeoutMs` (a reply lost on a dead connection) is
 * left behind: its rows stay in the outbox, locked until the database ends
 * its transaction, and are sent by a later drain.
 */
export function startOutboxRelay(options: {
  drain: OutboxDrain;
  publisher: MessagePublisher;
  log: Logger;
  intervalMs?: number;
  drainTimeoutMs?: number;
}): OutboxRelay {
  const { drain, publisher, log } = options;
  let running: Promise<number> | undefined;
  let stopped = false;

  const sendRows = async (rows: { queue: string; body: unknown }[]) => {
    const byQueue = new Map<string, unknown[]>();
    for (const row of rows) {
      let list = byQueue.get(row.queue);
      if (!list) byQueue.set(row.queue, (list = []));
      list.push(row.body);
    }
    for (const [queue, bodies] of byQueue) await publisher.sendRaw(queue as QueueKey, bodies);
  };

  const drainAll = async () => {
    let total = 0;
    for (;;) {
      const sent = await pTimeout(drain(100, sendRows), {
        milliseconds: options.drainTimeoutMs ?? 30_000,
        message: 'an outbox drain did not finish in time; its rows are sent later',
      });
      total += sent;
      if (sent === 0) return total;
    }
  };

  const flush = async (): Promise<number> => {
    while (running) await running.catch(() => 0);
    running = drainAll().finally(() => {
      running = undefined;
    });
    return running;
  };

  // 0: no relay in the background (under Lambda, whose process is frozen between invocations); flush() sends.
  const intervalMs = options.intervalMs ?? 2_000;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          if (stopped || running) return;
          flush().catch((err: unknown) => log.warn({ err }, 'outbox relay failed; will retry'));
        }, intervalMs)
      : undefined;
  timer?.unref();

  return {
    flush,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => 0);
    },
  };
}
