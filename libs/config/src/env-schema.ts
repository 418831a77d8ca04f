import { z } from 'zod';

/**
 * Variables every service reads, with the same names everywhere (compose,
 * Terraform task definitions, tests). Each has a description; the table in
 * docs/configuration.md is generated from these schemas.
 */
export const sharedEnv = {
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/photospots')
    .describe('Postgres + PostGIS connection string.'),
  DATABASE_POOL_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(10)
    .describe("Maximum connections in this process's pool."),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400_000)
    .default(60_000)
    .describe(
      'Longest a statement of this service may run or wait for a lock before Postgres cancels it (statement_timeout); 0 = no limit.',
    ),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(86_400_000)
    .default(60_000)
    .describe(
      'Longest a transaction of this service may sit idle before Postgres ends its session and releases its locks (idle_in_transaction_session_timeout); 0 = no limit.',
    ),
  DATABASE_POOL_MODE: z
    .enum(['session', 'transaction'])
    .default('session')
    .describe(
      "What DATABASE_URL connects through: `session` (Postgres itself, RDS, a session pooler) or `transaction` (a transaction pooler: Supabase's on port 6543, PgBouncer with pool_mode = transaction). In transaction mode nothing relies on a connection outliving a transaction: no prepared statements, no LISTEN (the query API polls the hotspots version), the timeouts set per transaction (SET LOCAL); single statements outside a transaction get the role's defaults.",
    ),
  AWS_ENDPOINT_URL: z.url().optional().describe('SQS/S3 endpoint (fauxqs, LocalStack). Unset means real AWS.'),
  AWS_REGION: z.string().min(1).default('us-east-1').describe('AWS region of the queues and bucket.'),
  AWS_ACCESS_KEY_ID: z
    .string()
    .optional()
    .describe(
      'AWS credentials; with AWS_ENDPOINT_URL set and this unset, local dummy credentials are used. In AWS, the task role is used.',
    ),
  AWS_SECRET_ACCESS_KEY: z.string().optional().describe('Secret for AWS_ACCESS_KEY_ID.'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level.'),
} as const;

/** Queue variables: each takes a queue name (resolved with GetQueueUrl) or a full queue URL. */
/** Settings of services that consume a queue. */
export const consumerEnv = {
  SQS_VISIBILITY_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(43_200)
    .optional()
    .describe(
      "Overrides how long a received message stays hidden (heartbeats extend it while the handler runs); default: the queue's setting in libs/contracts.",
    ),
  SQS_WAIT_TIME_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(20)
    .default(10)
    .describe('Long-poll wait of each receive; also bounds how long a stopping consumer waits for its last poll.'),
  SQS_HANDLER_STALL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(43_200)
    .default(120)
    .describe(
      'A message handler that makes no progress (a committed batch, a stored page) for this long is given up and its message retried: a reply lost on a dead connection costs a retry, not a hang.',
    ),
} as const;

/** Queue variables; each service spreads in the ones it uses. */
export const queueEnv = {
  QUEUE_INGEST: z
    .string()
    .min(1)
    .default('photospots-ingest-requests')
    .describe('Queue of ingest requests (file imports, Flickr harvests).'),
  QUEUE_PHOTOS_INGESTED: z
    .string()
    .min(1)
    .default('photospots-photos-ingested')
    .describe('Queue of photos.ingested messages, consumed by processing.'),
  QUEUE_HOTSPOTS_CHANGED: z
    .string()
    .min(1)
    .default('photospots-hotspots-changed')
    .describe('Queue of hotspots.changed and rescore messages, consumed by scoring.'),
  QUEUE_THUMBNAILS: z
    .string()
    .min(1)
    .default('photospots-thumbnails')
    .describe('Queue of thumbnails.requested messages (images to copy into THUMBNAIL_BUCKET), consumed by ingest.'),
} as const;

export const storageEnv = {
  THUMBNAIL_BUCKET: z
    .string()
    .min(3)
    .max(63)
    .default('photospots-thumbnails')
    .describe('S3 bucket holding photo thumbnails.'),
  THUMBNAIL_S3_ENDPOINT_URL: z
    .url()
    .optional()
    .describe(
      "An S3-compatible endpoint of the thumbnail bucket's own, path-style (Supabase Storage: https://<project>.supabase.co/storage/v1/s3); unset: the one of AWS_ENDPOINT_URL. Needs THUMBNAIL_S3_ACCESS_KEY_ID and THUMBNAIL_S3_SECRET_ACCESS_KEY.",
    ),
  THUMBNAIL_S3_REGION: z
    .string()
    .min(1)
    .optional()
    .describe("With THUMBNAIL_S3_ENDPOINT_URL: its region (Supabase: the project's); unset: AWS_REGION."),
  THUMBNAIL_S3_ACCESS_KEY_ID: z
    .string()
    .min(1)
    .optional()
    .describe('With THUMBNAIL_S3_ENDPOINT_URL: the access key (Supabase: Storage settings, S3 access keys).'),
  THUMBNAIL_S3_SECRET_ACCESS_KEY: z
    .string()
    .min(1)
    .optional()
    .describe('With THUMBNAIL_S3_ENDPOINT_URL: the secret of that access key.'),
} as const;

export const redisEnv = {
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional()
    .describe(
      'Redis for the GEO index, top list, caches and rate limits. Unset: serve from PostGIS, limits in memory.',
    ),
  REDIS_KEY_PREFIX: z.string().default('photospots:').describe('Prefix of every Redis key this deployment writes.'),
} as const;

/** Port of the small /healthz + /readyz server of a worker service. */
export function healthPortEnv(defaultPort: number) {
  return {
    HEALTH_PORT: z.coerce
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(defaultPort)
      .describe('Port of /healthz and /readyz.'),
    HEALTH_HOST: z.string().default('0.0.0.0').describe('Interface the health server binds to.'),
    HEALTH_PORT_FILE: z
      .string()
      .min(1)
      .optional()
      .describe(
        'File the health server writes its port to once it listens: with HEALTH_PORT=0, how a launcher ' +
          'running several workers on one host learns the port each got.',
      ),
  } as const;
}
