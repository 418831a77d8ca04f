import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { invocationContext, sqsEventRecord } from '@photospots/queue';
import type { Context, SQSEvent } from 'aws-lambda';

/**
 * Receives `expected` messages from a queue and hands them over as an SQS event source mapping does: an
 * event of the received records, each with its body, receive count and the queue's ARN (the region and
 * account are the local endpoint's). The messages stay in flight, as under a mapping, until deleted.
 */
export async function receiveSqsEvent(sqs: SQSClient, queueUrl: string, expected: number): Promise<SQSEvent> {
  const name = queueUrl.split('/').at(-1)!;
  const records: SQSEvent['Records'] = [];
  for (let attempt = 0; records.length < expected; attempt++) {
    if (attempt === 20) throw new Error(`${name}: ${records.length} of ${expected} messages received`);
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, expected - records.length),
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    for (const m of out.Messages ?? []) records.push(sqsEventRecord(m, `arn:aws:sqs:us-east-1:000000000000:${name}`));
  }
  return { Records: records };
}

/** A Lambda context whose invocation has `remainingMs` left from now. */
export function lambdaContext(remainingMs: number, functionName = 'photospots-test'): Context {
  return invocationContext({
    functionName,
    memoryMb: 1024,
    timeoutMs: remainingMs,
    awsRequestId: `request-${Math.random().toString(36).slice(2, 10)}`,
  });
}
