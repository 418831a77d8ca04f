import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface AwsConnection {
  region: string;
  /** Local endpoint (fauxqs, LocalStack); undefined means real AWS. */
  endpoint?: string | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
}

/** The connection a service's config describes (libs/config sharedEnv). */
export function awsConnectionOf(config: {
  AWS_REGION: string;
  AWS_ENDPOINT_URL?: string | undefined;
  AWS_ACCESS_KEY_ID?: string | undefined;
  AWS_SECRET_ACCESS_KEY?: string | undefined;
}): AwsConnection {
  return {
    region: config.AWS_REGION,
    endpoint: config.AWS_ENDPOINT_URL,
    accessKeyId: config.AWS_ACCESS_KEY_ID,
    secretAccessKey: config.AWS_SECRET_ACCESS_KEY,
  };
}

/**
 * The connection of the thumbnail bucket: an S3-compatible endpoint of its own with its own keys (Supabase
 * Storage) when THUMBNAIL_S3_ENDPOINT_URL is set, else the service's AWS connection.
 */
export function thumbnailConnectionOf(config: {
  AWS_REGION: string;
  AWS_ENDPOINT_URL?: string | undefined;
  AWS_ACCESS_KEY_ID?: string | undefined;
  AWS_SECRET_ACCESS_KEY?: string | undefined;
  THUMBNAIL_S3_ENDPOINT_URL?: string | undefined;
  THUMBNAIL_S3_REGION?: string | undefined;
  THUMBNAIL_S3_ACCESS_KEY_ID?: string | undefined;
  THUMBNAIL_S3_SECRET_ACCESS_KEY?: string | undefined;
}): AwsConnection {
  if (!config.THUMBNAIL_S3_ENDPOINT_URL) return awsConnectionOf(config);
  if (!config.THUMBNAIL_S3_ACCESS_KEY_ID || !config.THUMBNAIL_S3_SECRET_ACCESS_KEY)
    throw new Error(
      'THUMBNAIL_S3_ENDPOINT_URL: needs THUMBNAIL_S3_ACCESS_KEY_ID and THUMBNAIL_S3_SECRET_ACCESS_KEY (the endpoint takes its own keys)',
    );
  return {
    region: config.THUMBNAIL_S3_REGION ?? config.AWS_REGION,
    endpoint: config.THUMBNAIL_S3_ENDPOINT_URL,
    accessKeyId: config.THUMBNAIL_S3_ACCESS_KEY_ID,
    secretAccessKey: config.THUMBNAIL_S3_SECRET_ACCESS_KEY,
  };
}

/**
 * Credentials for a client: explicit keys if given; dummy keys for a local
 * endpoint (which ignores them); otherwise the SDK's default chain (task role).
 */
export function awsCredentials(conn: AwsConnection) {
  if (conn.accessKeyId && conn.secretAccessKey) {
    return { accessKeyId: conn.accessKeyId, secretAccessKey: conn.secretAccessKey };
  }
  if (conn.endpoint) return { accessKeyId: 'local', secretAccessKey: 'local' };
  return undefined;
}

/**
 * Bounds on every AWS call: connecting, and the longest silence while waiting for an answer (above SQS's
 * 20 s long poll). A call to an endpoint that stopped answering fails and is retried (maxAttempts), never hangs.
 */
export const AWS_HTTP_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 30_000 } as const;

export function createSqsClient(conn: AwsConnection): SQSClient {
  const credentials = awsCredentials(conn);
  return new SQSClient({
    region: conn.region,
    ...(conn.endpoint ? { endpoint: conn.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    // With a local endpoint, keep talking to it whatever host the queue URL names.
    useQueueUrlAsEndpoint: !conn.endpoint,
    maxAttempts: 5,
    requestHandler: AWS_HTTP_TIMEOUTS,
  });
}

/** An S3 client; with an endpoint of its own (fauxqs, LocalStack, Supabase Storage), path-style addressing. */
export function createS3Client(conn: AwsConnection): S3Client {
  const credentials = awsCredentials(conn);
  return new S3Client({
    region: conn.region,
    ...(conn.endpoint ? { endpoint: conn.endpoint, forcePathStyle: true } : {}),
    ...(credentials ? { credentials } : {}),
    requestHandler: AWS_HTTP_TIMEOUTS,
  });
}
