import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface QueueDefinition {
  name: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  /** Name of the dead-letter queue created beside it. */
  deadLetterName: string;
}

export interface CreatedQueue {
  name: string;
  url: string;
  deadLetterUrl: string;
}

/** Days a dead letter is kept: long enough to notice, fix and redrive. */
const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * Creates (or updates) each queue and its dead-letter queue with a redrive
 * policy. Idempotent, for local stacks and tests; production queues come from
 * Terraform with the same settings.
 */
export async function setupQueues(sqs: SQSClient, defs: readonly QueueDefinition[]): Promise<CreatedQueue[]> {
  const created: CreatedQueue[] = [];
  for (const def of defs) {
    const dlq = await sqs.send(
      new CreateQueueCommand({
        QueueName: def.deadLetterName,
        Attributes: { MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS) },
      }),
    );
    const dlqArn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    if (!dlq.QueueUrl || !dlqArn) throw new Error(`could not create ${def.deadLetterName}`);
    const attributes = {
      VisibilityTimeout: String(def.visibilityTimeoutSeconds),
      ReceiveMessageWaitTimeSeconds: '20',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: String(def.maxReceiveCount) }),
    };
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: def.name }));
    if (!queue.QueueUrl) throw new Error(`could not create ${def.name}`);
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, Attributes: attributes }));
    created.push({ name: def.name, url: queue.QueueUrl, deadLetterUrl: dlq.QueueUrl });
  }
  return created;
}
