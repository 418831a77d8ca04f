import type { QueueKey } from './envelope.ts';

/** The Lambda runtime the workers' bundles target (tools/lambda/package.ts): the newest Node.js Lambda offers. */
export const LAMBDA_RUNTIME = 'nodejs24.x';

/**
 * How each worker runs as a Lambda function: what `lambda:local` invokes it with, and what Terraform deploys
 * (local.lambda_functions in infra/modules/stack/lambda.tf mirrors it; apps/system-tests/test/infra-lambda.test.ts
 * fails when they differ).
 */
export interface LambdaFunctionSpec {
  /** The queues whose event source mappings invoke it. */
  queues: readonly QueueKey[];
  /** The function's timeout (AWS advises a queue visibility timeout of at least 6× this). */
  timeoutSeconds: number;
  memoryMb: number;
  /** Records per invocation, and how long a mapping gathers them (the batching window). */
  batchSize: number;
  batchingWindowSeconds: number;
  /** The mapping's maximum concurrency: invocations at once (SQS mappings allow 2–1,000). */
  maxConcurrency: number;
  /** Minutes between scheduled invocations (EventBridge), for work that no message brings. */
  scheduleMinutes?: number;
  /** Settings the function runs with besides the service's own defaults. */
  environment?: Record<string, string>;
}

export const LAMBDA_FUNCTIONS = {
  // A file import stops between committed batches near the deadline and resumes from its checkpoint.
  ingest: {
    queues: ['ingest', 'thumbnails'],
    timeoutSeconds: 150,
    memoryMb: 1024,
    batchSize: 1,
    batchingWindowSeconds: 0,
    maxConcurrency: 2,
  },
  // Messages only mark tiles; the re-clustering after each batch and every minute stops at the safety margin
  // (a claim's timeout and 5 s), so a claim must end well inside the function's timeout.
  processing: {
    queues: ['photosIngested'],
    timeoutSeconds: 300,
    memoryMb: 2048,
    batchSize: 10,
    batchingWindowSeconds: 1,
    maxConcurrency: 2,
    scheduleMinutes: 1,
    environment: { PROCESSING_CLAIM_TIMEOUT_SECONDS: '60' },
  },
  scoring: {
    queues: ['hotspotsChanged'],
    timeoutSeconds: 60,
    memoryMb: 1024,
    batchSize: 10,
    batchingWindowSeconds: 1,
    maxConcurrency: 2,
  },
} as const satisfies Record<string, LambdaFunctionSpec>;

export type LambdaWorker = keyof typeof LAMBDA_FUNCTIONS;
export const LAMBDA_WORKERS = Object.keys(LAMBDA_FUNCTIONS) as LambdaWorker[];
