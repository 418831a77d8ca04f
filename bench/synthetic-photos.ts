/**
 * Deterministic synthetic photo sets for benchmarks: thousands of dense
 * centres of very different popularity, photographers of very different
 * activity (a few prolific ones), bursts of several shots per visit, and
 * uniform noise. Seeded, so every run measures the same data.
 */
import { createWriteStream } from 'node:fs';
import { offsetMeters } from '@photospots/geo';
import { seededRandom } from '@photospots/test-harness';

export interface SyntheticPhotos {
  lat: Float64Array;
  lng: Float64Array;
  user: Int32Array;
  count: number;
}

export interface SyntheticOptions {
  photos: number;
  centres: number;
  users: number;
  /** Share of photos scattered uniformly (not at any centre). */
  noise: number;
  /** Region centre and half-size in km. */
  lat: number;
  lng: number;
  halfSizeKm: number;
  seed: number;
}

export const DEFAULT_SYNTHETIC: SyntheticOptions = {
  photos: 1_000_000,
  centres: 4_000,
  users: 150_000,
  noise: 0.2,
  lat: 50.9,
  lng: 13.5,
  halfSizeKm: 30,
  seed: 42,
};

/** Generates photos; `region` overrides where the centres and noise fall. */
export function syntheticPhotos(options: Partial<SyntheticOptions> = {}): SyntheticPhotos {
  const o = { ...DEFAULT_SYNTHETIC, ...options };
  const random = seededRandom(o.seed);
  const n = o.photos;
  const lat = new Float64Array(n);
  const lng = new Float64Array(n);
  const user = new Int32Array(n);
  const half = o.halfSizeKm * 1000;
  const centres = Array.from({ length: o.centres }, () => {
    const p = offsetMeters(o.lat, o.lng, (random() * 2 - 1) * half, (random() * 2 - 1) * half);
    return { ...p, spread: 15 + random() * 60 };
  });
  // Zipf-like weights: a few centres and a few photographers draw most photos.
  const pick = (k: number, s: number) => Math.min(k - 1, Math.floor(k * random() ** s));
  let i = 0;
  while (i < n) {
    const u = pick(o.users, 3);
    if (random() < o.noise) {
      const p = offsetMeters(o.lat, o.lng, (random() * 2 - 1) * half, (random() * 2 - 1) * half);
      lat[i] = p.lat;
      lng[i] = p.lng;
      user[i++] = u;
      continue;
    }
    const c = centres[pick(o.centres, 2.2)]!;
    // A visit: a burst of 1–6 shots a few metres apart.
    const burst = 1 + Math.floor(random() * random() * 6);
    const r = c.spread * Math.sqrt(-2 * Math.log(1 - random() * 0.999)) * 0.5;
    const a = 2 * Math.PI * random();
    const spot = offsetMeters(c.lat, c.lng, r * Math.cos(a), r * Math.sin(a));
    for (let b = 0; b < burst && i < n; b++) {
      const jitter = offsetMeters(spot.lat, spot.lng, (random() - 0.5) * 8, (random() - 0.5) * 8);
      lat[i] = jitter.lat;
      lng[i] = jitter.lng;
      user[i++] = u;
    }
  }
  return { lat, lng, user, count: n };
}

const LBSN_HEADER =
  'origin_id,lat,lng,guid,user_guid,post_create_date,post_publish_date,post_body,hashtags,emoji,post_views_count,post_like_count,loc_id,loc_name';

/** Writes `photos` synthetic photos around Dresden as an LBSN CSV (the bench:pipeline file): source ids s0…s(N-1). */
export async function writeSyntheticLbsnCsv(file: string, photos: number): Promise<void> {
  const p = syntheticPhotos({ photos, lat: 51.05, lng: 13.74, halfSizeKm: 15 });
  const out = createWriteStream(file);
  out.write(`${LBSN_HEADER}\n`);
  for (let i = 0; i < photos; i++) {
    const line = `"2",${p.lat[i]!.toFixed(6)},${p.lng[i]!.toFixed(6)},"s${i}","u${p.user[i]}","2019-05-${String(1 + (i % 28)).padStart(2, '0')}","2019-06-01","","tag${p.user[i]! % 50};dresden;place${i % 997}","",${i % 1000},0,"",""\n`;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}
