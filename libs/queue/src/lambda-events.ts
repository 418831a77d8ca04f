import type { Message } from '@aws-sdk/client-sqs';
import type { Context, SQSRecord } from 'aws-lambda';

/**
 * A received message as an SQS event source mapping hands it to a function: body, receipt handle, receive
 * count and the queue's ARN (`arn:aws:sqs:<region>:<account>:<name>`). For what stands in for Lambda here:
 * the local runner and the tests.
 */
export function sqsEventRecord(m: Message, queueArn: string): SQSRecord {
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: {
      ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: m.Attributes?.SentTimestamp ?? '0',
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: m.Attributes?.SentTimestamp ?? '0',
    },
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? '',
  };
}

/** The context Lambda gives an invocation, its deadline `timeoutMs` from now. */
export function invocationContext(options: {
  functionName: string;
  memoryMb: number;
  timeoutMs: number;
  awsRequestId: string;
}): Context {
  const { functionName } = options;
  const deadline = Date.now() + options.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(options.memoryMb),
    awsRequestId: options.awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
