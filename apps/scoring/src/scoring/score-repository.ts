import { photoTimeSql, type Queryable } from '@photospots/db';
import type { HotspotSummary } from '@photospots/hotspot-index';
import { USER_DAYS_CAP, type ScoreComponents, type ScoreInputs } from './score-formula.ts';

/** Aggregates score inputs for active hotspots from their member photos and favorites. */
export async function loadScoreInputs(
  sql: Queryable,
  ids: readonly number[],
  halfLifeYears: number,
): Promise<Map<number, ScoreInputs>> {
  if (ids.length === 0) return new Map();
  const rows = await sql<(ScoreInputs & { id: number })[]>`
    with member as (
      select hp.hotspot_id, p.owner_id, p.views, ${photoTimeSql(sql, 'p')} as at
      from hotspot_photos hp
      join photos p on p.id = hp.photo_id
      join hotspots h on h.id = hp.hotspot_id and h.status = 'active'
      where hp.hotspot_id = any(${[...ids]}::bigint[])
    ), per_user as (
      select hotspot_id, owner_id, max(views) as best_views,
             least(count(distinct at::date), ${USER_DAYS_CAP}) as days,
             max(at) as last_at
      from member group by hotspot_id, owner_id
    )
    select u.hotspot_id as id,
           count(*)::int as users,
           sum(u.days)::int as "userDays",
           coalesce(sum(u.best_views), 0)::float8 as views,
           coalesce((select count(*) from favorites f where f.hotspot_id = u.hotspot_id), 0)::int as favorites,
           avg(case when u.last_at is null then 0
                    else power(2, -greatest(0, extract(epoch from now() - u.last_at)) / (${halfLifeYears}::float8 * 31557600)) end)::float8 as recency
    from per_user u
    group by u.hotspot_id`;
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
