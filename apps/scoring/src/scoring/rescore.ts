import type { Sql } from '@photospots/db';
import type { HotspotSummary } from '@photospots/hotspot-index';
import { computeScore, type ScoreComponents } from './score-formula.ts';
import { allActiveIds, loadScoreInputs, loadSummaries, saveScores } from './score-repository.ts';

/** Where scored hotspots are published for fast reads (the Redis index); never throws. */
export interface IndexSink {
  apply(upserts: readonly HotspotSummary[], removedIds: readonly number[]): Promise<void>;
}

export interface RescoreDeps {
  sql: Sql;
  /** Absent without Redis: scores still land in Postgres, which the API falls back to. */
  index: IndexSink | undefined;
  halfLifeYears: number;
}

/**
 * Recomputes the scores of the given hotspots from the database (so any
 * number of repeats gives the same result), stores them, and updates the Redis
 * index: active ones upserted, retired or unknown ones removed.
 */
export async function rescoreHotspots(
  deps: RescoreDeps,
  ids: readonly number[],
  removedIds: readonly number[] = [],
  /** Called after each stored chunk. */
  progress?: () => void,
): Promise<number> {
  const unique = [...new Set(ids)];
  const scores = new Map<number, ScoreComponents>();
  for (let i = 0; i < unique.length; i += 1_000) {
    const chunk = unique.slice(i, i + 1_000);
    const inputs = await loadScoreInputs(deps.sql, chunk, deps.halfLifeYears);
    const chunkScores = new Map<number, ScoreComponents>();
    for (const [id, input] of inputs) chunkScores.set(id, computeScore(input));
    await saveScores(deps.sql, chunkScores);
    for (const [id, s] of chunkScores) scores.set(id, s);
    if (deps.index) {
      const summaries = await loadSummaries(deps.sql, chunk);
      const present = new Set(summaries.map((s) => s.id));
      await deps.index.apply(
        summaries,
        chunk.filter((id) => !present.has(id)),
      );
    }
    progress?.();
  }
  if (deps.index && removedIds.length > 0) await deps.index.apply([], removedIds);
  return scores.size;
}

/** Rescores every active hotspot (the scheduled job: recency changes with time alone). */
export async function rescoreAll(deps: RescoreDeps, progress?: () => void): Promise<number> {
  let total = 0;
  for await (const ids of allActiveIds(deps.sql)) total += await rescoreHotspots(deps, ids, [], progress);
  return total;
}
