export {
  awsConnectionOf,
  thumbnailConnectionOf,
  createSqsClient,
  createS3Client,
  awsCredentials,
  AWS_HTTP_TIMEOUTS,
  type AwsConnection,
} from './aws-clients.ts';
export { resolveQueueUrl, deadLetterQueueUrl, pingQueue } from './queue-urls.ts';
export { setupQueues, type QueueDefinition, type CreatedQueue } from './setup-queues.ts';
export {
  MessagePublisher,
  InvalidMessageError,
  backoff,
  MAX_MESSAGE_BYTES,
  type PublishOptions,
  type PublisherOptions,
} from './publisher.ts';
export {
  createConsumer,
  retryDelaySeconds,
  ShutdownError,
  HandlerStalledError,
  throwIfStopping,
  type ConsumerOptions,
  type HandlerContext,
  type RunningConsumer,
} from './consumer.ts';
export { startOutboxRelay, type OutboxDrain, type OutboxRelay } from './outbox-relay.ts';
export {
  queueDefinitions,
  resolveQueues,
  prefixedQueueNames,
  queueEnvVars,
  type QueueNames,
  type QueueUrls,
} from './topology.ts';
export { redriveDeadLetters } from './redrive.ts';
export { on, type BoundHandler, type MessageHandler } from './bound-handler.ts';
export { createSqsBatchHandler, type BatchQueue, type SqsBatchHandlerOptions } from './sqs-batch.ts';
export { sendToDeadLetter, type DeadLetterReason } from './dead-letter.ts';
export { sqsEventRecord, invocationContext } from './lambda-events.ts';
