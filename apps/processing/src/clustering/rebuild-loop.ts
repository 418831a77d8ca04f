import type { Logger } from '@photospots/service';

/**
 * Runs re-clustering one pass at a time and coalesces requests: a poke while a
 * pass runs schedules exactly one more pass. The dirty tiles are in Postgres
 * (ingest marks them with the photos), so messages only poke; however many
 * arrive during a long pass, the next pass covers them all. A pass that leaves
 * tiles still settling asks to come back when they have (pokeIn). A periodic
 * poke picks up tiles a crashed worker left dirty.
 */
export class RebuildLoop {
  readonly #run: (correlationId: string | undefined, signal: AbortSignal) => Promise<unknown>;
  readonly #log: Logger;
  readonly #stopping = new AbortController();
  #running: Promise<void> | undefined;
  #again = false;
  #nextCorrelationId: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #delayed: NodeJS.Timeout | undefined;
  #delayedDue = 0;
  readonly #sweepIntervalMs: number;
  /** Passes failed in a row: the next is tried after a backoff, not only at the next poke or sweep. */
  #failures = 0;

  constructor(
    run: (correlationId: string | undefined, signal: AbortSignal) => Promise<unknown>,
    log: Logger,
    sweepIntervalMs: number,
  ) {
    this.#run = run;
    this.#log = log;
    this.#sweepIntervalMs = sweepIntervalMs;
    this.#timer = setInterval(() => this.poke(), sweepIntervalMs);
    this.#timer.unref();
  }

  /** Asks for a pass in `ms` milliseconds (one timer: the earliest request wins). */
  pokeIn(ms: number): void {
    if (this.#stopping.signal.aborted) return;
    const due = Date.now() + ms;
    if (this.#delayed && this.#delayedDue <= due) return;
    clearTimeout(this.#delayed);
    this.#delayedDue = due;
    this.#delayed = setTimeout(
      () => {
        this.#delayed = undefined;
        this.poke();
      },
      Math.max(0, Math.ceil(ms)),
    );
    this.#delayed.unref();
  }

  /** Asks for a pass (now, or right after the one running). */
  poke(correlationId?: string): void {
    if (this.#stopping.signal.aborted) return;
    this.#nextCorrelationId ??= correlationId;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      const correlationId = this.#nextCorrelationId;
      this.#nextCorrelationId = undefined;
      try {
        await this.#run(correlationId, this.#stopping.signal);
        this.#failures = 0;
      } catch (err) {
        if (this.#stopping.signal.aborted) return;
        // The tiles stay dirty; the pass is tried again after a backoff (0.5 s doubling, at most the sweep
        // interval), or sooner if a message pokes.
        this.#failures++;
        const retryMs = Math.min(this.#sweepIntervalMs, 500 * 2 ** (this.#failures - 1));
        this.#log.warn({ err, retryMs }, 're-clustering pass failed; it is retried');
        this.pokeIn(retryMs);
      }
    } while (this.#again && !this.#stopping.signal.aborted);
  }

  /** Resolves when no pass is running (for tests and the CLI). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Stops after the claim being written; what is still dirty stays for another worker. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    clearTimeout(this.#delayed);
    this.#stopping.abort();
    await this.#running;
  }
}
