import { createSqsBatchHandler, ShutdownError, type QueueUrls } from '@photospots/queue';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createLogger, type Logger } from './logger.ts';
import { resolveSecretEnv } from '@photospots/config/secret-env';
import type { ConsumerSpec } from './worker.ts';

/** What a worker service offers a Lambda function: its queues' handlers, and its outbox. */
export interface LambdaWorkerService {
  consumerSpecs(): ConsumerSpec[];
  flushOutbox(): Promise<number>;
}

export interface LambdaWorkerSpec<
  C extends { LOG_LEVEL: string },
  D extends { sqs: SQSClient; queues: QueueUrls },
  S extends LambdaWorkerService,
> {
  name: string;
  loadConfig(): C;
  connect(config: C, log: Logger): D | Promise<D>;
  build(config: C, deps: NoInfer<D>, log: Logger): S;
  /** Handlers are asked to stop this long before an invocation's deadline. */
  safetyMarginMs: number | ((config: C) => number);
  /**
   * Work after each batch, before the outbox flush and the answer, bounded by the signal (aborted at the
   * safety margin): processing re-clusters the tiles that settled. Also what a scheduled invocation runs.
   */
  afterBatch?(service: S, signal: AbortSignal, log: Logger): Promise<unknown>;
}

/** An invocation: a batch from an SQS event source mapping, or a scheduled event (EventBridge) without records. */
export type WorkerEvent = SQSEvent | { source?: string; 'detail-type'?: string };

/**
 * A worker's Lambda handler. Config, connections and the service are made once, outside the handler, and
 * reused by every invocation of the execution environment; secrets given as `<NAME>_SECRET_ARN` are read
 * first (resolveSecretEnv). Each SQS batch is handled as the ECS consumer
 * handles messages (createSqsBatchHandler: same contracts, same handlers, invalid messages to the
 * dead-letter queue, a partial batch response); then `afterBatch` runs, and the outbox is flushed before the
 * function returns. A scheduled invocation runs only `afterBatch` and the flush.
 */
export async function lambdaWorker<
  C extends { LOG_LEVEL: string },
  D extends { sqs: SQSClient; queues: QueueUrls },
  S extends LambdaWorkerService,
>(spec: LambdaWorkerSpec<C, D, S>): Promise<(event: WorkerEvent, context: Context) => Promise<SQSBatchResponse>> {
  await resolveSecretEnv();
  const config = spec.loadConfig();
  const safetyMarginMs = typeof spec.safetyMarginMs === 'function' ? spec.safetyMarginMs(config) : spec.safetyMarginMs;
  const log = createLogger(spec.name, config.LOG_LEVEL);
  const deps = await spec.connect(config, log);
  const service = spec.build(config, deps, log);
  // Aborted already when less than the margin is left: no work starts that could not end in time.
  const deadlineSignal = (context: Context) => {
    const left = context.getRemainingTimeInMillis() - safetyMarginMs;
    return left > 0 ? AbortSignal.timeout(left) : AbortSignal.abort(new ShutdownError());
  };
  const afterBatch = async (context: Context) => {
    const invocation = log.child({ awsRequestId: context.awsRequestId });
    if (spec.afterBatch) await spec.afterBatch(service, deadlineSignal(context), invocation);
    await service.flushOutbox();
  };
  const batches = createSqsBatchHandler({
    sqs: deps.sqs,
    queues: service.consumerSpecs().map((c) => ({
      url: deps.queues.url[c.queue]!,
      deadLetterUrl: deps.queues.deadLetterUrl[c.queue],
      handlers: c.handlers,
    })),
    log,
    safetyMarginMs,
    afterBatch,
  });
  return async (event, context) => {
    if ('Records' in event) return batches(event, context);
    await afterBatch(context);
    return { batchItemFailures: [] };
  };
}
