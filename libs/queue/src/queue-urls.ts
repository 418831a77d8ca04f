import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Resolves a queue name to its URL (a value that already is a URL passes through). */
export async function resolveQueueUrl(sqs: SQSClient, nameOrUrl: string): Promise<string> {
  if (/^https?:\/\//.test(nameOrUrl)) return nameOrUrl;
  const out = await sqs.send(new GetQueueUrlCommand({ QueueName: nameOrUrl }));
  if (!out.QueueUrl) throw new Error(`queue ${nameOrUrl} has no URL`);
  return out.QueueUrl;
}

/** The dead-letter queue URL from a queue's RedrivePolicy, or undefined when it has none. */
export async function deadLetterQueueUrl(sqs: SQSClient, queueUrl: string): Promise<string | undefined> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }));
  const policy = out.Attributes?.RedrivePolicy;
  if (!policy) return undefined;
  const arn = (JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
  const name = arn?.split(':').pop();
  return name ? resolveQueueUrl(sqs, name) : undefined;
}

/** Readiness probe: the queue exists and answers. */
export async function pingQueue(sqs: SQSClient, queueUrl: string): Promise<void> {
  await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
}
