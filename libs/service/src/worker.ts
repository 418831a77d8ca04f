import type { SQSClient } from '@aws-sdk/client-sqs';
import { queueSpec, type Producer, type QueueKey } from '@photospots/contracts';
import { drainOutbox, type Database } from '@photospots/db';
import {
  createConsumer,
  MessagePublisher,
  pingQueue,
  startOutboxRelay,
  type BoundHandler,
  type QueueUrls,
  type RunningConsumer,
} from '@photospots/queue';
import type { ReadinessCheck } from './health-server.ts';
import { stopStep } from './lifecycle.ts';
import type { Logger } from './logger.ts';

/** What every consumer of a worker reads from its config (libs/config consumerEnv). */
export interface ConsumerSettings {
  SQS_WAIT_TIME_SECONDS: number;
  SQS_VISIBILITY_TIMEOUT_SECONDS?: number | undefined;
  SQS_HANDLER_STALL_SECONDS: number;
}

/** One queue a worker consumes: its contracts bound to their handlers. */
export interface ConsumerSpec {
  queue: QueueKey;
  handlers: readonly BoundHandler[];
  /** Messages per receive (1–10), handled at once. */
  batchSize?: number;
  /** Seconds until a failed message is received again (default: the consumer's backoff). */
  retryDelay?: (receiveCount: number) => number;
}

export interface WorkerOptions {
  producer: Producer;
  database: Database;
  sqs: SQSClient;
  queues: QueueUrls;
  log: Logger;
  settings: ConsumerSettings;
  /** The queues this service announces to through the outbox (other services' rows are theirs to send). */
  outboxQueues: readonly QueueKey[];
  /** The queue whose reachability /readyz reports as `sqs`. */
  readinessQueue: QueueKey;
  /** Built when the worker starts: a CLI may build the service only to run one job, without SQS. */
  consumers: () => ConsumerSpec[];
  /** Checks /readyz runs besides the database and SQS. */
  readiness?: Record<string, ReadinessCheck>;
  /**
   * Under AWS Lambda: nothing runs in the background (the process is frozen between invocations, a drain in
   * flight would hold its rows locked), so the outbox is sent only by flushOutbox, before each return.
   */
  inline?: boolean;
}

/** The runtime every worker service shares: publisher, outbox relay, consumers, readiness and stop order. */
export interface Worker {
  publisher: MessagePublisher;
  /** Relays what the last commit queued now; a failure is logged and the relay's interval retries. */
  flushSoon(): void;
  /** Sends every committed-but-unsent message. */
  flushOutbox(): Promise<number>;
  /** The queues this worker consumes with their handlers (built once): what its consumers, or a Lambda function, run. */
  consumerSpecs(): ConsumerSpec[];
  /** Starts consuming. */
  start(): void;
  /**
   * Stops consuming (in-flight handlers finish or are released), runs `then` (the service's own work that
   * must end before the last flush), then flushes and stops the outbox relay. Every step is bounded.
   */
  stop(then?: () => Promise<void>): Promise<void>;
  readiness: Record<string, ReadinessCheck>;
}

/** Builds a worker's runtime; no I/O happens until start() or a flush. */
export function createWorker(options: WorkerOptions): Worker {
  const { database, sqs, queues, log, settings } = options;
  const publisher = new MessagePublisher({ sqs, queueUrls: queues.url, producer: options.producer, log });
  // A worker that announces nothing through the outbox polls no outbox.
  const relay =
    options.outboxQueues.length > 0
      ? startOutboxRelay({
          drain: (limit, send) => drainOutbox(database.sql, options.outboxQueues, limit, send),
          publisher,
          log,
          ...(options.inline ? { intervalMs: 0 } : {}),
        })
      : { flush: async () => 0, stop: async () => undefined };
  const consumers: RunningConsumer[] = [];
  let specs: ConsumerSpec[] | undefined;
  const consumerSpecs = () => (specs ??= options.consumers());
  const consumerOf = (spec: ConsumerSpec) => {
    const url = queues.url[spec.queue];
    if (!url) throw new Error(`no URL configured for queue ${spec.queue}`);
    return createConsumer({
      name: spec.queue,
      sqs,
      queueUrl: url,
      deadLetterUrl: queues.deadLetterUrl[spec.queue],
      handlers: spec.handlers,
      log,
      waitTimeSeconds: settings.SQS_WAIT_TIME_SECONDS,
      stallTimeoutMs: settings.SQS_HANDLER_STALL_SECONDS * 1000,
      visibilityTimeoutSeconds:
        settings.SQS_VISIBILITY_TIMEOUT_SECONDS ?? queueSpec(spec.queue).visibilityTimeoutSeconds,
      ...(spec.batchSize ? { batchSize: spec.batchSize } : {}),
      ...(spec.retryDelay ? { retryDelay: spec.retryDelay } : {}),
    });
  };

  return {
    publisher,
    flushSoon: () => {
      relay.flush().catch((err: unknown) => log.warn({ err }, 'outbox flush failed; the relay retries'));
    },
    flushOutbox: () => relay.flush(),
    consumerSpecs,
    start: () => {
      if (consumers.length === 0) consumers.push(...consumerSpecs().map(consumerOf));
      for (const c of consumers) c.start();
    },
    stop: async (then) => {
      await Promise.all(consumers.map((c) => c.stop()));
      if (then) await then();
      // What the last commits queued goes out now if it can; otherwise it waits in the outbox for the next task.
      await stopStep(log, 'outbox flush', () => relay.flush(), 4_000);
      await stopStep(log, 'outbox relay', () => relay.stop(), 1_000);
    },
    readiness: {
      database: () => database.ping(),
      sqs: () => pingQueue(sqs, queues.url[options.readinessQueue]!),
      ...options.readiness,
    },
  };
}
