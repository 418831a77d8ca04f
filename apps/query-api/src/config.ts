import { loadConfig, redisEnv, sharedEnv, z } from '@photospots/config';

export const queryApiEnv = {
  ...sharedEnv,
  ...redisEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port of the query API.'),
  HOST: z.string().default('0.0.0.0').describe('Interface the query API binds to.'),
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).max(1_000_000).default(600).describe('Requests per client per rate-limit window.'),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60).describe('Length of the rate-limit window.'),
  TRUST_PROXY: z.stringbool().default(false).describe('Trust X-Forwarded-For (true behind a load balancer such as the ALB).'),
} as const;

export type QueryApiConfig = ReturnType<typeof loadQueryApiConfig>;

export function loadQueryApiConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(queryApiEnv, env);
}
