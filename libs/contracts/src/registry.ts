import type { AnyContract, QueueKey } from './envelope.ts';
import {
  hotspotsChanged,
  hotspotsRescoreRequested,
  ingestRequested,
  photosIngested,
  photosIngestedV1,
  thumbnailsRequested,
} from './messages.ts';

/** Every contract, for consumers, docs and the infra drift tests. */
export const CONTRACTS: readonly AnyContract[] = [
  ingestRequested,
  photosIngested,
  photosIngestedV1,
  hotspotsChanged,
  hotspotsRescoreRequested,
  thumbnailsRequested,
];

/** Delivery settings per queue; Terraform and queues:setup create queues from these. */
export interface QueueSpec {
  key: QueueKey;
  /** Config variable holding the queue's name or URL. */
  envVar: string;
  defaultName: string;
  /** Seconds a received message stays invisible; longer than the slowest handler. */
  visibilityTimeoutSeconds: number;
  /** Receives before SQS moves a failing message to the dead-letter queue. */
  maxReceiveCount: number;
}

export const QUEUES: readonly QueueSpec[] = [
  // An import or harvest runs for minutes and resumes from its checkpoint: every fault it meets on the way (a
  // database failover, a task stopped, a lost delete) costs a receive, so it gets more than the quick handlers.
  {
    key: 'ingest',
    envVar: 'QUEUE_INGEST',
    defaultName: 'photospots-ingest-requests',
    visibilityTimeoutSeconds: 900,
    maxReceiveCount: 10,
  },
  {
    key: 'photosIngested',
    envVar: 'QUEUE_PHOTOS_INGESTED',
    defaultName: 'photospots-photos-ingested',
    visibilityTimeoutSeconds: 300,
    maxReceiveCount: 5,
  },
  {
    key: 'hotspotsChanged',
    envVar: 'QUEUE_HOTSPOTS_CHANGED',
    defaultName: 'photospots-hotspots-changed',
    visibilityTimeoutSeconds: 120,
    maxReceiveCount: 5,
  },
  {
    key: 'thumbnails',
    envVar: 'QUEUE_THUMBNAILS',
    defaultName: 'photospots-thumbnails',
    visibilityTimeoutSeconds: 120,
    maxReceiveCount: 5,
  },
];

/** Suffix of each queue's dead-letter queue name. */
export const DLQ_SUFFIX = '-dlq';

export function contractsForQueue(key: QueueKey): AnyContract[] {
  return CONTRACTS.filter((c) => c.queue === key);
}

export function queueSpec(key: QueueKey): QueueSpec {
  const spec = QUEUES.find((q) => q.key === key);
  if (!spec) throw new Error(`unknown queue ${key}`);
  return spec;
}
