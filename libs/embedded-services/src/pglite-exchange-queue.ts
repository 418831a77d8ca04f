/**
 * Schedules the wire-protocol messages of many client connections onto
 * PGlite's one backend session, for pglite-socket's connection handlers.
 *
 * pglite-socket's own queue keeps a transaction's statements together, but
 * outside a transaction it lets other connections' messages in between the
 * Parse/Bind/Execute/Sync of one extended-query exchange. All connections share
 * the session's unnamed statement and portal, so answers got crossed (seen as
 * `portal "" does not exist` under load). This queue hands the backend to one
 * connection from the first message of an exchange until it ends (Sync or a
 * simple Query) and, inside a transaction, until the transaction ends.
 */
import type { PGlite } from '@electric-sql/pglite';

interface Pending {
  handlerId: number;
  message: Uint8Array;
  onData: (data: Uint8Array) => void;
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
}

const SYNC = Uint8Array.of(0x53, 0, 0, 0, 4);

/** Messages after which the backend is between exchanges: Sync, Query, FunctionCall, Terminate, the startup packet. */
function endsExchange(message: Uint8Array): boolean {
  const type = message[0];
  return type === 0x53 || type === 0x51 || type === 0x46 || type === 0x58 || type === 0;
}

export class ExchangeQueue {
  readonly #db: PGlite;
  #queue: Pending[] = [];
  #running = false;
  /** The connection whose exchange or transaction is open: only its messages run. */
  #owner: number | null = null;

  constructor(db: PGlite) {
    this.#db = db;
  }

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ handlerId, message, onData, resolve, reject });
      void this.#drain();
    });
  }

  getQueueLength(): number {
    return this.#queue.length;
  }

  /** A connection went away: drop what it still had queued. */
  clearQueueForHandler(handlerId: number): void {
    this.#queue = this.#queue.filter((p) => {
      if (p.handlerId !== handlerId) return true;
      p.reject(new Error('connection closed'));
      return false;
    });
  }

  /** A connection went away: end its open exchange and roll back its transaction, then let the others run. */
  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.#owner !== handlerId) return;
    await this.#db.runExclusive(() => this.#db.execProtocolRawStream(SYNC, { onRawData: () => undefined }));
    if (this.#db.isInTransaction()) await this.#db.exec('rollback');
    this.#owner = null;
    void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      for (;;) {
        const i = this.#owner === null ? 0 : this.#queue.findIndex((p) => p.handlerId === this.#owner);
        if (i < 0 || i >= this.#queue.length) return;
        const [item] = this.#queue.splice(i, 1) as [Pending];
        let bytes = 0;
        try {
          await this.#db.runExclusive(() =>
            this.#db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (err) {
          this.#owner = null;
          item.reject(err);
          continue;
        }
        this.#owner = this.#db.isInTransaction() || !endsExchange(item.message) ? item.handlerId : null;
        item.resolve(bytes);
      }
    } finally {
      this.#running = false;
    }
  }
}
