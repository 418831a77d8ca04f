import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { photosIngested, queueSpec, type MessageOf } from '@photospots/contracts';
import { createTestEnv, waitFor, type TestEnv } from '@photospots/test-harness';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createConsumer,
  on,
  MessagePublisher,
  InvalidMessageError,
  redriveDeadLetters,
  throwIfStopping,
  type HandlerContext,
  type RunningConsumer,
} from '../src/index.ts';

const log = pino({ level: 'silent' });
let env: TestEnv;
let running: RunningConsumer | undefined;

beforeAll(async () => {
  env = await createTestEnv();
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
});
afterAll(async () => {
  await env.close();
});

async function visibleCount(url: string): Promise<number> {
  const out = await env.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Receives (and deletes) what a queue holds, so later tests start from an empty queue. */
async function drain(url: string) {
  const out = await env.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      MessageAttributeNames: ['All'],
    }),
  );
  for (const m of out.Messages ?? [])
    await env.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
  return out.Messages ?? [];
}

function consumer(handle: (m: MessageOf<typeof photosIngested>) => Promise<void>, retryDelay?: () => number) {
  running = createConsumer({
    name: 'photos-ingested',
    sqs: env.sqs,
    queueUrl: env.queues.url.photosIngested,
    deadLetterUrl: env.queues.deadLetterUrl.photosIngested,
    handlers: [on(photosIngested, handle)],
    log,
    waitTimeSeconds: 1,
    visibilityTimeoutSeconds: 30,
    ...(retryDelay ? { retryDelay } : {}),
  });
  running.start();
  return running;
}

describe('publisher and consumer over SQS', () => {
  const publisher = () => new MessagePublisher({ sqs: env.sqs, queueUrls: env.queues.url, producer: 'test', log });

  it('delivers a validated message with its metadata to the handler', async () => {
    const seen: MessageOf<typeof photosIngested>[] = [];
    consumer(async (m) => {
      seen.push(m);
    });
    const id = await publisher().publish(
      photosIngested,
      { batchId: 'b1', source: 'lbsn', photoCount: 3, tiles: [5, 6] },
      { correlationId: 'corr-1' },
    );
    await waitFor(() => seen.length === 1, { message: 'delivery' });
    expect(seen[0]).toMatchObject({
      type: 'photos.ingested',
      schemaVersion: 2,
      payload: { batchId: 'b1', source: 'lbsn', photoCount: 3, tiles: [5, 6] },
      metadata: { messageId: id, correlationId: 'corr-1', producedBy: 'test' },
    });
  });

  it('refuses to publish a payload that breaks the contract', async () => {
    await expect(
      publisher().publish(photosIngested, { batchId: '', source: 'x', photoCount: 1, tiles: [] } as never),
    ).rejects.toBeInstanceOf(InvalidMessageError);
  });

  it('sends invalid messages straight to the dead-letter queue and keeps serving', async () => {
    const seen: string[] = [];
    consumer(async (m) => {
      seen.push(m.payload.batchId);
    });
    await env.sqs.send(new SendMessageCommand({ QueueUrl: env.queues.url.photosIngested, MessageBody: '{not json' }));
    await env.sqs.send(
      new SendMessageCommand({
        QueueUrl: env.queues.url.photosIngested,
        MessageBody: JSON.stringify({ type: 'photos.ingested', schemaVersion: 9 }),
      }),
    );
    await publisher().publish(photosIngested, { batchId: 'after-poison', source: 'lbsn', photoCount: 1, tiles: [1] });
    await waitFor(() => seen.includes('after-poison'), { message: 'valid message after poison' });
    const dead = await waitFor(
      async () => {
        const all = [
          ...(await drain(env.queues.deadLetterUrl.photosIngested!)),
          ...(await drain(env.queues.deadLetterUrl.photosIngested!)),
        ];
        return all.length >= 2 ? all : undefined;
      },
      { message: 'dead letters' },
    );
    expect(dead.map((m) => m.MessageAttributes?.errorCode?.StringValue).sort()).toEqual([
      'INVALID_JSON',
      'UNSUPPORTED_VERSION',
    ]);
    expect(await visibleCount(env.queues.url.photosIngested)).toBe(0);
  });

  it('retries a failing handler until the redrive policy dead-letters it after maxReceiveCount', async () => {
    let attempts = 0;
    consumer(
      async () => {
        attempts++;
        throw new Error('always fails');
      },
      () => 0,
    );
    await publisher().publish(photosIngested, { batchId: 'doomed', source: 'lbsn', photoCount: 1, tiles: [1] });
    const dead = await waitFor(
      async () => {
        const msgs = await drain(env.queues.deadLetterUrl.photosIngested!);
        return msgs.length > 0 ? msgs : undefined;
      },
      { timeoutMs: 30_000, message: 'redrive to the dead-letter queue' },
    );
    expect(JSON.parse(dead[0]!.Body!).payload.batchId).toBe('doomed');
    expect(attempts).toBe(queueSpec('photosIngested').maxReceiveCount);
    expect(await visibleCount(env.queues.url.photosIngested)).toBe(0);
  }, 40_000);
});

describe('stopping', () => {
  it('tells a running handler to stop and releases its message at once for another worker', async () => {
    let started = false;
    const c = createConsumer({
      name: 'photos-ingested',
      sqs: env.sqs,
      queueUrl: env.queues.url.photosIngested,
      deadLetterUrl: env.queues.deadLetterUrl.photosIngested,
      handlers: [
        on(photosIngested, async (_m: unknown, ctx: { signal: AbortSignal }) => {
          started = true;
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
          throwIfStopping(ctx.signal);
        }),
      ],
      log,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 300,
    });
    c.start();
    await new MessagePublisher({ sqs: env.sqs, queueUrls: env.queues.url, producer: 'test', log }).publish(
      photosIngested,
      {
        batchId: 'long',
        source: 'lbsn',
        photoCount: 1,
        tiles: [1],
      },
    );
    await waitFor(() => started, { message: 'the handler to start' });
    await c.stop();
    // Without the release it would stay hidden for the 300 s visibility timeout.
    const again = await waitFor(
      async () => {
        const msgs = await drain(env.queues.url.photosIngested);
        return msgs.length > 0 ? msgs : undefined;
      },
      { timeoutMs: 5_000, message: 'the released message' },
    );
    expect(JSON.parse(again[0]!.Body!).payload.batchId).toBe('long');
  });
});

describe('slow handlers and redrive', () => {
  it('extends visibility while a slow handler runs, so the message is not handled twice in parallel', async () => {
    let calls = 0;
    const c = createConsumer({
      name: 'photos-ingested',
      sqs: env.sqs,
      queueUrl: env.queues.url.photosIngested,
      deadLetterUrl: env.queues.deadLetterUrl.photosIngested,
      handlers: [
        on(photosIngested, async () => {
          calls++;
          await new Promise((r) => setTimeout(r, 7_000));
        }),
      ],
      log,
      waitTimeSeconds: 1,
      // Far shorter than the handler: only heartbeats keep the message hidden.
      visibilityTimeoutSeconds: 3,
    });
    running = c;
    c.start();
    await new MessagePublisher({ sqs: env.sqs, queueUrls: env.queues.url, producer: 'test', log }).publish(
      photosIngested,
      {
        batchId: 'slow',
        source: 'lbsn',
        photoCount: 1,
        tiles: [1],
      },
    );
    await waitFor(() => calls === 1, { message: 'the slow handler to start' });
    await waitFor(async () => (await visibleCount(env.queues.url.photosIngested)) === 0, {
      timeoutMs: 20_000,
      message: 'the message to be deleted',
    });
    expect(calls).toBe(1);
  }, 40_000);

  it('redrives dead letters after the fix, and they are handled', async () => {
    let fixed = false;
    const handled: string[] = [];
    consumer(
      async (m) => {
        if (!fixed) throw new Error('a bug');
        handled.push(m.payload.batchId);
      },
      () => 0,
    );
    await new MessagePublisher({ sqs: env.sqs, queueUrls: env.queues.url, producer: 'test', log }).publish(
      photosIngested,
      {
        batchId: 'needs-fix',
        source: 'lbsn',
        photoCount: 1,
        tiles: [1],
      },
    );
    await waitFor(async () => (await visibleCount(env.queues.deadLetterUrl.photosIngested!)) === 1, {
      timeoutMs: 30_000,
      message: 'the dead letter',
    });
    fixed = true;
    expect(
      await redriveDeadLetters(env.sqs, env.queues.deadLetterUrl.photosIngested!, env.queues.url.photosIngested),
    ).toBe(1);
    await waitFor(() => handled.includes('needs-fix'), { message: 'the redriven message to be handled' });
    expect(await visibleCount(env.queues.deadLetterUrl.photosIngested!)).toBe(0);
  }, 40_000);
});

describe('handlers stuck on a dependency', () => {
  const publish = (batchId: string) =>
    new MessagePublisher({ sqs: env.sqs, queueUrls: env.queues.url, producer: 'test', log }).publish(photosIngested, {
      batchId,
      source: 'lbsn',
      photoCount: 1,
      tiles: [1],
    });

  it('gives up a handler that shows no progress for the stall timeout: its message is retried, heartbeats stop, the consumer serves on', async () => {
    const calls: { batchId: string; receiveCount: number; aborted?: string }[] = [];
    running = createConsumer({
      name: 'photos-ingested',
      sqs: env.sqs,
      queueUrl: env.queues.url.photosIngested,
      deadLetterUrl: env.queues.deadLetterUrl.photosIngested,
      handlers: [
        on(photosIngested, async (m: MessageOf<typeof photosIngested>, ctx: HandlerContext) => {
          const call = { batchId: m.payload.batchId, receiveCount: ctx.receiveCount } as (typeof calls)[number];
          calls.push(call);
          ctx.signal.addEventListener('abort', () => (call.aborted = (ctx.signal.reason as { code?: string }).code), {
            once: true,
          });
          if (m.payload.batchId === 'stuck' && ctx.receiveCount === 1) {
            // Progress for a while, then a wait that never ends (a reply lost on a dead connection).
            for (let i = 0; i < 3; i++) {
              await new Promise((r) => setTimeout(r, 400));
              ctx.progress();
            }
            await new Promise(() => undefined);
          }
        }),
      ],
      log,
      waitTimeSeconds: 1,
      // Heartbeats every second would keep a stuck message hidden for good if they did not stop.
      visibilityTimeoutSeconds: 3,
      stallTimeoutMs: 1_000,
      retryDelay: () => 0,
    });
    running.start();
    await publish('stuck');
    await waitFor(() => calls.some((c) => c.batchId === 'stuck' && c.receiveCount === 2), {
      timeoutMs: 15_000,
      message: 'the stuck message to be retried',
    });
    const first = calls.find((c) => c.receiveCount === 1)!;
    expect(first.aborted).toBe('HANDLER_STALLED'); // told to give up, not left running unaware
    await publish('after');
    await waitFor(() => calls.some((c) => c.batchId === 'after'), { message: 'the next message' });
    await waitFor(async () => (await visibleCount(env.queues.url.photosIngested)) === 0, {
      message: 'both messages deleted',
    });
  }, 30_000);

  it('stops within its stop timeout with a handler that never settles, and releases that message at once', async () => {
    let started = false;
    const c = createConsumer({
      name: 'photos-ingested',
      sqs: env.sqs,
      queueUrl: env.queues.url.photosIngested,
      deadLetterUrl: env.queues.deadLetterUrl.photosIngested,
      handlers: [
        on(photosIngested, async () => {
          started = true;
          await new Promise(() => undefined); // deaf to the stop signal, and never settles
        }),
      ],
      log,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 300,
      stopTimeoutMs: 1_000,
    });
    c.start();
    await publish('deaf');
    await waitFor(() => started, { message: 'the handler to start' });
    const stopping = Date.now();
    await c.stop();
    expect(Date.now() - stopping).toBeLessThan(4_000);
    const again = await waitFor(
      async () => {
        const msgs = await drain(env.queues.url.photosIngested);
        return msgs.length > 0 ? msgs : undefined;
      },
      { timeoutMs: 3_000, message: 'the released message' },
    );
    expect(JSON.parse(again[0]!.Body!).payload.batchId).toBe('deaf');
  }, 20_000);
});
