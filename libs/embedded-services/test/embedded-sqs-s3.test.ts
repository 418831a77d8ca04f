import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '@photospots/queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { restoreQueuedMessages, startEmbeddedSqsS3, type EmbeddedSqsS3 } from '../src/index.ts';

let dir: string;
const started: { fauxqs: EmbeddedSqsS3; sqs: SQSClient }[] = [];

async function start(): Promise<{ fauxqs: EmbeddedSqsS3; sqs: SQSClient }> {
  const fauxqs = await startEmbeddedSqsS3();
  const sqs = createSqsClient({ region: 'us-east-1', endpoint: fauxqs.endpoint });
  started.push({ fauxqs, sqs });
  return { fauxqs, sqs };
}

async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!Messages?.length) return bodies.sort();
    bodies.push(...Messages.map((m) => m.Body!));
  }
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'photospots-fauxqs-'));
});

afterEach(async () => {
  for (const { fauxqs, sqs } of started.splice(0)) {
    sqs.destroy();
    await fauxqs.stop();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the embedded SQS/S3', () => {
  it('listens on the loopback interface only', async () => {
    const { fauxqs } = await start();
    expect(fauxqs.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('saves what is still queued (ready and in flight) and a later start sends it again', async () => {
    const file = path.join(dir, 'queued-messages.json');
    const first = await start();
    const { QueueUrl: url } = await first.sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
    await first.sqs.send(new CreateQueueCommand({ QueueName: 'empty' }));
    for (const body of ['a', 'b', 'c'])
      await first.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    // One message taken by a consumer that never deletes it: still the queue's.
    await first.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }));

    expect(await first.fauxqs.saveQueuedMessages(['jobs', 'empty', 'missing'], file)).toBe(3);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ jobs: expect.arrayContaining(['a', 'b', 'c']) });

    const second = await start();
    const { QueueUrl: again } = await second.sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
    expect(await restoreQueuedMessages(second.sqs, file)).toBe(3);
    expect(existsSync(file)).toBe(false);
    expect(await receiveAll(second.sqs, again!)).toEqual(['a', 'b', 'c']);
  });

  it('leaves no file when nothing is queued, and restores nothing without one', async () => {
    const file = path.join(dir, 'queued-messages.json');
    const { fauxqs, sqs } = await start();
    await sqs.send(new CreateQueueCommand({ QueueName: 'jobs' }));
    expect(await fauxqs.saveQueuedMessages(['jobs'], file)).toBe(0);
    expect(existsSync(file)).toBe(false);
    expect(await restoreQueuedMessages(sqs, file)).toBe(0);
  });
});
