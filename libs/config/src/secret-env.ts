import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * An ECS task definition injects Secrets Manager values into the environment; a Lambda function cannot. A
 * function is given `<NAME>_SECRET_ARN` instead (infra/modules/lambda), and resolves it once, at cold start,
 * into `<NAME>` before its config is read. The value never enters the function's configuration or Terraform's
 * view of it, and the role may read only those secrets.
 */
export const SECRET_ARN_SUFFIX = '_SECRET_ARN';

/** A secret that could not be read: names the variable and the secret, never a value. */
export class SecretEnvError extends Error {
  override name = 'SecretEnvError';
}

export interface ResolveSecretEnvOptions {
  client?: SecretsManagerClient;
  /** Bound on all the reads together. */
  timeoutMs?: number;
}

/**
 * Sets each `<NAME>` of `env` whose `<NAME>_SECRET_ARN` is set, from that secret's string value, and returns
 * the names it set. A variable already set is left alone (a local run passes values directly). Fails when a
 * secret cannot be read in time or has no string value: a function must not start without its credentials.
 */
export async function resolveSecretEnv(
  env: Record<string, string | undefined> = process.env,
  options: ResolveSecretEnvOptions = {},
): Promise<string[]> {
  const wanted = Object.entries(env).flatMap(([key, arn]) => {
    if (!key.endsWith(SECRET_ARN_SUFFIX) || !arn) return [];
    const name = key.slice(0, -SECRET_ARN_SUFFIX.length);
    return env[name] ? [] : [{ name, arn }];
  });
  if (wanted.length === 0) return [];
  const client = options.client ?? new SecretsManagerClient({ maxAttempts: 3 });
  const signal = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  const values = await Promise.all(
    wanted.map(async ({ name, arn }) => {
      let value: string | undefined;
      try {
        ({ SecretString: value } = await client.send(new GetSecretValueCommand({ SecretId: arn }), {
          abortSignal: signal,
        }));
      } catch (err) {
        const reason = signal.aborted ? 'timed out' : (err as Error).message;
        throw new SecretEnvError(`${name}: secret ${arn} could not be read (${reason})`, { cause: err });
      }
      if (!value) throw new SecretEnvError(`${name}: secret ${arn} has no string value`);
      return [name, value] as const;
    }),
  );
  for (const [name, value] of values) env[name] = value;
  if (!options.client) client.destroy();
  return values.map(([name]) => name);
}
