/**
 * What bench:api-scale asks the API: questions where the hotspots are (positions of 2,000 hotspots among
 * ids 1 … `hotspots` drawn with the seed, moved up to 500 m; words of their tags). Boxes and searches differ in
 * every request, so none is answered from a cache.
 */
import type { Sql } from '@photospots/db';
import { seededRandom } from '@photospots/geo';
import type { Endpoint } from './bare-comparison.ts';

export async function scaleEndpoints(sql: Sql, hotspots: number, seed: number): Promise<Endpoint[]> {
  const rnd = seededRandom(seed);
  const picks = Array.from({ length: 2_000 }, () => 1 + Math.floor(rnd() * hotspots));
  const places = await sql<{ lat: number; lng: number; word: string; kind: string }[]>`
    select lat, lng, top_tags[1] as word, top_tags[2] as kind from hotspots where id = any(${picks}) order by id`;
  const near = (i: number, spreadM: number) => {
    const p = places[i % places.length]!;
    return { lat: p.lat + ((rnd() - 0.5) * spreadM) / 111_320, lng: p.lng + ((rnd() - 0.5) * spreadM) / 70_000 };
  };
  const box = (i: number, dLng: number, dLat: number) => {
    const { lat, lng } = near(i, 1000);
    return `${(lng - dLng).toFixed(4)},${(lat - dLat).toFixed(4)},${(lng + dLng).toFixed(4)},${(lat + dLat).toFixed(4)}`;
  };
  return [
    {
      name: 'nearby',
      note: '1,000 points near hotspots (never cached), r=1 km, limit 20',
      paths: Array.from({ length: 1_000 }, (_, i) => {
        const { lat, lng } = near(i, 1000);
        return `/v1/hotspots/nearby?lat=${lat.toFixed(5)}&lng=${lng.toFixed(5)}&radius=1000&limit=20`;
      }),
    },
    {
      name: 'bbox',
      note: 'every request a new box ≈ 3×2 km, limit 50',
      paths: Array.from({ length: 100_000 }, (_, i) => `/v1/hotspots?bbox=${box(i, 0.02, 0.01)}&limit=50`),
    },
    {
      name: 'clusters z13',
      note: 'every request a new city-wide box, zoom=13, limit 200',
      paths: Array.from({ length: 100_000 }, (_, i) => `/v1/hotspots?bbox=${box(i, 0.15, 0.07)}&zoom=13&limit=200`),
    },
    {
      name: 'search',
      note: 'every request new: a tag word (1 in 5 a kind: kirche, bridge…) within 20 km',
      paths: Array.from({ length: 100_000 }, (_, i) => {
        const p = places[i % places.length]!;
        const q = i % 5 === 4 ? p.kind : p.word;
        return `/v1/hotspots/search?q=${encodeURIComponent(q)}&lat=${p.lat}&lng=${p.lng}&radius=${20_000 + i}&limit=20`;
      }),
    },
  ];
}
