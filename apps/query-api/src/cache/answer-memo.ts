import { LRUCache } from 'lru-cache';
import type { CachedResponse } from './response-cache.ts';

/**
 * Serialized answers computed from the current in-process snapshot (top, map
 * boxes, clusters), keyed by normalised parameters: a repeated question is
 * answered without recomputing, serializing or hashing. Cleared whenever the
 * snapshot changes; an answer computed across a change is not kept.
 */
export class AnswerMemo {
  readonly #lru: LRUCache<string, CachedResponse>;
  #generation = 0;

  constructor(maxEntries: number) {
    this.#lru = new LRUCache({ max: Math.max(1, maxEntries) });
  }

  /** Read before computing; pass to set(). */
  get generation(): number {
    return this.#generation;
  }

  get(key: string): CachedResponse | undefined {
    return this.#lru.get(key);
  }

  set(key: string, generation: number, entry: CachedResponse): void {
    if (generation === this.#generation) this.#lru.set(key, entry);
  }

  invalidate(): void {
    this.#generation++;
    this.#lru.clear();
  }
}
