/**
 * Collects fetched pages and writes them in batches: when `maxPhotos` are
 * waiting, or `maxDelayMs` after the first one arrived, whichever is first.
 * Writes run one at a time, in order, so each sees the state the previous
 * one committed. A write that fails is reported to the next add() or flush().
 */
export class PageBatcher<P extends { photoCount: number }> {
  readonly #write: (pages: P[]) => Promise<void>;
  readonly #maxPhotos: number;
  readonly #maxDelayMs: number;
  #pages: P[] = [];
  #photos = 0;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #failure: unknown;

  constructor(write: (pages: P[]) => Promise<void>, options: { maxPhotos: number; maxDelayMs: number }) {
    this.#write = write;
    this.#maxPhotos = options.maxPhotos;
    this.#maxDelayMs = options.maxDelayMs;
  }

  /** Queues a page; resolves once it is written if it filled the batch (backpressure), else at once. */
  async add(page: P): Promise<void> {
    this.#throwIfFailed();
    this.#pages.push(page);
    this.#photos += page.photoCount;
    if (this.#photos >= this.#maxPhotos) return this.flush();
    this.#timer ??= setTimeout(() => {
      this.flush().catch(() => undefined);
    }, this.#maxDelayMs);
  }

  /** Writes everything queued; resolves when all earlier writes are done too. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const pages = this.#pages;
    this.#pages = [];
    this.#photos = 0;
    if (pages.length > 0) {
      this.#chain = this.#chain
        .then(() => (this.#failure === undefined ? this.#write(pages) : undefined))
        .catch((err: unknown) => {
          this.#failure ??= err;
        });
    }
    await this.#chain;
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
