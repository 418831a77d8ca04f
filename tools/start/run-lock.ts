/**
 * One `npm start` per data folder: .data/launcher.pid names the running
 * launcher. Finding the file of a launcher that is gone means the last run
 * ended without cleaning up (killed, crashed, machine restarted), so whatever
 * the embedded queues held was lost.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface RunLock {
  /** The previous launcher did not stop cleanly. */
  previousRunUnclean: boolean;
  release(): void;
}

function isLauncherAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // The pid may have been reused by an unrelated process; on Linux, check what it runs.
  const cmdline = `/proc/${pid}/cmdline`;
  return existsSync(cmdline) ? readFileSync(cmdline, 'utf8').includes('start/main.ts') : true;
}

export class DataFolderInUseError extends Error {
  readonly code = 'DATA_IN_USE';
}

export function acquireRunLock(dataDir: string): RunLock {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'launcher.pid');
  let previousRunUnclean = false;
  if (existsSync(file)) {
    const pid = Number(readFileSync(file, 'utf8').trim());
    if (pid && pid !== process.pid && isLauncherAlive(pid)) {
      throw new DataFolderInUseError(
        `another npm start (pid ${pid}) is using ${dataDir}; stop it first (Ctrl-C in its terminal)`,
      );
    }
    previousRunUnclean = true;
  }
  writeFileSync(file, String(process.pid));
  return {
    previousRunUnclean,
    release: () => rmSync(file, { force: true }),
  };
}
