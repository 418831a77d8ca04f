export { createLogger, REDACT_PATHS, type Logger } from './logger.ts';
export {
  registerHealthRoutes,
  startHealthServer,
  runChecks,
  type ReadinessCheck,
  type CheckResult,
} from './health-server.ts';
export { runUntilSignalled, failStartup, stopStep, type StoppableService } from './lifecycle.ts';
export { runService, type RunnableService, type ServiceSpec } from './run-service.ts';
export { runCli, cliLogger, UsageError } from './run-cli.ts';
export { createWorker, type ConsumerSettings, type ConsumerSpec, type Worker, type WorkerOptions } from './worker.ts';
export { lambdaWorker, type LambdaWorkerService, type LambdaWorkerSpec, type WorkerEvent } from './lambda-worker.ts';
