import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for AWS Secrets Manager's GetSecretValue, which has no local implementation here (the SQS and
 * S3 endpoint, fauxqs, has no Secrets Manager). It speaks the service's JSON protocol (AWS JSON 1.1,
 * `X-Amz-Target: secretsmanager.GetSecretValue`) and answers unknown ids with its ResourceNotFoundException,
 * so the SDK client runs unchanged against it (AWS_ENDPOINT_URL_SECRETS_MANAGER).
 */
export interface FakeSecretsManager {
  url: string;
  /** The secret ids asked for, in order. */
  requests: string[];
  /** Answer every request after `ms` (a slow or unreachable endpoint). */
  setLatency(ms: number): void;
  stop(): Promise<void>;
}

export async function startFakeSecretsManager(secrets: Record<string, string>): Promise<FakeSecretsManager> {
  const requests: string[] = [];
  let latencyMs = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: object) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      const reply = () => {
        if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue')
          return answer(400, { __type: 'UnknownOperationException', message: String(req.headers['x-amz-target']) });
        const { SecretId: id } = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
        requests.push(String(id));
        const value = id === undefined ? undefined : secrets[id];
        if (value === undefined)
          return answer(400, {
            __type: 'ResourceNotFoundException',
            message: "Secrets Manager can't find the specified secret.",
          });
        answer(200, { ARN: id, Name: id!.split(':').at(-1), SecretString: value, VersionId: 'v1', CreatedDate: 0 });
      };
      if (latencyMs > 0) setTimeout(reply, latencyMs).unref();
      else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setLatency: (ms) => {
      latencyMs = ms;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
