import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Why a message went to the dead-letter queue: the validation's stable code and reason, and where it came from. */
export interface DeadLetterReason {
  code: string;
  reason: string;
  sourceQueue: string;
}

/**
 * Sends a message that failed validation straight to the dead-letter queue (no retry can fix it), with the
 * reason as message attributes, as `npm run queues:redrive` and an operator read them.
 */
export async function sendToDeadLetter(
  sqs: SQSClient,
  deadLetterUrl: string,
  body: string,
  why: DeadLetterReason,
): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: deadLetterUrl,
      MessageBody: body,
      MessageAttributes: {
        errorCode: { DataType: 'String', StringValue: why.code },
        errorReason: { DataType: 'String', StringValue: why.reason.slice(0, 1000) || '-' },
        sourceQueue: { DataType: 'String', StringValue: why.sourceQueue },
      },
    }),
  );
}
