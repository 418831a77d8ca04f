import { consumerEnv, healthPortEnv, loadConfig, queueEnv, sharedEnv, z } from '@photospots/config';

export const processingEnv = {
  ...sharedEnv,
  ...consumerEnv,
  QUEUE_PHOTOS_INGESTED: queueEnv.QUEUE_PHOTOS_INGESTED,
  QUEUE_HOTSPOTS_CHANGED: queueEnv.QUEUE_HOTSPOTS_CHANGED,
  ...healthPortEnv(3002),
  PROCESSING_MAX_TILES_PER_RUN: z.coerce.number().int().min(1).max(10_000).default(400).describe('Dirty work tiles claimed per rebuild transaction.'),
  PROCESSING_CONSUMER_BATCH: z.coerce.number().int().min(1).max(10).default(10).describe('photos.ingested messages received at once (they coalesce into one rebuild).'),
  CLUSTER_MIN_USERS: z.coerce.number().int().min(1).max(1000).default(3).describe('Distinct photographers a hotspot needs.'),
  CLUSTER_BANDWIDTH_M: z.coerce.number().min(5).max(500).default(50).describe('Kernel radius of one photographer\'s presence, in metres.'),
  CLUSTER_PEAK_SEPARATION_M: z.coerce.number().min(5).max(1000).default(60).describe('Minimum distance between two hotspot peaks, in metres.'),
  CLUSTER_MAX_RADIUS_M: z.coerce.number().min(20).max(1000).default(200).describe('No photo farther than this from its hotspot\'s peak is a member, in metres.'),
} as const;

export type ProcessingConfig = ReturnType<typeof loadProcessingConfig>;

export function loadProcessingConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(processingEnv, env);
}
