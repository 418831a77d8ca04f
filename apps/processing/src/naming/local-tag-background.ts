import { PointGrid } from '@photospots/geo';
import { tagKey, type TagStats, type TagVariants } from '@photospots/tags';
import type { WindowPhotos } from '../clustering/window-photos.ts';

/**
 * Tag usage by photographer around any point of a window: the "surroundings"
 * a hotspot's tags are compared with. Local (a few hundred metres), so a name
 * shared by a whole riverbank ("elbe") loses to what is special about one spot
 * on it, and so the result depends only on nearby photos (incremental
 * re-clustering then names places exactly as a full rebuild does).
 *
 * Naming is the costly part of re-clustering (every hotspot asks for the
 * photos within 1.5 km of it), so the photos are laid out for that one loop:
 * in grid cells row by row (PointGrid), so a query reads a few runs of memory
 * and needs no search tree; their tag ids in one flat array; photographers
 * told apart by a stamp each instead of sorting each query's photos; and a
 * query counts only the tags its caller will ask about.
 */
export class LocalTagBackground {
  readonly #grid: PointGrid;
  /** Photographer of the photo at each grid position. */
  readonly #userAt: Int32Array;
  /** Tag ids of position p: #tagFlat[#tagStart[p] .. #tagStart[p + 1]). */
  readonly #tagStart: Int32Array;
  readonly #tagFlat: Int32Array;
  readonly #idOf = new Map<string, number>();
  readonly #keys: string[] = [];
  // Scratch space for around(), reused by every query.
  /** Positions of the photos in the circle, and the next one of the same photographer (-1: none), by hit number. */
  readonly #hits: Int32Array;
  readonly #nextHit: Int32Array;
  readonly #slotOf: Int32Array;
  /** The query in which a photographer was last seen, and their latest hit in it. */
  readonly #userQuery: Int32Array;
  readonly #userFirstHit: Int32Array;
  readonly #usersSeen: Int32Array;
  #query = 0;

  constructor(photos: WindowPhotos) {
    const n = photos.count;
    let maxUser = -1;
    for (let i = 0; i < n; i++) if (photos.user[i]! > maxUser) maxUser = photos.user[i]!;
    this.#grid = new PointGrid(photos.lat, photos.lng, n);
    const order = this.#grid.order;
    this.#userAt = new Int32Array(n);
    this.#tagStart = new Int32Array(n + 1);
    const flat: number[] = [];
    const idOf = this.#idOf;
    const seen = new Set<number>();
    for (let p = 0; p < n; p++) {
      const i = order[p]!;
      this.#userAt[p] = photos.user[i]!;
      seen.clear();
      for (const tag of photos.tags[i]!) {
        const key = tagKey(tag);
        let id = idOf.get(key);
        if (id === undefined) {
          id = this.#keys.length;
          idOf.set(key, id);
          this.#keys.push(key);
        }
        if (!seen.has(id)) {
          seen.add(id);
          flat.push(id);
        }
      }
      this.#tagStart[p + 1] = flat.length;
    }
    this.#tagFlat = Int32Array.from(flat);
    this.#hits = new Int32Array(Math.max(1, n));
    this.#nextHit = new Int32Array(Math.max(1, n));
    this.#slotOf = new Int32Array(this.#keys.length).fill(-1);
    this.#userQuery = new Int32Array(maxUser + 1);
    this.#userFirstHit = new Int32Array(maxUser + 1);
    this.#usersSeen = new Int32Array(Math.min(n, maxUser + 1));
  }

  /**
   * Distinct photographers within radiusM of a point, and per tag key among
   * `keys` (a place's own tags: the only ones naming compares). Asking the
   * result about a key outside `keys` is a programming error and throws.
   * Distance is measured in the plane tangent at the query's own latitude,
   * so the answer depends only on the photos in the circle, not on which
   * others were loaded with them: one background serves a whole pass, and
   * incremental passes name places as a full rebuild does.
   */
  around(lat: number, lng: number, radiusM: number, keys: Iterable<string>, variants?: TagVariants): TagStats {
    const slotOf = this.#slotOf;
    const asked: { key: string; slot: number }[] = [];
    const slotIds: number[] = [];
    let slots = 0;
    for (const key of keys) {
      // A group of variants is one slot: a photographer who used any of them counts once.
      let slot = -1;
      for (const member of variants?.get(key) ?? [key]) {
        const id = this.#idOf.get(member);
        if (id === undefined) continue; // no photo here has it
        if (slotOf[id] === -1) {
          if (slot === -1) slot = slots++;
          slotOf[id] = slot;
          slotIds.push(id);
        } else slot = slotOf[id]!;
      }
      asked.push({ key, slot }); // -1: no photo here has it, its count is 0
    }
    const lastUser = new Int32Array(slots).fill(-1);
    const counts = new Int32Array(slots);
    let users = 0;
    const hits = this.#hits;
    const found = this.#grid.withinCircle(lat, lng, radiusM, hits);
    if (found > 0) {
      const userAt = this.#userAt;
      const tagStart = this.#tagStart;
      const tagFlat = this.#tagFlat;
      const userQuery = this.#userQuery;
      const firstHit = this.#userFirstHit;
      const nextHit = this.#nextHit;
      const usersSeen = this.#usersSeen;
      if (this.#query === 0x7fffffff) {
        userQuery.fill(0);
        this.#query = 0;
      }
      const query = ++this.#query;
      // First the photographers in the circle, each with a list of their photos in it …
      for (let h = 0; h < found; h++) {
        const u = userAt[hits[h]!]!;
        if (userQuery[u] !== query) {
          userQuery[u] = query;
          firstHit[u] = -1;
          usersSeen[users++] = u;
        }
        nextHit[h] = firstHit[u]!;
        firstHit[u] = h;
      }
      // … then each photographer's tags, once per asked key.
      if (slots > 0) {
        for (let i = 0; i < users; i++) {
          const u = usersSeen[i]!;
          for (let h = firstHit[u]!; h !== -1; h = nextHit[h]!) {
            const p = hits[h]!;
            for (let s = tagStart[p]!, end = tagStart[p + 1]!; s < end; s++) {
              const k = slotOf[tagFlat[s]!]!;
              if (k === -1 || lastUser[k] === u) continue;
              lastUser[k] = u;
              counts[k]!++;
            }
          }
        }
      }
    }
    const result = new Map<string, number>();
    for (const { key, slot } of asked) result.set(key, slot === -1 ? 0 : counts[slot]!);
    for (const id of slotIds) slotOf[id] = -1;
    return {
      userCount: users,
      usersWith: (key) => {
        const n = result.get(key);
        if (n === undefined)
          throw new Error(`LocalTagBackground: ${JSON.stringify(key)} was not among the keys asked for`);
        return n;
      },
    };
  }
}
