import type { Queryable } from '@photospots/db';
import type { HotspotSummary } from '@photospots/hotspot-index';

export interface SearchHit extends HotspotSummary {
  /** 0..1: 1 for a full-text (word or word-prefix) match, else the trigram word similarity. */
  relevance: number;
  distanceM: number | null;
}

export interface SearchNear {
  lat: number;
  lng: number;
  radiusM: number;
}

/** The words of a query (letters and digits; at most 8) that become full-text prefix terms. */
export function queryWords(q: string): string[] {
  return (
    q
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu)
      ?.slice(0, 8) ?? []
  );
}

/**
 * The words as one tsquery of prefix terms (`'frauenk':* & 'dresd':*`). Each word is folded first and then
 * quoted as a lexeme: folding can turn a letter or digit into punctuation (`⑴` → `(1)`), which unquoted
 * would be tsquery syntax. A word that folds to no lexeme drops out.
 */
function prefixTsQuery(sql: Queryable, words: string[]) {
  const terms = words.map((w) => sql`to_tsquery('simple', quote_literal(public.photospots_fold(${w})) || ':*')`);
  return terms.reduce((all, term) => sql`${all} && ${term}`);
}

/**
 * Keyword search over labels and tags, accents folded on both sides by the
 * same database function (so `bruhl` finds `Brühl`): full-text prefix
 * matches, or trigram word similarity (pg_trgm's default threshold 0.6) for
 * typos and word fragments; both served by GIN indexes. Ranked by relevance
 * (one decimal, so near-equal matches tie), then score.
 */
export async function searchHotspots(
  sql: Queryable,
  q: string,
  limit: number,
  near?: SearchNear,
): Promise<SearchHit[]> {
  const words = queryWords(q);
  const here = near ? sql`st_setsrid(st_makepoint(${near.lng}, ${near.lat}), 4326)::geography` : sql`null::geography`;
  return sql<SearchHit[]>`
    with input as (
      select public.photospots_fold(${q}) as text,
             ${words.length === 0 ? sql`null::tsquery` : prefixTsQuery(sql, words)} as query,
             ${here} as here
    ), matched as (
      select h.*, (h.search_vector @@ input.query) as fts
      from hotspots h, input
      where h.status = 'active'
        and (h.search_vector @@ input.query or input.text <% h.search_text)
        ${near ? sql`and st_dwithin(h.centroid, input.here, ${near.radiusM})` : sql``}
    )
    select m.id, m.label, m.lat, m.lng, m.score, m.photo_count as "photoCount", m.user_count as "userCount", m.top_tags as tags,
           round((case when m.fts then 1 else word_similarity(input.text, m.search_text) end)::numeric, 3)::float8 as relevance,
           ${near ? sql`round(st_distance(m.centroid, input.here)::numeric, 1)::float8` : sql`null::float8`} as "distanceM"
    from matched m, input
    order by round((case when m.fts then 1 else word_similarity(input.text, m.search_text) end)::numeric, 1) desc, m.score desc, m.id
    limit ${limit}`;
}
