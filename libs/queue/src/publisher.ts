import { randomUUID } from 'node:crypto';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AnyContract, MessageOf, PayloadOf, Producer, QueueKey } from '@photospots/contracts';
import type { Logger } from 'pino';

/** SQS's limit on one message body. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

export interface PublishOptions {
  /** Carried through every message caused by this one; a new id when absent. */
  correlationId?: string;
}

/** Thrown when a payload does not satisfy its contract: a bug in the producer, never sent. */
export class InvalidMessageError extends Error {
  readonly code = 'INVALID_MESSAGE';
}

export interface PublisherOptions {
  sqs: SQSClient;
  queueUrls: Partial<Record<QueueKey, string>>;
  producer: Producer;
  log: Logger;
  /** Attempts for entries SQS rejects inside a batch (the SDK retries whole-request failures itself). */
  maxAttempts?: number;
}

/**
 * Validates messages against their contract and sends them in batches of 10.
 * Validation happens before anything is sent, so a consumer never sees a
 * message its own schema would reject.
 */
export class MessagePublisher {
  readonly #opts: Required<PublisherOptions>;

  constructor(options: PublisherOptions) {
    this.#opts = { maxAttempts: 6, ...options };
  }

  /** Builds and validates a full message (for the outbox or for sending). */
  build<C extends AnyContract>(contract: C, payload: PayloadOf<C>, options: PublishOptions = {}): MessageOf<C> {
    const message = {
      type: contract.type,
      schemaVersion: contract.schemaVersion,
      payload,
      metadata: {
        messageId: randomUUID(),
        correlationId: options.correlationId ?? randomUUID(),
        producedBy: this.#opts.producer,
        occurredAt: new Date().toISOString(),
      },
    };
    const parsed = contract.schema.safeParse(message);
    if (!parsed.success) {
      throw new InvalidMessageError(
        `${contract.type} v${contract.schemaVersion} payload is invalid: ${parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`,
      );
    }
    return parsed.data as MessageOf<C>;
  }

  async publish<C extends AnyContract>(
    contract: C,
    payload: PayloadOf<C>,
    options: PublishOptions = {},
  ): Promise<string> {
    const message = this.build(contract, payload, options);
    await this.sendRaw(contract.queue, [message]);
    return message.metadata.messageId;
  }

  /** Sends already-built messages (e.g. from the outbox), retrying rejected entries with backoff. */
  async sendRaw(queue: QueueKey, messages: readonly unknown[]): Promise<void> {
    const url = this.#opts.queueUrls[queue];
    if (!url) throw new Error(`no URL configured for queue ${queue}`);
    const bodies = messages.map((m) => {
      const body = JSON.stringify(m);
      if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES) {
        throw new InvalidMessageError(`message of ${Buffer.byteLength(body)} bytes exceeds the SQS limit`);
      }
      return body;
    });
    for (let start = 0; start < bodies.length; start += 10) {
      let pending = bodies.slice(start, start + 10).map((body, i) => ({ Id: String(i), MessageBody: body }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        const out = await this.#opts.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: pending }));
        const failed = new Set((out.Failed ?? []).map((f) => f.Id));
        if (failed.size === 0) break;
        if (attempt >= this.#opts.maxAttempts) {
          throw new Error(
            `SQS rejected ${failed.size} message(s) to ${queue} after ${attempt} attempts: ${out.Failed?.[0]?.Message}`,
          );
        }
        this.#opts.log.warn({ queue, failed: failed.size, attempt }, 'SQS rejected batch entries; retrying');
        await backoff(attempt);
        pending = pending.filter((e) => failed.has(e.Id));
      }
    }
  }
}

/** Exponential backoff with full jitter: 0..min(10 s, 100 ms × 2^attempt). */
export function backoff(attempt: number, baseMs = 100, capMs = 10_000): Promise<void> {
  const ms = Math.random() * Math.min(capMs, baseMs * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
