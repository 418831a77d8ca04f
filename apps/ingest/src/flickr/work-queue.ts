/**
 * Runs `process` over a growing set of items with at most `concurrency` at
 * once; `process` may add items (a split query adds its children). Newest
 * items run first, so a plan is walked depth-first and stays small. The first
 * failure aborts the rest (through the signal `process` receives) and is
 * rethrown once every running item has stopped.
 */
export async function runWorkQueue<T>(
  initial: readonly T[],
  concurrency: number,
  process: (item: T, add: (items: readonly T[]) => void, signal: AbortSignal) => Promise<void>,
  outer?: AbortSignal,
): Promise<void> {
  const pending = [...initial].reverse();
  const controller = new AbortController();
  const signal = outer ? AbortSignal.any([outer, controller.signal]) : controller.signal;
  let active = 0;
  let failure: unknown;
  let sleepers: (() => void)[] = [];
  const wakeAll = () => {
    const list = sleepers;
    sleepers = [];
    for (const wake of list) wake();
  };
  const add = (items: readonly T[]) => {
    for (let i = items.length - 1; i >= 0; i--) pending.push(items[i]!);
    wakeAll();
  };

  const worker = async () => {
    for (;;) {
      if (failure !== undefined || signal.aborted) return;
      const item = pending.pop();
      if (item === undefined) {
        if (active === 0) return wakeAll();
        await new Promise<void>((resolve) => sleepers.push(resolve));
        continue;
      }
      active++;
      try {
        await process(item, add, signal);
      } catch (err) {
        if (failure === undefined) failure = err;
        controller.abort(err);
      } finally {
        active--;
        wakeAll();
      }
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  if (failure !== undefined) throw failure;
  outer?.throwIfAborted();
}
