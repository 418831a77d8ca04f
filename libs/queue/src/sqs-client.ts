import { SQSClient } from '@aws-sdk/client-sqs';

export interface AwsConnection {
  region: string;
  /** Local endpoint (fauxqs, LocalStack); undefined means real AWS. */
  endpoint?: string | undefined;
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
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

export function createSqsClient(conn: AwsConnection): SQSClient {
  const credentials = awsCredentials(conn);
  return new SQSClient({
    region: conn.region,
    ...(conn.endpoint ? { endpoint: conn.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    // With a local endpoint, keep talking to it whatever host the queue URL names.
    useQueueUrlAsEndpoint: !conn.endpoint,
    maxAttempts: 5,
  });
}
