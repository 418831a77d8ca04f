/**
 * Preloaded (node --import EXIT_WITH_PARENT_PRELOAD) into every service
 * process `npm start` or a test launches: if the launcher dies without
 * stopping its children (SIGKILL, a crash), the child notices it was
 * re-parented and stops itself the normal way (SIGTERM), and is killed if
 * that has not finished within GRACE_MS. The watch runs in a worker thread
 * because an orphan's main thread can be stuck: with nobody reading its log
 * pipe, a synchronous log write can wait forever. The services' own code does
 * not know about any of this.
 */
import { Worker } from 'node:worker_threads';

/** How long an orphaned service gets for its graceful stop. */
const GRACE_MS = 10_000;

const watchdog = `
  const { launcher, graceMs } = require('node:worker_threads').workerData;
  const watch = setInterval(() => {
    if (process.ppid === launcher) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), graceMs);
  }, 1_000);
`;
new Worker(watchdog, { eval: true, workerData: { launcher: process.ppid, graceMs: GRACE_MS } }).unref();
