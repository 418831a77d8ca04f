import { loadConfig, queueEnv, redisEnv, sharedEnv, storageEnv, z } from '@photospots/config';
import { applySupabasePreset, supabaseUrlSchema } from './auth/supabase-preset.ts';

const optionalUrl = (description: string) => z.url().optional().describe(description);

export const queryApiEnv = {
  ...sharedEnv,
  ...redisEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe('HTTP port of the query API.'),
  HOST: z.string().default('0.0.0.0').describe('Interface the query API binds to.'),
  RATE_LIMIT_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(600)
    .describe('Requests per client per rate-limit window.'),
  RATE_LIMIT_WINDOW_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(60)
    .describe('Length of the rate-limit window.'),
  TRUST_PROXY: z
    .stringbool()
    .default(false)
    .describe('Trust X-Forwarded-For (true behind a load balancer such as the ALB).'),
  RATE_LIMIT_USER_MAX: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(1200)
    .describe(
      'Requests per signed-in user per rate-limit window (anonymous calls are limited per IP by RATE_LIMIT_MAX).',
    ),
  SUPABASE_URL: supabaseUrlSchema
    .optional()
    .describe(
      'Supabase project URL (https://<project>.supabase.co; http only for localhost) whose Supabase Auth signs users in: sets AUTH_JWKS_URL to `<url>/auth/v1/.well-known/jwks.json` and AUTH_JWT_ISSUER to `<url>/auth/v1`. An AUTH_JWKS_URL, AUTH_JWT_ISSUER or AUTH_JWT_AUDIENCE set to anything else fails the start.',
    ),
  AUTH_JWKS_URL: optionalUrl(
    'JWKS of the token issuer (Supabase: https://<project>.supabase.co/auth/v1/.well-known/jwks.json, set by SUPABASE_URL). Neither set: asymmetric tokens are rejected.',
  ),
  AUTH_JWT_ISSUER: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Required `iss` of tokens (Supabase: https://<project>.supabase.co/auth/v1, set by SUPABASE_URL). Neither set: sign-in is disabled.',
    ),
  AUTH_JWT_AUDIENCE: z
    .string()
    .min(1)
    .default('authenticated')
    .describe('Required `aud` of tokens (with SUPABASE_URL it must be `authenticated`).'),
  AUTH_JWT_SECRET: z
    .string()
    .min(32)
    .optional()
    .describe('Shared HS256 secret (Supabase legacy JWT secret); HS256 tokens are accepted only when this is set.'),
  AUTH_JWKS_CACHE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(600)
    .default(600)
    .describe(
      'How long fetched signing keys are trusted before the JWKS is fetched again (Supabase caches 10 minutes).',
    ),
  CORS_ORIGINS: z
    .string()
    .default('*')
    .describe('Origins allowed by CORS: `*`, or a comma-separated list of origins; empty disables CORS headers.'),
  CACHE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(30)
    .describe(
      'Lifetime of cached search/detail/photos responses, and of list answers not served by the in-process index (in process and in Redis); 0 disables the response cache.',
    ),
  CACHE_MAX_ENTRIES: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .default(5000)
    .describe('Responses kept in the in-process cache.'),
  MEMORY_INDEX: z
    .stringbool()
    .default(true)
    .describe(
      'Serve nearby, map box and top from an in-process index of active hotspots, refreshed on every change; false (for diagnosis) also leaves response caches to expire by TTL only.',
    ),
  INDEX_RELOAD_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(60)
    .describe(
      'Safety-net full reload of the in-process index (spaced to at least ten times the last full load); also how long it may serve without a live change feed.',
    ),
  STREAM_MAX_PER_CLIENT: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000)
    .default(5)
    .describe('Change streams (GET /v1/hotspots/changes) one client address may hold open at once on an instance.'),
  CURSOR_SECRET: z
    .string()
    .min(16)
    .optional()
    .describe(
      'HMAC key that signs pagination cursors (the same on every instance). Unset: derived from DATABASE_URL, which instances share.',
    ),
  ...storageEnv,
  THUMBNAIL_PUBLIC_BASE_URL: optionalUrl(
    'Public base URL (CDN) of the thumbnail bucket; unset: thumbnails get presigned S3 URLs.',
  ),
  THUMBNAIL_URL_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(604_800)
    .default(3600)
    .describe('Lifetime of presigned thumbnail URLs.'),
  QUEUE_HOTSPOTS_CHANGED: queueEnv.QUEUE_HOTSPOTS_CHANGED,
  OUTBOX_POLL_MS: z.coerce
    .number()
    .int()
    .min(50)
    .max(60_000)
    .default(1000)
    .describe('How often the outbox relay sends rescore requests (after favorites change).'),
  MAP_STYLE_URL: z
    .string()
    .default('')
    .refine((v) => v === '' || v === 'none' || /^https?:\/\//.test(v), 'must be empty, none, or an http(s) URL')
    .describe(
      'Basemap of the map page at `/`: a MapLibre style URL; empty: OpenStreetMap raster tiles; `none`: a plain background.',
    ),
} as const;

export type QueryApiConfig = ReturnType<typeof loadQueryApiConfig>;

export function loadQueryApiConfig(env: Record<string, string | undefined> = process.env) {
  return applySupabasePreset(loadConfig(queryApiEnv, env));
}
