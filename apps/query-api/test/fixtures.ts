import type { TestEnv } from '@photospots/test-harness';
import type { FastifyInstance } from 'fastify';
import { buildApp, type QueryApiDeps } from '../src/app.ts';
import { loadQueryApiConfig } from '../src/config.ts';

export interface HotspotSeed {
  label: string | null;
  lat: number;
  lng: number;
  score: number;
  users?: number;
  tags?: readonly string[];
  status?: 'active' | 'retired';
  successorId?: number | null;
  hull?: string | null;
  months?: number[] | null;
  hours?: number[] | null;
  components?: Record<string, number> | null;
}

/** Inserts a hotspot row directly (what processing and scoring would have written). */
export async function insertHotspot(env: TestEnv, h: HotspotSeed): Promise<number> {
  const users = h.users ?? 10;
  const [{ id }] = await env.database.sql<{ id: number }[]>`
    insert into hotspots (lat, lng, tile, radius_m, photo_count, user_count, user_days, view_count, label, top_tags, score,
                          status, successor_id, hull, month_histogram, hour_histogram, score_components, scored_at,
                          first_photo_at, last_photo_at)
    values (${h.lat}, ${h.lng}, 1, 40, ${users * 2}, ${users}, ${users + 1}, ${users * 100}, ${h.label},
            ${[...(h.tags ?? (h.label ? [h.label.toLowerCase()] : []))]}, ${h.score}, ${h.status ?? 'active'}, ${h.successorId ?? null},
            ${h.hull ? env.database.sql`st_geogfromtext(${h.hull})` : null}, ${h.months ?? null}, ${h.hours ?? null},
            ${h.components ? JSON.stringify(h.components) : null}::jsonb, ${h.components ? '2026-01-02T03:04:05Z' : null},
            '2012-05-01T10:00:00Z', '2024-08-01T10:00:00Z')
    returning id`;
  return id;
}

export interface PhotoSeed {
  sourceId: string;
  ownerId?: string;
  ownerName?: string | null;
  source?: string;
  takenAt?: string | null;
  views?: number;
  title?: string | null;
  license?: string | null;
  imageUrl?: string | null;
  thumbnailKey?: string | null;
}

/** Inserts photos as members of a hotspot; returns their ids in order. */
export async function insertPhotos(env: TestEnv, hotspotId: number, photos: PhotoSeed[]): Promise<number[]> {
  const ids: number[] = [];
  for (const p of photos) {
    const [{ id }] = await env.database.sql<{ id: number }[]>`
      insert into photos (source, source_id, owner_id, owner_name, lat, lng, tile, taken_at, views, title, license, image_url, thumbnail_key)
      values (${p.source ?? 'flickr'}, ${p.sourceId}, ${p.ownerId ?? '12345678@N00'}, ${p.ownerName ?? null}, 51.05, 13.74, 1,
              ${p.takenAt ?? null}, ${p.views ?? 0}, ${p.title ?? null}, ${p.license ?? null}, ${p.imageUrl ?? null}, ${p.thumbnailKey ?? null})
      returning id`;
    await env.database.sql`insert into hotspot_photos (hotspot_id, photo_id) values (${hotspotId}, ${id})`;
    ids.push(id);
  }
  return ids;
}

/** A query API on this test env; `config` overrides env variables. */
export async function buildTestApp(
  env: TestEnv,
  config: Record<string, string> = {},
  deps: Partial<QueryApiDeps> = {},
): Promise<FastifyInstance> {
  return buildApp(
    loadQueryApiConfig(env.serviceEnv({ LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...config })),
    { database: env.database, redis: env.redis, ...deps },
  );
}

/** Dresden landmarks used across the tests. */
export const DRESDEN = {
  frauenkirche: {
    label: 'Frauenkirche',
    lat: 51.05193,
    lng: 13.74138,
    score: 640,
    tags: ['frauenkirche', 'church', 'neumarkt'],
  },
  semperoper: { label: 'Semperoper', lat: 51.05382, lng: 13.73584, score: 620, tags: ['semperoper', 'opera'] },
  zwinger: { label: 'Zwinger', lat: 51.05295, lng: 13.73395, score: 600, tags: ['zwinger', 'palace'] },
  bruehl: {
    label: 'Brühlsche Terrasse',
    lat: 51.05303,
    lng: 13.74356,
    score: 500,
    tags: ['brühlscheterrasse', 'elbe', 'terrasse'],
  },
  neustadt: { label: 'Äußere Neustadt', lat: 51.06651, lng: 13.75449, score: 300, tags: ['neustadt', 'streetart'] },
  blueWonder: { label: 'Blaues Wunder', lat: 51.05305, lng: 13.80895, score: 250, tags: ['bridge', 'elbe'] },
} as const;
