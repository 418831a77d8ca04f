import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * Moves every message from a dead-letter queue back to its source queue (after
 * the bug that sent them there is fixed). Each batch is sent before it is
 * deleted, so a crash in between duplicates rather than loses a message — and
 * every handler is idempotent. Returns how many were moved.
 */
export async function redriveDeadLetters(
  sqs: SQSClient,
  deadLetterUrl: string,
  sourceUrl: string,
  limit = Number.POSITIVE_INFINITY,
): Promise<number> {
  let moved = 0;
  while (moved < limit) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: sourceUrl,
        Entries: messages.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '' })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
    const done = messages.filter((_, i) => ok.has(String(i)));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: deadLetterUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    moved += done.length;
    if (done.length < messages.length)
      throw new Error(
        `${messages.length - done.length} message(s) could not be sent back; they stay in the dead-letter queue`,
      );
  }
  return moved;
}
