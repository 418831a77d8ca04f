export {
  defineContract,
  metadataSchema,
  PRODUCERS,
  QUEUE_KEYS,
  type AnyContract,
  type Contract,
  type MessageMetadata,
  type MessageOf,
  type PayloadOf,
  type Producer,
  type QueueKey,
} from './envelope.ts';
export {
  ingestRequested,
  photosIngested,
  photosIngestedV1,
  hotspotsChanged,
  hotspotsRescoreRequested,
  thumbnailsRequested,
  bboxSchema,
} from './messages.ts';
export { CONTRACTS, QUEUES, DLQ_SUFFIX, contractsForQueue, queueSpec, type QueueSpec } from './registry.ts';
export { parseMessage, type ParseResult } from './parse-message.ts';
export {
  SCHEDULED_MESSAGES,
  flickrIncrementalSchedule,
  rescoreAllSchedule,
  type ScheduledMessage,
} from './schedules.ts';
export {
  LAMBDA_FUNCTIONS,
  LAMBDA_RUNTIME,
  LAMBDA_WORKERS,
  type LambdaFunctionSpec,
  type LambdaWorker,
} from './lambda-functions.ts';
