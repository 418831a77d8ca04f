import { consumerEnv, healthPortEnv, loadConfig, queueEnv, redisEnv, sharedEnv, z } from '@photospots/config';

export const scoringEnv = {
  ...sharedEnv,
  ...consumerEnv,
  QUEUE_HOTSPOTS_CHANGED: queueEnv.QUEUE_HOTSPOTS_CHANGED,
  ...redisEnv,
  ...healthPortEnv(3003),
  SCORE_RECENCY_HALF_LIFE_YEARS: z.coerce
    .number()
    .min(0.1)
    .max(100)
    .default(5)
    .describe("Years after which a photographer's last visit counts half toward recency."),
  RESCORE_INTERVAL_MINUTES: z.coerce
    .number()
    .min(0)
    .max(10_080)
    .default(60)
    .describe(
      'Minutes (fractions allowed) between scheduled full rescores sent by this service; 0 when a platform scheduler (EventBridge) sends them.',
    ),
  REDIS_SYNC_CHECK_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(15)
    .describe('How often scoring checks that Redis still holds a complete index (and rebuilds it if not).'),
} as const;

export type ScoringConfig = ReturnType<typeof loadScoringConfig>;

export function loadScoringConfig(env: Record<string, string | undefined> = process.env) {
  return loadConfig(scoringEnv, env);
}
