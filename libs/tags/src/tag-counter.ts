import { tagKey } from './normalise.ts';
import type { TagVariants } from './tag-variants.ts';

/**
 * Counts, per tag key, the distinct photographers who used it, remembering the
 * most common spelling for display. Photographers, not photos: one person
 * tagging 4,000 photos "pond" is one vote for "pond".
 */
export class TagCounter {
  readonly #usersByKey = new Map<string, Set<string | number>>();
  readonly #spellings = new Map<string, Map<string, number>>();
  readonly #users = new Set<string | number>();

  add(user: string | number, tags: readonly string[]): void {
    this.#users.add(user);
    for (const tag of tags) {
      const key = tagKey(tag);
      if (!key) continue;
      let users = this.#usersByKey.get(key);
      if (!users) this.#usersByKey.set(key, (users = new Set()));
      users.add(user);
      let spellings = this.#spellings.get(key);
      if (!spellings) this.#spellings.set(key, (spellings = new Map()));
      spellings.set(tag, (spellings.get(tag) ?? 0) + 1);
    }
  }

  /** Distinct photographers seen. */
  get userCount(): number {
    return this.#users.size;
  }

  /** Distinct photographers who used the tag key. */
  usersWith(key: string): number {
    return this.#usersByKey.get(key)?.size ?? 0;
  }

  /** Photographers who used both tag keys. */
  usersWithBoth(a: string, b: string): number {
    const ua = this.#usersByKey.get(a);
    const ub = this.#usersByKey.get(b);
    if (!ua || !ub) return 0;
    const [small, large] = ua.size <= ub.size ? [ua, ub] : [ub, ua];
    let n = 0;
    for (const u of small) if (large.has(u)) n++;
    return n;
  }

  /**
   * The same counts with each group of variants as one tag under its first key: its photographers are those
   * who used any of them, and it is spelt as that key is (the most common local form).
   */
  withVariants(variants: TagVariants): TagCounter {
    const out = new TagCounter();
    for (const u of this.#users) out.#users.add(u);
    const merged = new Set<string>();
    for (const [key, members] of variants) {
      const users = new Set<string | number>();
      for (const m of members) {
        merged.add(m);
        for (const u of this.#usersByKey.get(m) ?? []) users.add(u);
      }
      out.#usersByKey.set(key, users);
      const spellings = this.#spellings.get(key);
      if (spellings) out.#spellings.set(key, spellings);
    }
    for (const [key, users] of this.#usersByKey) {
      if (merged.has(key)) continue;
      out.#usersByKey.set(key, users);
      out.#spellings.set(key, this.#spellings.get(key)!);
    }
    return out;
  }

  keys(): IterableIterator<string> {
    return this.#usersByKey.keys();
  }

  /** Most frequent spelling of a key (ties: the alphabetically first, for stable output). */
  spelling(key: string): string {
    let best = key;
    let bestCount = -1;
    for (const [tag, count] of this.#spellings.get(key) ?? []) {
      if (count > bestCount || (count === bestCount && tag < best)) {
        best = tag;
        bestCount = count;
      }
    }
    return best;
  }
}
