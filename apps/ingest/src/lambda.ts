/**
 * Ingest as an AWS Lambda function on its SQS event sources (ingest.requested, thumbnails.requested): the
 * handlers the ECS service runs (main.ts), with a partial batch response. A file import stops between
 * committed batches when the invocation nears its end; its message comes back and resumes from the checkpoint.
 */
import { lambdaWorker } from '@photospots/service';
import { buildIngest } from './app.ts';
import { loadIngestConfig } from './config.ts';
import { connectIngestDeps } from './connect.ts';

/** Handlers are asked to stop this long before the deadline: a batch of rows commits well within it. */
const SAFETY_MARGIN_MS = 15_000;

export const handler = await lambdaWorker({
  name: 'ingest',
  loadConfig: loadIngestConfig,
  connect: connectIngestDeps,
  build: (c, deps) => buildIngest(c, { ...deps, inline: true }),
  safetyMarginMs: SAFETY_MARGIN_MS,
});
