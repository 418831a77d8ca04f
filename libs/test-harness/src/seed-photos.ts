import { readFileSync } from 'node:fs';
import type { Queryable } from '@photospots/db';
import { tileKeyOf } from '@photospots/geo';
import { parse } from 'csv-parse/sync';
import { DRESDEN_SAMPLE_CSV } from './fixtures.ts';

/** A photo row for seeding tests that exercise processing, scoring or the API directly. */
export interface SeedPhoto {
  sourceId: string;
  ownerId: string;
  lat: number;
  lng: number;
  takenAt?: Date | null;
  /** When the photo was uploaded; its taken time when not given. */
  uploadedAt?: Date | null;
  tags?: string[];
  title?: string | null;
  views?: number;
}

/** Reads the Dresden sample into SeedPhotos (no validation: the sample is clean). */
export function readSamplePhotos(file = DRESDEN_SAMPLE_CSV): SeedPhoto[] {
  const records = parse(readFileSync(file), { columns: true, bom: true }) as Record<string, string>[];
  return records.map((r) => ({
    sourceId: r.guid!,
    ownerId: r.user_guid!,
    lat: Number(r.lat),
    lng: Number(r.lng),
    takenAt: r.post_create_date ? new Date(`${r.post_create_date}T00:00:00Z`) : null,
    tags: (r.hashtags ?? '')
      .split(';')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
    views: Number(r.post_views_count || 0),
  }));
}

/** Inserts photos (source 'flickr') in one statement per 5,000; returns their tiles. */
export async function seedPhotos(sql: Queryable, photos: readonly SeedPhoto[]): Promise<number[]> {
  const tiles = new Set<number>();
  for (let i = 0; i < photos.length; i += 5_000) {
    const rows = photos.slice(i, i + 5_000).map((p) => {
      const tile = tileKeyOf(p.lat, p.lng);
      tiles.add(tile);
      return {
        source_id: p.sourceId,
        owner_id: p.ownerId,
        lat: p.lat,
        lng: p.lng,
        tile,
        taken_at: p.takenAt?.toISOString() ?? null,
        uploaded_at: (p.uploadedAt === undefined ? p.takenAt : p.uploadedAt)?.toISOString() ?? null,
        tags: p.tags ?? [],
        title: p.title ?? null,
        views: p.views ?? 0,
      };
    });
    await sql`
      insert into photos (source, source_id, owner_id, lat, lng, tile, taken_at, uploaded_at, tags, title, views)
      select 'flickr', source_id, owner_id, lat, lng, tile, taken_at, uploaded_at, tags, title, views
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as v(source_id text, owner_id text, lat float8, lng float8, tile int,
             taken_at timestamptz, uploaded_at timestamptz, tags text[], title text, views int)`;
  }
  return [...tiles];
}
