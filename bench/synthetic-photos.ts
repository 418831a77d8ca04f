/**
 * Deterministic synthetic photo sets for benchmarks: thousands of dense
 * centres of very different popularity, photographers of very different
 * activity (a few prolific ones), bursts of several shots per visit, and
 * uniform noise. Seeded, so every run measures the same data.
 */
import { createWriteStream } from 'node:fs';
import { offsetMeters, type BBox } from '@photospots/geo';
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

/**
 * One visit to a spot: a burst of 1–6 shots a few metres apart, somewhere within the spot's spread
 * (Rayleigh-distributed distance from its centre).
 */
function visit(random: () => number, c: { lat: number; lng: number; spread: number }): { lat: number; lng: number }[] {
  const burst = 1 + Math.floor(random() * random() * 6);
  const r = c.spread * Math.sqrt(-2 * Math.log(1 - random() * 0.999)) * 0.5;
  const a = 2 * Math.PI * random();
  const at = offsetMeters(c.lat, c.lng, r * Math.cos(a), r * Math.sin(a));
  return Array.from({ length: burst }, () => offsetMeters(at.lat, at.lng, (random() - 0.5) * 8, (random() - 0.5) * 8));
}

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
    for (const shot of visit(random, centres[pick(o.centres, 2.2)]!)) {
      if (i === n) break;
      lat[i] = shot.lat;
      lng[i] = shot.lng;
      user[i++] = u;
    }
  }
  return { lat, lng, user, count: n };
}

export interface CountryOptions {
  photos: number;
  /** Towns and cities, of Zipf-like sizes: the largest draws about an eighth of all photos. */
  towns: number;
  /** Photographers; how many photos each takes is long-tailed (a few take thousands). */
  users: number;
  /** Share of photos anywhere in a town rather than at one of its spots. */
  townNoise: number;
  /** Share of photos anywhere in the country. */
  ruralNoise: number;
  /** Share of visits in the photographer's home town (the rest are trips, to towns by their size). */
  atHome: number;
  bounds: BBox;
  seed: number;
}

/** Germany's extent: the default country. */
export const DEFAULT_COUNTRY: CountryOptions = {
  photos: 10_000_000,
  towns: 2_000,
  users: 0,
  townNoise: 0.1,
  ruralNoise: 0.05,
  atHome: 0.6,
  bounds: { minLat: 47.3, maxLat: 55.0, minLng: 6.0, maxLng: 15.0 },
  seed: 7,
};

export interface CountryPhotos extends SyntheticPhotos {
  /** The town of each photo (-1: rural), and the spot within it (-1: none). */
  town: Int32Array;
  spot: Int32Array;
}

/**
 * A country's photos: `towns` towns of Zipf-like sizes (radius 1–13 km, 3–60
 * photo spots each, ~7,000 spots in all by default, each spot itself more or
 * less popular), photographers who mostly shoot at home and sometimes travel,
 * bursts of shots per visit, noise in towns and in the countryside. The towns
 * and spots depend on the seed only, so 1M, 3M and 10M photos of one seed are
 * the same country photographed more.
 */
export function countryPhotos(options: Partial<CountryOptions> = {}): CountryPhotos {
  const o = { ...DEFAULT_COUNTRY, ...options };
  const n = o.photos;
  const users = o.users || Math.max(20_000, Math.round(n / 20));
  const random = seededRandom(o.seed);
  const b = o.bounds;
  const uniform = () => ({
    lat: b.minLat + random() * (b.maxLat - b.minLat),
    lng: b.minLng + random() * (b.maxLng - b.minLng),
  });
  const towns = Array.from({ length: o.towns }, (_, r) => {
    const share = 1 / (r + 1); // relative to the largest town
    const centre = uniform();
    const radiusM = 1000 + 12_000 * Math.sqrt(share);
    const spots = Array.from({ length: Math.ceil(3 + 57 * share ** 0.6) }, () => {
      const d = radiusM * Math.sqrt(random()) * 0.8;
      const a = 2 * Math.PI * random();
      return { ...offsetMeters(centre.lat, centre.lng, d * Math.cos(a), d * Math.sin(a)), spread: 15 + random() * 60 };
    });
    return { centre, radiusM, share, spots };
  });
  const cumulative = new Float64Array(o.towns);
  towns.reduce((sum, t, i) => (cumulative[i] = sum + t.share), 0);
  const total = cumulative[o.towns - 1]!;
  const townAt = (u: number) => {
    const x = u * total;
    let lo = 0;
    let hi = o.towns - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const home = Int32Array.from({ length: users }, () => townAt(random()));
  const pick = (k: number, s: number) => Math.min(k - 1, Math.floor(k * random() ** s));
  const lat = new Float64Array(n);
  const lng = new Float64Array(n);
  const user = new Int32Array(n);
  const town = new Int32Array(n);
  const spot = new Int32Array(n);
  let i = 0;
  while (i < n) {
    const u = pick(users, 3);
    const roll = random();
    if (roll < o.ruralNoise) {
      const p = uniform();
      lat[i] = p.lat;
      lng[i] = p.lng;
      town[i] = -1;
      spot[i] = -1;
      user[i++] = u;
      continue;
    }
    const t = random() < o.atHome ? home[u]! : townAt(random());
    const tw = towns[t]!;
    if (roll < o.ruralNoise + o.townNoise) {
      const d = tw.radiusM * Math.sqrt(random());
      const a = 2 * Math.PI * random();
      const p = offsetMeters(tw.centre.lat, tw.centre.lng, d * Math.cos(a), d * Math.sin(a));
      lat[i] = p.lat;
      lng[i] = p.lng;
      town[i] = t;
      spot[i] = -1;
      user[i++] = u;
      continue;
    }
    const s = pick(tw.spots.length, 2);
    for (const shot of visit(random, tw.spots[s]!)) {
      if (i === n) break;
      lat[i] = shot.lat;
      lng[i] = shot.lng;
      town[i] = t;
      spot[i] = s;
      user[i++] = u;
    }
  }
  return { lat, lng, user, town, spot, count: n };
}

const LBSN_HEADER =
  'origin_id,lat,lng,guid,user_guid,post_create_date,post_publish_date,post_body,hashtags,emoji,post_views_count,post_like_count,loc_id,loc_name';

/** Where a synthetic file's photos are: around Dresden (30 km square), or a country (Germany's extent). */
export type SyntheticRegion = 'city' | 'country';

/** Writes `photos` synthetic photos as an LBSN CSV (the bench:pipeline file): source ids s0…s(N-1). */
export async function writeSyntheticLbsnCsv(
  file: string,
  photos: number,
  region: SyntheticRegion = 'city',
): Promise<void> {
  const p =
    region === 'city' ? syntheticPhotos({ photos, lat: 51.05, lng: 13.74, halfSizeKm: 15 }) : countryPhotos({ photos });
  const tags =
    region === 'city'
      ? (i: number) => `tag${p.user[i]! % 50};dresden;place${i % 997}`
      : (i: number) => {
          const { town, spot } = p as CountryPhotos;
          const t = town[i]!;
          if (t < 0) return `tag${p.user[i]! % 50};landscape`;
          return spot[i]! < 0 ? `town${t};tag${p.user[i]! % 50}` : `town${t};spot${t}x${spot[i]};tag${p.user[i]! % 50}`;
        };
  const out = createWriteStream(file);
  out.write(`${LBSN_HEADER}\n`);
  for (let i = 0; i < photos; i++) {
    const year = region === 'city' ? 2019 : 2010 + (i % 15);
    const line = `"2",${p.lat[i]!.toFixed(6)},${p.lng[i]!.toFixed(6)},"s${i}","u${p.user[i]}","${year}-05-${String(1 + (i % 28)).padStart(2, '0')}","${year}-06-01","","${tags(i)}","",${i % 1000},0,"",""\n`;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}
