import { consumerEnv, healthPortEnv, loadConfig, queueEnv, sharedEnv, storageEnv, z } from '@photospots/config';

/** Flickr licence ids of the Creative Commons licences and tools (2.0 and 4.0 families, CC0). */
const CREATIVE_COMMONS_LICENCES = '1,2,3,4,5,6,9,11,12,13,14,15,16';

/** Extras the harvester needs: location, upload date (the time axis of the query plan) and licence. */
const REQUIRED_EXTRAS = ['geo', 'date_upload', 'license'];

export const ingestEnv = {
  ...sharedEnv,
  ...consumerEnv,
  QUEUE_INGEST: queueEnv.QUEUE_INGEST,
  QUEUE_PHOTOS_INGESTED: queueEnv.QUEUE_PHOTOS_INGESTED,
  QUEUE_THUMBNAILS: queueEnv.QUEUE_THUMBNAILS,
  ...storageEnv,
  ...healthPortEnv(3001),
  INGEST_BATCH_SIZE: z.coerce
    .number()
    .int()
    .min(100)
    .max(50_000)
    .default(20_000)
    .describe(
      "Photos written (and announced) per transaction: larger batches spread each commit's fixed cost (marking tiles dirty, the announcement, the checkpoint) over more photos; an interrupted import re-reads at most one batch.",
    ),
  INGEST_BATCH_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3_600)
    .default(120)
    .describe(
      'A batch (one transaction: its COPY, the tiles it dirties, its checkpoint) that has not committed after this long is given up and the import fails, to resume from its checkpoint: a reply lost on a dead connection costs a retry, not a hang.',
    ),
  INGEST_CONSUMER_BATCH: z.coerce
    .number()
    .int()
    .min(1)
    .max(10)
    .default(1)
    .describe('Ingest requests handled at once by one task.'),
  FLICKR_API_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,128}$/, 'must be a Flickr API key (letters and digits)')
    .optional()
    .describe('Flickr API key for harvests (a secret: never logged). Unset: Flickr harvests are refused.'),
  FLICKR_API_URL: z
    .url({ protocol: /^https?$/ })
    .default('https://api.flickr.com/services/rest')
    .describe('Flickr REST endpoint; point it at any Flickr-compatible server.'),
  FLICKR_RATE_PER_HOUR: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(3600)
    .describe(
      'API calls per hour allowed to this process (token bucket shared by all harvests); 0 disables the limit.',
    ),
  FLICKR_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(16)
    .default(2)
    .describe('Flickr queries a harvest runs at once (the rate limit still applies to all of them).'),
  FLICKR_LICENSES: z
    .string()
    .regex(/^\d{1,3}(,\d{1,3})*$/, 'must be comma-separated Flickr licence ids')
    .default(CREATIVE_COMMONS_LICENCES)
    .describe('Flickr licence ids harvested (default: the Creative Commons licences and CC0).'),
  FLICKR_EXTRAS: z
    .string()
    .regex(/^[a-z_]+(,[a-z_]+)*$/, 'must be comma-separated Flickr extras')
    .refine((s) => REQUIRED_EXTRAS.every((e) => s.split(',').includes(e)), `must include ${REQUIRED_EXTRAS.join(', ')}`)
    .default('geo,tags,views,date_taken,date_upload,owner_name,license,url_q,url_m')
    .describe(
      'Extras requested from flickr.photos.search; must include geo, date_upload and license (url_q feeds the thumbnails).',
    ),
  FLICKR_INCREMENTAL_INTERVAL_MINUTES: z.coerce
    .number()
    .int()
    .min(0)
    .max(10_080)
    .default(60)
    .describe(
      'Minutes between incremental harvests of every bbox harvested before, requested by this service; 0 when a platform scheduler (EventBridge) sends them.',
    ),
  THUMBNAIL_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(8)
    .describe('Thumbnail images fetched and stored at once by one task.'),
  THUMBNAIL_RETRY_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(900)
    .default(30)
    .describe('Seconds before a failed thumbnails message is retried, doubling per receive (at most 15 minutes).'),
} as const;

export type IngestConfig = ReturnType<typeof loadIngestConfig>;

export function loadIngestConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(ingestEnv, env);
}
