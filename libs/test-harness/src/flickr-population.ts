import { seededRandom } from '@photospots/geo';

/** A photo as the fake Flickr holds it (the fields flickr.photos.search can return). */
export interface FakeFlickrPhoto {
  id: string;
  owner: string;
  ownername: string;
  secret: string;
  server: string;
  title: string;
  /** Flickr licence id. */
  license: string;
  /** Epoch seconds. */
  dateupload: number;
  /** "YYYY-MM-DD HH:MM:SS", the camera's wall clock. */
  datetaken: string;
  datetakenunknown: boolean;
  views: number;
  tags: string[];
  latitude: number;
  longitude: number;
  /** No url_q (Flickr omits sizes it has not rendered). */
  noSmallImage?: boolean;
}

export interface PopulationOptions {
  count?: number;
  seed?: number;
  /** Photos are spread over this box… */
  bbox?: { minLng: number; minLat: number; maxLng: number; maxLat: number };
  /** …with this share packed around the centre (a city's old town). */
  centre?: { lat: number; lng: number };
  denseShare?: number;
  /** Upload times are spread over [from, to] (epoch seconds). */
  from?: number;
  to?: number;
  /**
   * Photos of the dense centre uploaded in one and the same second (a bulk
   * upload): more than the cap, so no time split can help and the harvester
   * must split the box.
   */
  burst?: { count: number; at: number };
}

/** Dresden, the bundled sample's city: the default population lives there. */
export const FAKE_FLICKR_BBOX = { minLng: 13.6, minLat: 50.98, maxLng: 13.9, maxLat: 51.12 };
const FRAUENKIRCHE = { lat: 51.0519, lng: 13.7416 };
const TAGS = [
  'dresden',
  'germany',
  'sachsen',
  'frauenkirche',
  'elbe',
  'zwinger',
  'semperoper',
  'altstadt',
  'brücke',
  'straße',
  'night',
  'architecture',
];
/** Mostly Creative Commons (ids 1–6, 9, 11–16), some not (0, 7, 8, 10): the licence filter must bite. */
const LICENCE_MIX = [
  '4',
  '4',
  '4',
  '5',
  '2',
  '1',
  '3',
  '6',
  '9',
  '11',
  '12',
  '14',
  '15',
  '16',
  '13',
  '0',
  '0',
  '7',
  '10',
  '8',
];

const pad = (n: number) => String(n).padStart(2, '0');
const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

/**
 * Generates a population of geotagged photos: most around a dense centre, the
 * rest spread over the box, uploads over years, a few hundred photographers
 * with very unequal output, and a licence mix. Deterministic for a seed.
 */
export function generateFlickrPopulation(options: PopulationOptions = {}): FakeFlickrPhoto[] {
  const count = options.count ?? 20_000;
  const random = seededRandom(options.seed ?? 1);
  const box = options.bbox ?? FAKE_FLICKR_BBOX;
  const centre = options.centre ?? FRAUENKIRCHE;
  const denseShare = options.denseShare ?? 0.6;
  const from = options.from ?? Date.UTC(2008, 0, 1) / 1000;
  const to = options.to ?? Date.UTC(2020, 11, 31, 23, 59, 59) / 1000;
  const burst = options.burst;
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const owners = Array.from({ length: 400 }, (_, i) => `${10_000_000 + i * 7919}@N0${i % 8}`);

  const photos: FakeFlickrPhoto[] = [];
  for (let i = 0; i < count; i++) {
    const inBurst = burst !== undefined && i < burst.count;
    const dense = inBurst || random() < denseShare;
    let lat: number;
    let lng: number;
    if (dense) {
      lat = Math.min(box.maxLat, Math.max(box.minLat, centre.lat + gaussian() * 0.004));
      lng = Math.min(box.maxLng, Math.max(box.minLng, centre.lng + gaussian() * 0.006));
    } else {
      lat = box.minLat + random() * (box.maxLat - box.minLat);
      lng = box.minLng + random() * (box.maxLng - box.minLng);
    }
    const upload = inBurst ? burst.at : Math.floor(from + random() * (to - from));
    const takenMs = (upload - Math.floor(random() * 86_400 * 30)) * 1000;
    const t = new Date(takenMs);
    // Owners follow a steep power law: a few photographers upload most photos.
    const owner = owners[Math.floor(owners.length * random() ** 3)]!;
    photos.push({
      id: String(5_000_000_000 + i * 37),
      owner,
      ownername: `Photographer ${owner.slice(0, 4)} "${owner.slice(-3)}"`,
      secret: Math.floor(random() * 0xffffffffff)
        .toString(16)
        .padStart(10, '0'),
      server: String(65_000 + (i % 500)),
      title: i % 11 === 0 ? '' : `Photo ${i} — ${TAGS[i % TAGS.length]}`,
      license: LICENCE_MIX[Math.floor(random() * LICENCE_MIX.length)]!,
      dateupload: upload,
      datetaken: `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`,
      datetakenunknown: i % 97 === 0,
      views: Math.floor(random() ** 4 * 5000),
      tags: TAGS.filter(() => random() < 0.25),
      latitude: round6(lat),
      longitude: round6(lng),
      ...(i % 53 === 0 ? { noSmallImage: true } : {}),
    });
  }
  return photos;
}
