import type { SQSClient } from '@aws-sdk/client-sqs';
import { DLQ_SUFFIX, QUEUES, type QueueKey } from '@photospots/contracts';
import { deadLetterQueueUrl, resolveQueueUrl } from './queue-urls.ts';
import type { QueueDefinition } from './setup-queues.ts';

/** Queue names per key, as read from config (QUEUE_* variables). */
export type QueueNames = Record<QueueKey, string>;

export interface QueueUrls {
  url: Record<QueueKey, string>;
  deadLetterUrl: Record<QueueKey, string | undefined>;
}

/** Every queue of the registry under its default name with a prefix (scratch stacks, tests, benchmarks). */
export function prefixedQueueNames(prefix: string): QueueNames {
  return Object.fromEntries(QUEUES.map((q) => [q.key, `${prefix}${q.defaultName}`])) as QueueNames;
}

/** The QUEUE_* variables that point every service at the given queues. */
export function queueEnvVars(names: QueueNames): Record<string, string> {
  return Object.fromEntries(QUEUES.map((q) => [q.envVar, names[q.key]]));
}

/** Definitions of every queue and its DLQ for setupQueues, from the contract registry. */
export function queueDefinitions(names: QueueNames): QueueDefinition[] {
  return QUEUES.map((q) => ({
    name: names[q.key],
    deadLetterName: `${names[q.key]}${DLQ_SUFFIX}`,
    visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
    maxReceiveCount: q.maxReceiveCount,
  }));
}

/** Resolves the URLs (and dead-letter URLs) of the given queues. */
export async function resolveQueues(sqs: SQSClient, names: Partial<QueueNames>): Promise<QueueUrls> {
  const url = {} as Record<QueueKey, string>;
  const deadLetterUrl = {} as Record<QueueKey, string | undefined>;
  for (const [key, name] of Object.entries(names) as [QueueKey, string][]) {
    url[key] = await resolveQueueUrl(sqs, name);
    deadLetterUrl[key] = await deadLetterQueueUrl(sqs, url[key]);
  }
  return { url, deadLetterUrl };
}
