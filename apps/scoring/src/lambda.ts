/**
 * Scoring as an AWS Lambda function on its SQS event source (hotspots.changed): the handlers the ECS service
 * runs (main.ts), with a partial batch response.
 */
import { lambdaWorker } from '@photospots/service';
import { buildScoring } from './app.ts';
import { loadScoringConfig } from './config.ts';
import { connectScoringDeps } from './connect.ts';

/** Handlers are asked to stop this long before the deadline: a rescore commits in batches well within it. */
const SAFETY_MARGIN_MS = 15_000;

export const handler = await lambdaWorker({
  name: 'scoring',
  loadConfig: loadScoringConfig,
  connect: connectScoringDeps,
  build: buildScoring,
  safetyMarginMs: SAFETY_MARGIN_MS,
});
