/**
 * Preloaded (node --import) into every process `npm start` launches: if the
 * launcher dies without stopping its children (SIGKILL, a crash), the child
 * notices it was re-parented and stops itself the normal way (SIGTERM), so
 * nothing is left running. The services' own code does not know about this.
 */
const launcher = process.ppid;
const watch = setInterval(() => {
  if (process.ppid !== launcher) {
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }
}, 1_000);
watch.unref();
