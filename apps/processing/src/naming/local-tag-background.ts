import KDBush from 'kdbush';
import { tagKey, type TagStats } from '@photospots/tags';
import type { WindowPhotos } from '../clustering/window-photos.ts';

const M_PER_DEG = 111_320;

/**
 * Tag usage by photographer around any point of a window: the "surroundings"
 * a hotspot's tags are compared with. Local (a few hundred metres), so a name
 * shared by a whole riverbank ("elbe") loses to what is special about one spot
 * on it, and so the result depends only on nearby photos (incremental
 * re-clustering then names places exactly as a full rebuild does).
 */
export class LocalTagBackground {
  readonly #index: KDBush;
  readonly #cosLat: number;
  readonly #order: Int32Array;
  readonly #photos: WindowPhotos;
  readonly #tagIds: Int32Array[];
  readonly #keys: string[] = [];
  readonly #idOf = new Map<string, number>();
  // Scratch space for around(): per tag, the last photographer counted and the count.
  #lastUser = new Int32Array(0);
  #counts = new Int32Array(0);

  constructor(photos: WindowPhotos) {
    this.#photos = photos;
    const n = photos.count;
    let latSum = 0;
    for (let i = 0; i < n; i++) latSum += photos.lat[i]!;
    this.#cosLat = Math.cos(((n > 0 ? latSum / n : 0) * Math.PI) / 180);
    // Photos sorted by photographer, so distinct photographers per tag count in one pass.
    this.#order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => photos.user[a]! - photos.user[b]! || a - b);
    const idOf = this.#idOf;
    this.#tagIds = photos.tags.map((tags) =>
      Int32Array.from(new Set(tags.map(tagKey)), (key) => {
        let id = idOf.get(key);
        if (id === undefined) {
          id = this.#keys.length;
          idOf.set(key, id);
          this.#keys.push(key);
        }
        return id;
      }),
    );
    this.#lastUser = new Int32Array(this.#keys.length).fill(-1);
    this.#counts = new Int32Array(this.#keys.length);
    this.#index = new KDBush(Math.max(1, n));
    for (let k = 0; k < n; k++) {
      const i = this.#order[k]!;
      this.#index.add(photos.lng[i]! * this.#cosLat * M_PER_DEG, photos.lat[i]! * M_PER_DEG);
    }
    if (n === 0) this.#index.add(0, 0);
    this.#index.finish();
  }

  /** Distinct photographers per tag within radiusM of a point. */
  around(lat: number, lng: number, radiusM: number): TagStats {
    const hits = this.#photos.count === 0 ? [] : this.#index.within(lng * this.#cosLat * M_PER_DEG, lat * M_PER_DEG, radiusM);
    const order = Int32Array.from(hits).sort(); // index order = photographer order
    const lastUser = this.#lastUser;
    const counts = this.#counts;
    const touched: number[] = [];
    let users = 0;
    let previousUser = -1;
    for (const k of order) {
      const i = this.#order[k]!;
      const u = this.#photos.user[i]!;
      if (u !== previousUser) {
        users++;
        previousUser = u;
      }
      for (const t of this.#tagIds[i]!) {
        if (lastUser[t] === u) continue;
        if (lastUser[t] === -1) touched.push(t);
        lastUser[t] = u;
        counts[t]!++;
      }
    }
    // Copy out the counts this point needs, then reset the scratch arrays.
    const result = new Map<string, number>();
    for (const t of touched) {
      result.set(this.#keys[t]!, counts[t]!);
      counts[t] = 0;
      lastUser[t] = -1;
    }
    return { userCount: users, usersWith: (key) => result.get(key) ?? 0 };
  }
}
