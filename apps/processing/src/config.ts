import { consumerEnv, healthPortEnv, loadConfig, queueEnv, sharedEnv, z } from '@photospots/config';

export const processingEnv = {
  ...sharedEnv,
  ...consumerEnv,
  QUEUE_PHOTOS_INGESTED: queueEnv.QUEUE_PHOTOS_INGESTED,
  QUEUE_HOTSPOTS_CHANGED: queueEnv.QUEUE_HOTSPOTS_CHANGED,
  ...healthPortEnv(3002),
  PROCESSING_MAX_TILES_PER_RUN: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(96)
    .describe(
      'Dirty work tiles claimed per rebuild transaction; bounds the photos one pass holds in memory, its margins included (docs/benchmarks.md, B1, gives the memory of a claim); larger claims read fewer photos twice.',
    ),
  PROCESSING_CLAIM_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(300)
    .describe(
      'A claim (one transaction re-clustering an area) that has not committed after this long is given up, as when a reply is lost on a dead connection: its tiles stay dirty and are claimed again.',
    ),
  PROCESSING_SETTLE_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(600_000)
    .default(1_000)
    .describe(
      'The service re-clusters a dirty tile once no import batch has touched it, nor a dirty tile within its clustering reach, for this long (a bulk import re-dirties its tiles with every batch), in milliseconds; while a file import runs, once it has ended (docs/clustering.md).',
    ),
  PROCESSING_MAX_DELAY_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3_600_000)
    .default(120_000)
    .describe(
      '…but never waits longer than this after the tile first became dirty, however busy the import, in milliseconds.',
    ),
  PROCESSING_BACKLOG_METRIC_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(60)
    .describe(
      'How often each task writes the dirty-tile count to stdout as a CloudWatch embedded-metric record (Photospots/DirtyTiles), which autoscaling tracks per task; 0 writes none.',
    ),
  PROCESSING_CONSUMER_BATCH: z.coerce
    .number()
    .int()
    .min(1)
    .max(10)
    .default(10)
    .describe('photos.ingested messages received at once (they coalesce into one rebuild).'),
  CLUSTER_CELL_SIZE_MERC_M: z.coerce
    .number()
    .min(2)
    .max(100)
    .default(12)
    .describe(
      'Side of a density-grid cell in Web Mercator metres (true size shrinks with latitude: 12 → 7.5 m at 51°N).',
    ),
  CLUSTER_MIN_USERS: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(3)
    .describe('Distinct photographers a hotspot needs.'),
  CLUSTER_BANDWIDTH_M: z.coerce
    .number()
    .min(5)
    .max(500)
    .default(50)
    .describe("Kernel radius of one photographer's presence, in metres."),
  CLUSTER_PEAK_SEPARATION_M: z.coerce
    .number()
    .min(5)
    .max(1000)
    .default(60)
    .describe('Minimum distance between two hotspot peaks, in metres.'),
  CLUSTER_MAX_RADIUS_M: z.coerce
    .number()
    .min(20)
    .max(1000)
    .default(150)
    .describe("No photo farther than this from its hotspot's peak is a member, in metres."),
  NAMING_BACKGROUND_RADIUS_M: z.coerce
    .number()
    .min(100)
    .max(5000)
    .default(1500)
    .describe("A hotspot's tags are compared with tags used within this radius to name it, in metres."),
  NAMING_LOCAL_RADIUS_M: z.coerce
    .number()
    .min(50)
    .max(5000)
    .default(400)
    .describe(
      'A name also used all around within this radius gets a qualifier ("Blaues Wunder · Blasewitz"), in metres.',
    ),
  NAMING_BROAD_EXTENT: z.coerce
    .number()
    .min(1)
    .max(100)
    .default(2)
    .describe(
      'A tag used this many times more within the background radius than within the local radius names something broad (a river, a district) and gets a qualifier.',
    ),
  NAMING_QUALIFIER_SHARE: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe("A second name joins a label when its distinctiveness is at least this share of the first's."),
} as const;

export type ProcessingConfig = ReturnType<typeof loadProcessingConfig>;

export function loadProcessingConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(processingEnv, env);
}
