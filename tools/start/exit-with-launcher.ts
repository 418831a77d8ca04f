/**
 * Preloaded (node --import) into every process `npm start` launches: if the
 * launcher dies without stopping its children (SIGKILL, a crash), the child
 * notices it was re-parented and stops itself the normal way (SIGTERM), or
 * exits outright if that does not finish soon (its log pipe is gone, so even
 * logging may fail). The services' own code does not know about this.
 */
const launcher = process.ppid;
/** How long an orphaned service gets for its graceful stop. */
const GRACE_MS = 10_000;
const watch = setInterval(() => {
  if (process.ppid !== launcher) {
    clearInterval(watch);
    setTimeout(() => process.exit(1), GRACE_MS).unref();
    process.kill(process.pid, 'SIGTERM');
  }
}, 1_000);
watch.unref();
