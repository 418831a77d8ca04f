import { SendMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { parseMessage, type AnyContract, type MessageOf } from '@photospots/contracts';
import type { Logger } from 'pino';
import { Consumer } from 'sqs-consumer';

export interface HandlerContext {
  log: Logger;
  correlationId: string;
  messageId: string;
  /** 1 on first delivery; SQS delivers at least once, so handlers must be idempotent. */
  receiveCount: number;
  /**
   * Fires when the service is stopping. Long handlers check it between units
   * of work (after a committed batch) and throw `ShutdownError`: the message is
   * then released at once for another worker, which resumes from the last commit.
   */
  signal: AbortSignal;
}

/** Thrown by a handler that stopped early because the service is shutting down. */
export class ShutdownError extends Error {
  readonly code = 'SHUTTING_DOWN';
  constructor() {
    super('the service is shutting down; the message is released for another worker');
  }
}

/** Throws ShutdownError when the signal fired: call between units of work. */
export function throwIfStopping(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ShutdownError();
}

/** A plain async function, callable directly in tests. */
export type MessageHandler<C extends AnyContract = AnyContract> = (message: MessageOf<C>, ctx: HandlerContext) => Promise<void>;

export interface ConsumerOptions {
  name: string;
  sqs: SQSClient;
  queueUrl: string;
  /** Where messages that fail validation go at once (no retry can fix them). */
  deadLetterUrl: string | undefined;
  contracts: readonly AnyContract[];
  handle: MessageHandler;
  log: Logger;
  /** Messages per receive (1–10), handled concurrently. */
  batchSize?: number;
  /** Seconds a received message stays hidden; extended by heartbeats while the handler runs. */
  visibilityTimeoutSeconds: number;
  /** Long-poll wait (0–20 s). */
  waitTimeSeconds?: number;
  /** How long stop() waits for the last poll and in-flight handlers (default 30 s). */
  stopTimeoutMs?: number;
  /** Seconds until a failed message is received again (default: retryDelaySeconds). */
  retryDelay?: (receiveCount: number) => number;
}

export interface RunningConsumer {
  start(): void;
  /** Stops polling and waits (up to stopTimeoutMs) for in-flight handlers to finish. */
  stop(): Promise<void>;
  readonly isRunning: boolean;
}

/** Seconds before a failed message is retried: 5 s doubling per receive, at most 5 minutes. */
export function retryDelaySeconds(receiveCount: number): number {
  return Math.min(300, 5 * 2 ** Math.max(0, receiveCount - 1));
}

/**
 * An SQS consumer on sqs-consumer: long polling, batches, heartbeats that
 * extend visibility for slow handlers, and two failure paths. A message that
 * fails validation goes straight to the dead-letter queue; a handler error
 * leaves the message for a retry with backoff, and SQS's redrive policy moves
 * it to the dead-letter queue after maxReceiveCount receives.
 */
export function createConsumer(options: ConsumerOptions): RunningConsumer {
  const { sqs, queueUrl, deadLetterUrl, contracts, handle, log } = options;
  const visibility = options.visibilityTimeoutSeconds;

  const receiveCountOf = (m: Message) => Number(m.Attributes?.ApproximateReceiveCount ?? '1') || 1;
  const stopping = new AbortController();
  /** Messages a handler gave up on because of shutdown: released with visibility 0. */
  const released = new Set<string>();

  const handleMessage = async (raw: Message): Promise<Message> => {
    const parsed = parseMessage(raw.Body, contracts);
    if (!parsed.ok) {
      log.warn({ queue: options.name, sqsMessageId: raw.MessageId, code: parsed.code, reason: parsed.reason }, 'invalid message sent to the dead-letter queue');
      if (deadLetterUrl) {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: deadLetterUrl,
            MessageBody: raw.Body ?? '',
            MessageAttributes: {
              errorCode: { DataType: 'String', StringValue: parsed.code },
              errorReason: { DataType: 'String', StringValue: parsed.reason.slice(0, 1000) || '-' },
              sourceQueue: { DataType: 'String', StringValue: options.name },
            },
          }),
        );
      }
      return raw;
    }
    const { metadata } = parsed.message;
    const ctx: HandlerContext = {
      log: log.child({ correlationId: metadata.correlationId, messageType: parsed.message.type, messageId: metadata.messageId }),
      correlationId: metadata.correlationId,
      messageId: metadata.messageId,
      receiveCount: receiveCountOf(raw),
      signal: stopping.signal,
    };
    try {
      await handle(parsed.message as never, ctx);
    } catch (err) {
      if (err instanceof ShutdownError && raw.MessageId) released.add(raw.MessageId);
      throw err;
    }
    return raw;
  };

  const consumer = Consumer.create({
    queueUrl,
    sqs,
    useQueueUrlAsEndpoint: false,
    batchSize: options.batchSize ?? 10,
    waitTimeSeconds: options.waitTimeSeconds ?? 20,
    visibilityTimeout: visibility,
    // Heartbeats keep a slow handler's message hidden so no one else starts it too.
    ...(visibility >= 3 ? { heartbeatInterval: Math.floor(visibility / 3) } : {}),
    messageSystemAttributeNames: ['ApproximateReceiveCount'],
    pollingCompleteWaitTimeMs: options.stopTimeoutMs ?? 30_000,
    terminateVisibilityTimeout: (messages) => {
      if (messages.every((m) => m.MessageId && released.delete(m.MessageId))) return 0;
      return (options.retryDelay ?? retryDelaySeconds)(Math.max(...messages.map(receiveCountOf)));
    },
    handleMessage,
  });

  consumer.on('processing_error', (err, message) => {
    const m = Array.isArray(message) ? message[0] : message;
    const cause = (err as Error & { cause?: unknown }).cause ?? err;
    if (cause instanceof ShutdownError) {
      log.info({ queue: options.name, sqsMessageId: m?.MessageId }, 'message released for another worker (shutting down)');
      return;
    }
    log.error({ err: cause, queue: options.name, sqsMessageId: m?.MessageId, receiveCount: m ? receiveCountOf(m) : undefined }, 'message handler failed; it will be retried');
  });
  consumer.on('error', (err) => {
    log.warn({ err, queue: options.name }, 'SQS receive failed; polling continues');
  });
  consumer.on('timeout_error', (err) => {
    log.error({ err, queue: options.name }, 'message handler timed out');
  });

  return {
    start: () => consumer.start(),
    stop: () =>
      new Promise<void>((resolve) => {
        stopping.abort();
        if (!consumer.status.isRunning) return resolve();
        consumer.once('stopped', () => resolve());
        consumer.stop();
      }),
    get isRunning() {
      return consumer.status.isRunning;
    },
  };
}
