import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { photosIngested, type MessageOf } from '@photospots/contracts';
import { createTestEnv, lambdaContext, receiveSqsEvent, type TestEnv } from '@photospots/test-harness';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsBatchHandler, MessagePublisher, on, ShutdownError, type HandlerContext } from '../src/index.ts';

const log = pino({ level: 'silent' });
let env: TestEnv;
let publisher: MessagePublisher;

beforeAll(async () => {
  env = await createTestEnv();
  publisher = new MessagePublisher({ sqs: env.sqs, queueUrls: env.queues.url, producer: 'test', log });
});
afterAll(() => env.close());

const queueName = () => env.queues.url.photosIngested!.split('/').at(-1)!;

const receiveEvent = (expected: number) => receiveSqsEvent(env.sqs, env.queues.url.photosIngested!, expected);

const publish = (batchId: string) =>
  publisher.publish(photosIngested, { batchId, source: 'lbsn', photoCount: 1, tiles: [1] });

function handlerOf(
  handle: (m: MessageOf<typeof photosIngested>, ctx: HandlerContext) => Promise<void>,
  safetyMarginMs = 200,
) {
  const flushed: string[] = [];
  const handler = createSqsBatchHandler({
    sqs: env.sqs,
    queues: [
      {
        url: env.queues.url.photosIngested!,
        deadLetterUrl: env.queues.deadLetterUrl.photosIngested,
        handlers: [on(photosIngested, handle)],
      },
    ],
    log,
    safetyMarginMs,
    afterBatch: async () => {
      flushed.push('flushed');
    },
  });
  return { handler, flushed };
}

describe('SQS batches under Lambda', () => {
  it('answers with exactly the failed message, having handled the others and flushed after them', async () => {
    for (const id of ['a', 'b', 'c']) await publish(id);
    const event = await receiveEvent(3);
    const handled: string[] = [];
    const { handler, flushed } = handlerOf(async (m, ctx) => {
      expect(ctx.correlationId).toBe(m.metadata.correlationId);
      if (m.payload.batchId === 'b') throw new Error('boom');
      handled.push(m.payload.batchId);
    });
    const response = await handler(event, lambdaContext(10_000));
    const failed = event.Records.find((r) => JSON.parse(r.body).payload.batchId === 'b')!;
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failed.messageId }]);
    expect(handled.sort()).toEqual(['a', 'c']);
    expect(flushed).toEqual(['flushed']);
  });

  it('sends an invalid message straight to the dead-letter queue, and the batch succeeds', async () => {
    await env.sqs.send(
      new SendMessageCommand({ QueueUrl: env.queues.url.photosIngested, MessageBody: '{"type":"nonsense"}' }),
    );
    await publish('fine');
    const event = await receiveEvent(2);
    const handled: string[] = [];
    const { handler } = handlerOf(async (m) => {
      handled.push(m.payload.batchId);
    });
    expect((await handler(event, lambdaContext(10_000))).batchItemFailures).toEqual([]);
    expect(handled).toEqual(['fine']);
    const dead = await env.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: env.queues.deadLetterUrl.photosIngested,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    expect(dead.Messages?.map((m) => m.Body)).toEqual(['{"type":"nonsense"}']);
    expect(dead.Messages?.[0]?.MessageAttributes?.sourceQueue?.StringValue).toBe(queueName());
  });

  it('asks a slow handler to stop before the deadline, and returns in time with its message left for a retry', async () => {
    await publish('slow');
    const event = await receiveEvent(1);
    let reason: unknown;
    const { handler } = handlerOf(
      (_m, ctx) =>
        new Promise<void>((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject((reason = ctx.signal.reason))),
        ),
      1_500,
    );
    // 3 s left, stopped 1.5 s before the end: the answer comes well inside the deadline.
    const context = lambdaContext(3_000);
    const response = await handler(event, context);
    expect(reason).toBeInstanceOf(ShutdownError);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]!.messageId }]);
  });
});
