import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { parseMessage } from '@photospots/contracts';
import type { Logger } from 'pino';
import { Consumer } from 'sqs-consumer';
import type { BoundHandler } from './bound-handler.ts';
import { sendToDeadLetter } from './dead-letter.ts';

export interface HandlerContext {
  log: Logger;
  correlationId: string;
  messageId: string;
  /** 1 on first delivery; SQS delivers at least once, so handlers must be idempotent. */
  receiveCount: number;
  /**
   * Fires when the service is stopping, or when the handler stalled (see `progress`). Long handlers check it
   * between units of work (after a committed batch) and throw `ShutdownError`: the message is then released
   * at once for another worker, which resumes from the last commit.
   */
  signal: AbortSignal;
  /**
   * Says the handler moved on (a batch committed, a page stored). A handler that shows no progress for the
   * consumer's stall timeout is given up: its message goes back to the queue for a retry, and its heartbeats
   * stop. A lost reply from a dependency then costs a retry, never a hang.
   */
  progress(): void;
}

/** Thrown by a handler that stopped early because the service is shutting down. */
export class ShutdownError extends Error {
  readonly code = 'SHUTTING_DOWN';
  constructor() {
    super('the service is shutting down; the message is released for another worker');
  }
}

/** A handler that showed no progress for the stall timeout: given up, and its message retried. */
export class HandlerStalledError extends Error {
  readonly code = 'HANDLER_STALLED';
  constructor(stallTimeoutMs: number) {
    super(`the handler made no progress for ${stallTimeoutMs} ms; the message is retried`);
  }
}

/** Throws ShutdownError (HandlerStalledError for a handler given up) when the signal fired: call between units of work. */
export function throwIfStopping(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  throw signal.reason instanceof HandlerStalledError ? signal.reason : new ShutdownError();
}

export interface ConsumerOptions {
  name: string;
  sqs: SQSClient;
  queueUrl: string;
  /** Where messages that fail validation go at once (no retry can fix them). */
  deadLetterUrl: string | undefined;
  /** The contracts this queue's messages may have, each bound to its handler (see `on`); any other is a dead letter. */
  handlers: readonly BoundHandler[];
  log: Logger;
  /** Messages per receive (1–10), handled concurrently. */
  batchSize?: number;
  /** Seconds a received message stays hidden; extended by heartbeats while the handler runs. */
  visibilityTimeoutSeconds: number;
  /** Long-poll wait (0–20 s). */
  waitTimeSeconds?: number;
  /**
   * How long stop() lets in-flight handlers finish (default 6 s); then their messages are released for
   * another worker (visibility 0) and stop() resolves.
   */
  stopTimeoutMs?: number;
  /** How long a handler may go without calling ctx.progress() before it is given up (default 120 s). */
  stallTimeoutMs?: number;
  /** Seconds until a failed message is received again (default: retryDelaySeconds). */
  retryDelay?: (receiveCount: number) => number;
}

export interface RunningConsumer {
  start(): void;
  /** Stops polling, lets in-flight handlers finish for up to stopTimeoutMs, then releases their messages. */
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
  const { sqs, queueUrl, deadLetterUrl, handlers, log } = options;
  const contracts = handlers.map((h) => h.contract);
  const handlerOf = new Map(handlers.map((h) => [h.contract, h]));
  const visibility = options.visibilityTimeoutSeconds;
  const stopTimeoutMs = options.stopTimeoutMs ?? 6_000;
  const stallTimeoutMs = options.stallTimeoutMs ?? 120_000;

  const receiveCountOf = (m: Message) => Number(m.Attributes?.ApproximateReceiveCount ?? '1') || 1;
  const stopping = new AbortController();
  /** Messages a handler gave up on because of shutdown: released with visibility 0. */
  const released = new Set<string>();
  /** Ends an in-flight handler's wait at once (shutdown): its message is released. */
  const inFlight = new Set<(reason: Error) => void>();

  const handleMessage = async (raw: Message): Promise<Message> => {
    const parsed = parseMessage(raw.Body, contracts);
    if (!parsed.ok) {
      log.warn(
        { queue: options.name, sqsMessageId: raw.MessageId, code: parsed.code, reason: parsed.reason },
        'invalid message sent to the dead-letter queue',
      );
      if (deadLetterUrl) {
        await sendToDeadLetter(sqs, deadLetterUrl, raw.Body ?? '', {
          code: parsed.code,
          reason: parsed.reason,
          sourceQueue: options.name,
        });
      }
      return raw;
    }
    const { metadata } = parsed.message;
    // This message's own signal: the service stopping, or this handler stalling.
    const aborter = new AbortController();
    const onStop = () => aborter.abort(new ShutdownError());
    stopping.signal.addEventListener('abort', onStop, { once: true });
    let watchdog: NodeJS.Timeout | undefined;
    let giveUp!: (reason: Error) => void;
    const givenUp = new Promise<never>((_, reject) => {
      giveUp = (reason) => {
        aborter.abort(reason);
        reject(reason);
      };
    });
    const progress = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => giveUp(new HandlerStalledError(stallTimeoutMs)), stallTimeoutMs);
    };
    const ctx: HandlerContext = {
      log: log.child({
        correlationId: metadata.correlationId,
        messageType: parsed.message.type,
        messageId: metadata.messageId,
      }),
      correlationId: metadata.correlationId,
      messageId: metadata.messageId,
      receiveCount: receiveCountOf(raw),
      signal: aborter.signal,
      progress,
    };
    progress();
    inFlight.add(giveUp);
    try {
      // A handler that never settles (a reply lost on a dead connection) is left behind, its signal aborted.
      await Promise.race([handlerOf.get(parsed.contract)!.run(parsed.message, ctx), givenUp]);
    } catch (err) {
      if (err instanceof ShutdownError && raw.MessageId) released.add(raw.MessageId);
      throw err;
    } finally {
      clearTimeout(watchdog);
      inFlight.delete(giveUp);
      stopping.signal.removeEventListener('abort', onStop);
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
    // stop() releases what is still in flight after stopTimeoutMs; this bounds the release itself.
    pollingCompleteWaitTimeMs: stopTimeoutMs + 4_000,
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
      log.info(
        { queue: options.name, sqsMessageId: m?.MessageId },
        'message released for another worker (shutting down)',
      );
      return;
    }
    if (cause instanceof HandlerStalledError) {
      log.error(
        {
          err: cause,
          queue: options.name,
          sqsMessageId: m?.MessageId,
          receiveCount: m ? receiveCountOf(m) : undefined,
        },
        'message handler stalled; given up, the message is retried',
      );
      return;
    }
    log.error(
      { err: cause, queue: options.name, sqsMessageId: m?.MessageId, receiveCount: m ? receiveCountOf(m) : undefined },
      'message handler failed; it will be retried',
    );
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
        // Handlers that have not finished by then are given up: their messages go back to the queue at once.
        const release = setTimeout(() => {
          for (const giveUp of inFlight) giveUp(new ShutdownError());
        }, stopTimeoutMs);
        consumer.once('stopped', () => {
          clearTimeout(release);
          resolve();
        });
        consumer.stop();
      }),
    get isRunning() {
      return consumer.status.isRunning;
    },
  };
}
