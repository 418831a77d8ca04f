import type { Queryable } from '@photospots/db';
import type { HotspotSummary } from '@photospots/hotspot-index';
import type { ScoreComponents, ScoreInputs } from './score-formula.ts';

/**
 * Score inputs of the given active hotspots, from what processing stored with each (users, capped user-days,
 * best views per photographer, each photographer's latest photo) and their favorites: one row a hotspot, never
 * its members. Recency is the mean over photographers of 2^(−years since their latest photo / half-life);
 * photographers without a known time count 0.
 */
export async function loadScoreInputs(
  sql: Queryable,
  ids: readonly number[],
  halfLifeYears: number,
): Promise<Map<number, ScoreInputs>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<(ScoreInputs & { id: number })[]>`
    select h.id,
           h.user_count as users,
           h.capped_user_days as "userDays",
           h.best_views::float8 as views,
           (select count(*) from favorites f where f.hotspot_id = h.id)::int as favorites,
           coalesce((select sum(power(2, -greatest(0, extract(epoch from now() - t)) / (${halfLifeYears}::float8 * 31557600)))
                     from unnest(h.user_last_photo_at) t) / nullif(h.user_count, 0), 0)::float8 as recency
    from hotspots h
    where h.status = 'active' and h.user_count > 0 and h.id = any(${[...ids]}::bigint[])`;
  return new Map(rows.map(({ id, ...inputs }) => [id, inputs]));
}

/** Stores scores and their components. */
export async function saveScores(sql: Queryable, scores: ReadonlyMap<number, ScoreComponents>): Promise<void> {
  if (scores.size === 0) return;
  const ids = [...scores.keys()];
  await sql`
    update hotspots h set score = v.score, score_components = v.components, scored_at = now()
    from unnest(${ids}::bigint[], ${ids.map((id) => scores.get(id)!.score)}::float8[], ${ids.map((id) => JSON.stringify(scores.get(id)))}::jsonb[])
      as v(id, score, components)
    where h.id = v.id`;
}

const SUMMARY_COLUMNS = (sql: Queryable) =>
  sql`id, label, lat, lng, score, photo_count as "photoCount", user_count as "userCount", top_tags as tags`;

/** Index summaries of the given hotspots that are active (retired ones are absent). */
export async function loadSummaries(sql: Queryable, ids: readonly number[]): Promise<HotspotSummary[]> {
  if (ids.length === 0) return [];
  return sql<HotspotSummary[]>`
    select ${SUMMARY_COLUMNS(sql)} from hotspots where status = 'active' and id = any(${[...ids]}::bigint[]) order by id`;
}

/** Every active hotspot's summary, in pages (keyset on id). */
export async function* allSummaries(sql: Queryable, pageSize = 5_000): AsyncGenerator<HotspotSummary[]> {
  let after = 0;
  for (;;) {
    const page = await sql<HotspotSummary[]>`
      select ${SUMMARY_COLUMNS(sql)} from hotspots where status = 'active' and id > ${after} order by id limit ${pageSize}`;
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1]!.id;
  }
}

/** Ids of every active hotspot, in pages. */
export async function* allActiveIds(sql: Queryable, pageSize = 2_000): AsyncGenerator<number[]> {
  let after = 0;
  for (;;) {
    const page = await sql<{ id: number }[]>`
      select id from hotspots where status = 'active' and id > ${after} order by id limit ${pageSize}`;
    if (page.length === 0) return;
    yield page.map((r) => r.id);
    after = page[page.length - 1]!.id;
  }
}
