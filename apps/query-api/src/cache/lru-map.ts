/**
 * A bounded map that forgets its least recently used entries, with an
 * optional lifetime per entry. A Map keeps insertion order, so re-inserting
 * on access makes the first key the least recently used one.
 */
export class LruMap<K, V> {
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #entries = new Map<K, { value: V; expiresAt: number }>();
  /** The most recently used key: reading it again needs no reordering (a client's burst, one rate-limit key). */
  #newest: K | undefined;

  /** ttlMs 0: entries never expire. */
  constructor(max: number, ttlMs = 0) {
    this.#max = Math.max(1, max);
    this.#ttlMs = ttlMs;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== 0 && entry.expiresAt <= Date.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    if (key !== this.#newest) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#newest = key;
    }
    return entry.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  set(key: K, value: V, ttlMs = this.#ttlMs): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: ttlMs > 0 ? Date.now() + ttlMs : 0 });
    this.#newest = key;
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as K);
  }

  /** Live entries, least recently used first (expired ones are skipped, not refreshed). */
  *entries(): IterableIterator<[K, V]> {
    const now = Date.now();
    for (const [key, entry] of this.#entries)
      if (entry.expiresAt === 0 || entry.expiresAt > now) yield [key, entry.value];
  }

  clear(): void {
    this.#entries.clear();
    this.#newest = undefined;
  }

  get size(): number {
    return this.#entries.size;
  }
}
