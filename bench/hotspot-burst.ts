/**
 * A burst of changed hotspots written the way processing and scoring write
 * them, for the API's change feed to catch up with: in one processing-like
 * transaction (processing's own repository functions) some hotspots gain
 * member photos (new counts, hull and last photo; some a new label), some
 * retire (half merged into a changed neighbour), some are new; then their
 * scores are stored with scoring's formula and repository, and the Redis
 * index is updated and the change announced with scoring's writer, in
 * scoring's chunks of 1,000 ids and its order (created and changed upserted,
 * then the retired removed). The messages are held back until everything is
 * stored, so the announcements go out back to back: the API sees the whole
 * burst at once.
 *
 * Scores are computed from the hotspots' counts (as the fill computed them),
 * not re-aggregated from member photos as scoring's rescore does: the fill
 * stores only a few members per hotspot, so a rescore from them would not be
 * the score production would store.
 *
 * What the burst overwrites is kept in undo tables first, and `undoBurst`
 * puts it back, so every run starts from the same database.
 */
import { convexHull, offsetMeters, seededRandom, tileKeyOf } from '@photospots/geo';
import type { Sql, TransactionSql } from '@photospots/db';
import type { HotspotIndexWriter, HotspotSummary } from '@photospots/hotspot-index';
import type { HotspotCandidate } from '../apps/processing/src/clustering/hotspot-candidate.ts';
import {
  insertHotspots,
  replaceMemberships,
  retireHotspots,
  updateHotspots,
} from '../apps/processing/src/hotspots/hotspot-repository.ts';
import { computeScore, type ScoreComponents, type ScoreInputs } from '../apps/scoring/src/scoring/score-formula.ts';
import { loadSummaries, saveScores } from '../apps/scoring/src/scoring/score-repository.ts';

/** scoring's rescore: ids are stored and announced 1,000 at a time. */
const SCORING_CHUNK = 1_000;

export interface Burst {
  createdIds: number[];
  changedIds: number[];
  retiredIds: number[];
  /** What the API must serve for every created or changed hotspot once it caught up. */
  expected: Map<number, HotspotSummary>;
  /** The announcements, in scoring's order: each stores nothing more, only updates Redis and publishes. */
  announcements: { upserts: HotspotSummary[]; removed: number[] }[];
  /** Time of the processing transaction and of scoring's stores (ms). */
  writeMs: number;
  scoreMs: number;
}

interface Stored {
  id: number;
  lat: number;
  lng: number;
  radiusM: number;
  photoCount: number;
  userCount: number;
  userDays: number;
  viewCount: number;
  peakDensity: number;
  label: string | null;
  topTags: string[];
  hull: [number, number][] | null;
  monthHistogram: number[];
  hourHistogram: number[] | null;
  firstPhotoMs: number;
  photoIds: number[];
  components: ScoreComponents;
}

/**
 * Writes a burst of `size` changes (70% changed, 15% retired, 15% new) among
 * hotspots 1 … `hotspots` from `seed`, and prepares its announcements.
 */
export async function writeBurst(sql: Sql, hotspots: number, size: number, seed: number): Promise<Burst> {
  const rnd = seededRandom(seed);
  const retiredCount = Math.round(size * 0.15);
  const createdCount = Math.round(size * 0.15);
  const targets = new Set<number>();
  while (targets.size < size - createdCount) targets.add(1 + Math.floor(rnd() * hotspots));
  const ids = [...targets];
  const changedIds = ids.slice(retiredCount);
  const retiredIds = ids.slice(0, retiredCount);
  await saveUndo(sql, ids);

  const stored = await loadStored(sql, [...changedIds, ...retiredIds]);
  const donors = await sql<{ label: string | null; topTags: string[] }[]>`
    select label, top_tags as "topTags" from hotspots where id = any(${changedIds.map((id) => 1 + ((id * 7919) % hotspots))})`;
  const now = Date.now();
  const writeStarted = performance.now();
  const inputs = new Map<number, ScoreInputs>();
  const createdIds = await sql.begin(async (tx) => {
    // Changed: 1–3 new photos by new photographers inside the radius; 3 in 7 get a new name.
    const newPhotos: { lat: number; lng: number; at: number; tags: string[] }[] = [];
    const updates = changedIds.map((id, i) => {
      const s = stored.get(id)!;
      const added = 1 + Math.floor(rnd() * 3);
      const ring = s.hull ?? [];
      const lng = ring.map((p) => p[0]);
      const lat = ring.map((p) => p[1]);
      for (let k = 0; k < added; k++) {
        const p = offsetMeters(s.lat, s.lng, (rnd() - 0.5) * s.radiusM, (rnd() - 0.5) * s.radiusM);
        newPhotos.push({ lat: p.lat, lng: p.lng, at: now - rnd() * 86_400_000, tags: s.topTags });
        lng.push(p.lng);
        lat.push(p.lat);
      }
      const donor = donors[i % donors.length]!;
      const relabel = i % 7 < 3 && donor.label !== null;
      const c = candidate(s, {
        photoCount: s.photoCount + added,
        userCount: s.userCount + added,
        userDays: s.userDays + added,
        viewCount: s.viewCount + added * 40,
        label: relabel ? donor.label : s.label,
        topTags: relabel ? donor.topTags : s.topTags,
        hull: convexHull(lng, lat),
        lastPhotoAt: new Date(now),
      });
      const old = s.components;
      inputs.set(id, {
        users: c.userCount,
        userDays: c.userDays,
        views: old.views + added * 40,
        favorites: old.favorites,
        recency: (old.recency * old.users + added) / (old.users + added),
      });
      return { id, c, added };
    });
    // New: a place 100–300 m from a retired one, 3–8 photos, all recent.
    const created = retiredIds.slice(0, createdCount).map((from) => {
      const s = stored.get(from)!;
      const centre = offsetMeters(s.lat, s.lng, 100 + rnd() * 200, (rnd() - 0.5) * 400);
      const members = 3 + Math.floor(rnd() * 6);
      const pts = Array.from({ length: members }, () =>
        offsetMeters(centre.lat, centre.lng, (rnd() - 0.5) * 60, (rnd() - 0.5) * 60),
      );
      for (const p of pts) newPhotos.push({ lat: p.lat, lng: p.lng, at: now - rnd() * 3e9, tags: s.topTags });
      return candidate(
        { ...s, lat: round7(centre.lat), lng: round7(centre.lng), radiusM: 30 },
        {
          photoCount: members,
          userCount: members,
          userDays: members,
          viewCount: members * 40,
          label: s.label,
          topTags: s.topTags,
          hull: convexHull(
            pts.map((p) => p.lng),
            pts.map((p) => p.lat),
          ),
          lastPhotoAt: new Date(now),
          firstPhotoAt: new Date(now - 3e9),
        },
      );
    });
    const photoIds = await insertPhotos(tx, newPhotos);
    let next = 0;
    const memberships = updates.map(({ id, added }) => {
      const own = newPhotos.slice(next, next + added).map((_, k) => photoIds[next + k]!);
      next += added;
      return { hotspotId: id, photoIds: [...stored.get(id)!.photoIds, ...own] };
    });
    await updateHotspots(
      tx,
      updates.map(({ id, c }) => ({ id, c })),
    );
    // Half of the retired are merged into a changed hotspot, as identity matching does when two places join.
    await retireHotspots(
      tx,
      retiredIds.map((id, i) => ({ id, successorId: i % 2 === 0 ? changedIds[i % changedIds.length]! : null })),
    );
    const newIds = await insertHotspots(tx, created);
    for (const [i, id] of newIds.entries()) {
      const c = created[i]!;
      const members = newPhotos.slice(next, next + c.photoCount).map((_, k) => photoIds[next + k]!);
      next += c.photoCount;
      memberships.push({ hotspotId: id, photoIds: members });
      inputs.set(id, { users: c.userCount, userDays: c.userDays, views: c.viewCount, favorites: 0, recency: 0.98 });
    }
    await replaceMemberships(tx, changedIds, memberships);
    return newIds;
  });

  const writeMs = performance.now() - writeStarted;
  // Scoring: scores stored chunk by chunk (created first, as its handler orders them), announcements held back.
  const upserted = [...createdIds, ...changedIds];
  const announcements: Burst['announcements'] = [];
  const expected = new Map<number, HotspotSummary>();
  for (let i = 0; i < upserted.length; i += SCORING_CHUNK) {
    const chunk = upserted.slice(i, i + SCORING_CHUNK);
    await saveScores(sql, new Map(chunk.map((id) => [id, computeScore(inputs.get(id)!)])));
    const summaries = await loadSummaries(sql, chunk);
    const present = new Set(summaries.map((s) => s.id));
    announcements.push({ upserts: summaries, removed: chunk.filter((id) => !present.has(id)) });
    for (const s of summaries) expected.set(s.id, s);
  }
  announcements.push({ upserts: [], removed: retiredIds });
  const scoreMs = performance.now() - writeStarted - writeMs;
  return { createdIds, changedIds, retiredIds, expected, announcements, writeMs, scoreMs };
}

/** Sends the burst's announcements back to back through scoring's index writer. */
export async function announceBurst(writer: HotspotIndexWriter, burst: Burst): Promise<void> {
  for (const a of burst.announcements) await writer.apply(a.upserts, a.removed);
}

const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

function candidate(
  s: Stored,
  next: Pick<HotspotCandidate, 'photoCount' | 'userCount' | 'userDays' | 'viewCount' | 'label' | 'topTags'> & {
    hull: [number, number][] | null;
    lastPhotoAt: Date;
    firstPhotoAt?: Date;
  },
): HotspotCandidate {
  return {
    lat: s.lat,
    lng: s.lng,
    tile: tileKeyOf(s.lat, s.lng),
    photoIds: [],
    radiusM: s.radiusM,
    peakDensity: s.peakDensity,
    monthHistogram: s.monthHistogram,
    hourHistogram: s.hourHistogram,
    firstPhotoAt: next.firstPhotoAt ?? new Date(s.firstPhotoMs),
    // Scoring's basis as the burst's scores take it: every photographer new here with one day and 40 views.
    cappedUserDays: next.userDays,
    bestViews: next.viewCount,
    userLastPhotoAt: [next.lastPhotoAt.getTime()],
    ...next,
    hullWkt: next.hull ? `POLYGON((${next.hull.map(([x, y]) => `${x} ${y}`).join(',')}))` : null,
  };
}

async function loadStored(sql: Sql, ids: number[]): Promise<Map<number, Stored>> {
  const rows = await sql<Stored[]>`
    select h.id, h.lat, h.lng, h.radius_m as "radiusM", h.photo_count as "photoCount", h.user_count as "userCount",
           h.user_days as "userDays", h.view_count as "viewCount", h.peak_density as "peakDensity", h.label,
           h.top_tags as "topTags", st_asgeojson(h.hull::geometry, 7)::json -> 'coordinates' -> 0 as hull,
           h.month_histogram as "monthHistogram", h.hour_histogram as "hourHistogram",
           extract(epoch from h.first_photo_at)::float8 * 1000 as "firstPhotoMs", h.score_components as components,
           array(select hp.photo_id from hotspot_photos hp where hp.hotspot_id = h.id order by hp.photo_id) as "photoIds"
    from hotspots h where h.id = any(${ids})`;
  return new Map(rows.map((r) => [r.id, r]));
}

/** New member photos as ingest stores Flickr photos; returns their ids in input order. */
async function insertPhotos(
  tx: TransactionSql,
  photos: readonly { lat: number; lng: number; at: number; tags: string[] }[],
): Promise<number[]> {
  const [{ base }] = await tx<{ base: number }[]>`select coalesce(max(id), 0)::int8 as base from photos`;
  const rows = await tx<{ id: number }[]>`
    insert into photos (source, source_id, owner_id, owner_name, lat, lng, tile, taken_at, uploaded_at, tags, title, views,
                        license, image_url)
    select 'flickr', (53000000000 + ${base} + v.ord)::text, 'fo_' || md5('burst-owner:' || v.ord), null,
           v.lat, v.lng, v.tile, to_timestamp(v.at / 1000), to_timestamp(v.at / 1000), string_to_array(v.tags, ' '),
           null, 0, 'CC0-1.0', null
    from unnest(${photos.map((p) => round6(p.lat))}::float8[], ${photos.map((p) => round6(p.lng))}::float8[],
                ${photos.map((p) => tileKeyOf(p.lat, p.lng))}::int[], ${photos.map((p) => p.at)}::float8[],
                ${photos.map((p) => p.tags.join(' '))}::text[]) with ordinality as v(lat, lng, tile, at, tags, ord)
    order by v.ord
    returning id`;
  return rows.map((r) => r.id);
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Keeps what the burst will overwrite: the targets' rows and memberships, and the highest ids. */
async function saveUndo(sql: Sql, ids: number[]): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`create table bench_burst_undo as select * from hotspots where id = any(${ids})`;
    await tx`create table bench_burst_undo_members as select * from hotspot_photos where hotspot_id = any(${ids})`;
    await tx`create table bench_burst_undo_ids as
      select (select max(id) from hotspots) as hotspots, (select max(id) from photos) as photos`;
  });
}

/**
 * Puts back what an earlier burst changed (its rows, memberships and ids); returns the ids whose index
 * entries must be refreshed (restored) or dropped (created by the burst), or undefined when there was none.
 */
export async function undoBurst(sql: Sql): Promise<{ restored: number[]; dropped: number[] } | undefined> {
  const [pending] =
    await sql`select 1 from pg_tables where schemaname = 'public' and tablename = 'bench_burst_undo_ids'`;
  if (!pending) return undefined;
  return sql.begin(async (tx) => {
    const [max] = await tx<{ hotspots: number; photos: number }[]>`select hotspots, photos from bench_burst_undo_ids`;
    const dropped = (await tx<{ id: number }[]>`select id from hotspots where id > ${max!.hotspots}`).map((r) => r.id);
    const restored = (await tx<{ id: number }[]>`select id from bench_burst_undo`).map((r) => r.id);
    const columns = (
      await tx<{ name: string }[]>`
        select column_name as name from information_schema.columns
        where table_schema = 'public' and table_name = 'hotspots' and is_generated = 'NEVER' and column_name <> 'id'`
    ).map((c) => c.name);
    await tx`delete from hotspots where id > ${max!.hotspots}`;
    await tx`delete from photos where id > ${max!.photos}`;
    await tx`delete from hotspot_photos where hotspot_id = any(${restored})`;
    const set = columns.map((c) => `"${c}" = u."${c}"`).join(', ');
    await tx.unsafe(`update hotspots h set ${set} from bench_burst_undo u where h.id = u.id`);
    await tx`insert into hotspot_photos select * from bench_burst_undo_members`;
    await tx`select setval('hotspots_id_seq', ${max!.hotspots}), setval('photos_id_seq', ${max!.photos})`;
    await tx`drop table bench_burst_undo, bench_burst_undo_members, bench_burst_undo_ids`;
    return { restored, dropped };
  });
}
