import { consumerEnv, healthPortEnv, loadConfig, queueEnv, sharedEnv, z } from '@photospots/config';

export const ingestEnv = {
  ...sharedEnv,
  ...consumerEnv,
  QUEUE_INGEST: queueEnv.QUEUE_INGEST,
  QUEUE_PHOTOS_INGESTED: queueEnv.QUEUE_PHOTOS_INGESTED,
  ...healthPortEnv(3001),
  INGEST_BATCH_SIZE: z.coerce.number().int().min(100).max(50_000).default(5_000).describe('Photos written (and announced) per transaction.'),
  INGEST_CONSUMER_BATCH: z.coerce.number().int().min(1).max(10).default(1).describe('Ingest requests handled at once by one task.'),
} as const;

export type IngestConfig = ReturnType<typeof loadIngestConfig>;

export function loadIngestConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(ingestEnv, env);
}
