/**
 * Processing as an AWS Lambda function, on its SQS event source (photos.ingested) and an EventBridge schedule.
 * A message only marks its tiles dirty, as in the ECS service; after each batch, and on each scheduled
 * invocation (every minute, for tiles whose settle window ends after the last message), the function
 * re-clusters the settled dirty tiles claim by claim until none is left or the time left falls under the
 * safety margin. The rest stays dirty for the next invocation. Claims take the same area locks as ECS tasks.
 */
import { lambdaWorker } from '@photospots/service';
import { buildProcessing } from './app.ts';
import { loadProcessingConfig, type ProcessingConfig } from './config.ts';
import { connectProcessingDeps } from './connect.ts';

/** A claim that starts just before the margin still commits (or is abandoned, its tiles dirty) in time. */
export const safetyMarginMs = (config: Pick<ProcessingConfig, 'PROCESSING_CLAIM_TIMEOUT_SECONDS'>) =>
  config.PROCESSING_CLAIM_TIMEOUT_SECONDS * 1000 + 5_000;

export const handler = await lambdaWorker({
  name: 'processing',
  loadConfig: loadProcessingConfig,
  connect: connectProcessingDeps,
  build: (c, deps) => buildProcessing(c, { ...deps, inline: true }),
  safetyMarginMs,
  afterBatch: async (processing, signal, log) => {
    const results = await processing.rebuildSettled(signal);
    if (results.length > 0)
      log.info({ claims: results.length, stoppedEarly: signal.aborted }, 'settled tiles re-clustered');
  },
});
