import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { parseMessage } from '@photospots/contracts';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from 'pino';
import type { BoundHandler } from './bound-handler.ts';
import { ShutdownError, type HandlerContext } from './consumer.ts';
import { sendToDeadLetter } from './dead-letter.ts';

/** A queue a function consumes through an event source mapping, with its contracts bound to their handlers. */
export interface BatchQueue {
  url: string;
  deadLetterUrl: string | undefined;
  handlers: readonly BoundHandler[];
}

export interface SqsBatchHandlerOptions {
  sqs: SQSClient;
  queues: readonly BatchQueue[];
  log: Logger;
  /**
   * Handlers are asked to stop (their signal aborts, as when an ECS task stops) this long before the
   * invocation's deadline, so the function returns its partial response in time.
   */
  safetyMarginMs: number;
  /**
   * Runs after each batch, before the function returns (the outbox flush, a worker's own work): what the
   * handlers committed goes out. A failure is logged; the batch's answer stands.
   */
  afterBatch?: (context: Context) => Promise<unknown>;
}

/** A queue's name: the last part of its URL, as of its ARN. */
const nameOf = (urlOrArn: string) => urlOrArn.slice(Math.max(urlOrArn.lastIndexOf('/'), urlOrArn.lastIndexOf(':')) + 1);

/**
 * An SQS event handler for AWS Lambda that handles each record as the ECS consumer handles a message
 * (`createConsumer`): validated against the queue's contracts, an invalid one sent straight to the dead-letter
 * queue (and so done: it is not retried until maxReceiveCount), a valid one given to its bound handler. Records
 * are handled side by side with Powertools' BatchProcessor, and the function answers with a partial batch
 * response (`batchItemFailures`, for a mapping with `ReportBatchItemFailures`): one failing message is retried
 * alone, the others are deleted. Logs carry the Lambda request id and each message's correlation id.
 */
export function createSqsBatchHandler(
  options: SqsBatchHandlerOptions,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const { sqs, log } = options;
  const queues = new Map(options.queues.map((q) => [nameOf(q.url), q]));

  return async (event, context) => {
    const invocation = log.child({ awsRequestId: context.awsRequestId });
    const stopping = new AbortController();
    const timer = setTimeout(
      () => stopping.abort(new ShutdownError()),
      Math.max(0, context.getRemainingTimeInMillis() - options.safetyMarginMs),
    );
    const handleRecord = async (record: SQSRecord) => {
      const queueName = nameOf(record.eventSourceARN);
      const queue = queues.get(queueName);
      if (!queue) throw new Error(`no handlers for the queue ${queueName} (${record.eventSourceARN})`);
      const parsed = parseMessage(
        record.body,
        queue.handlers.map((h) => h.contract),
      );
      if (!parsed.ok) {
        invocation.warn(
          { queue: queueName, sqsMessageId: record.messageId, code: parsed.code, reason: parsed.reason },
          'invalid message sent to the dead-letter queue',
        );
        if (queue.deadLetterUrl)
          await sendToDeadLetter(sqs, queue.deadLetterUrl, record.body, {
            code: parsed.code,
            reason: parsed.reason,
            sourceQueue: queueName,
          });
        return;
      }
      const { metadata } = parsed.message;
      const ctx: HandlerContext = {
        log: invocation.child({
          correlationId: metadata.correlationId,
          messageType: parsed.message.type,
          messageId: metadata.messageId,
        }),
        correlationId: metadata.correlationId,
        messageId: metadata.messageId,
        receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
        signal: stopping.signal,
        // The invocation's timeout bounds a handler here; the function's deadline stands in for the watchdog.
        progress: () => undefined,
      };
      try {
        await queue.handlers.find((h) => h.contract === parsed.contract)!.run(parsed.message, ctx);
      } catch (err) {
        ctx.log.error(
          { err, queue: queueName, sqsMessageId: record.messageId, receiveCount: ctx.receiveCount },
          err instanceof ShutdownError
            ? 'message released: the invocation is about to time out'
            : 'message handler failed; it will be retried',
        );
        throw err;
      }
    };
    try {
      const response = await processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
        context,
        // Every record failing is a partial response naming them all, so the work after the batch still runs.
        throwOnFullBatchFailure: false,
      });
      // What failed here is still there: committed outbox rows and dirty tiles, for the next invocation.
      await options
        .afterBatch?.(context)
        .catch((err: unknown) =>
          invocation.warn({ err }, 'work after the batch failed; the next invocation picks it up'),
        );
      return response;
    } finally {
      clearTimeout(timer);
    }
  };
}
