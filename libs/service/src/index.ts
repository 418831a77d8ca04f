export { createLogger, REDACT_PATHS, type Logger } from './logger.ts';
export {
  registerHealthRoutes,
  startHealthServer,
  runChecks,
  type ReadinessCheck,
  type CheckResult,
} from './health-server.ts';
export { runUntilSignalled, failStartup, stopStep, type StoppableService } from './lifecycle.ts';
