import { createHash } from 'node:crypto';
import type { Queryable, Sql } from '@photospots/db';
import type { BBox } from '@photospots/geo';
import type { SkipReason } from './flickr-photo.ts';
import { bboxParam } from './query-plan.ts';

/**
 * Harvest progress lives in ingest_checkpoints under three jobs:
 * - `flickr-harvest`: one row per harvest (bbox, upload window, licences), done when complete;
 * - `flickr-query`: one row per query of its plan, keyed `<harvest id>|<query key>`: a split
 *   (so a restart does not ask again), or a leaf with the last page stored (done when all are);
 * - `flickr-region`: per bbox and licences, how far uploads have been harvested, for incremental runs.
 */
export const HARVEST_JOB = 'flickr-harvest';
export const QUERY_JOB = 'flickr-query';
export const REGION_JOB = 'flickr-region';

export interface QueryCounts {
  /** Photos in the responses, skipped ones included. */
  seen: number;
  inserted: number;
  updated: number;
  unchanged: number;
  skipped: Partial<Record<SkipReason, number>>;
  thumbnails: number;
  messages: number;
}

/** A query of the plan: split (its children are the plan), or a leaf read up to `page` of `pages`. */
export type QueryState =
  | { kind: 'split'; total: number; by: 'time' | 'space' }
  | { kind: 'leaf'; total: number; pages: number; page: number; truncated: boolean };

export interface HarvestState {
  scope: string;
  bbox: BBox;
  since: number;
  until: number;
  licences: string;
  incremental: boolean;
  startedAt: string;
  /** Totals over everything committed so far, across runs. */
  totals?: QueryCounts;
  /** Transactions committed so far (numbers the photos.ingested batch ids). */
  batches?: number;
  /** The final report, once done. */
  report?: unknown;
}

export interface RegionState {
  bbox: BBox;
  licences: string;
  /** Every upload up to this epoch second has been harvested. */
  harvestedUntil: number;
  completedAt: string;
}

export const emptyCounts = (): QueryCounts => ({
  seen: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
  skipped: {},
  thumbnails: 0,
  messages: 0,
});

export function sumCounts(a: QueryCounts, b: QueryCounts): QueryCounts {
  const skipped = { ...a.skipped };
  for (const [reason, n] of Object.entries(b.skipped) as [SkipReason, number][])
    skipped[reason] = (skipped[reason] ?? 0) + n;
  return {
    seen: a.seen + b.seen,
    inserted: a.inserted + b.inserted,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    skipped,
    thumbnails: a.thumbnails + b.thumbnails,
    messages: a.messages + b.messages,
  };
}

/** The key of a region (bbox and licences) for incremental harvests. */
export const regionKeyOf = (bbox: BBox, licences: string): string => `bbox=${bboxParam(bbox)}|licences=${licences}`;

/** A short, stable id of a harvest key, used to prefix its query rows and batch ids. */
export function harvestIdOf(harvestKey: string): string {
  return createHash('sha256').update(harvestKey).digest('hex').slice(0, 16);
}

async function upsertCheckpoint(tx: Queryable, job: string, key: string, state: unknown, done: boolean): Promise<void> {
  await tx`
    insert into ingest_checkpoints (job, key, done, state, updated_at)
    values (${job}, ${key}, ${done}, ${JSON.stringify(state)}::jsonb, now())
    on conflict (job, key) do update set done = excluded.done, state = excluded.state, updated_at = now()`;
}

export async function loadHarvest(
  sql: Queryable,
  key: string,
): Promise<{ done: boolean; state: HarvestState } | undefined> {
  const [row] = await sql<{ done: boolean; state: HarvestState }[]>`
    select done, state from ingest_checkpoints where job = ${HARVEST_JOB} and key = ${key}`;
  return row;
}

/** The most recent unfinished harvest of the same bbox, start and licences, whatever its end. */
export async function findUnfinishedHarvest(
  sql: Queryable,
  scope: string,
): Promise<{ key: string; state: HarvestState } | undefined> {
  const [row] = await sql<{ key: string; state: HarvestState }[]>`
    select key, state from ingest_checkpoints
    where job = ${HARVEST_JOB} and not done and state->>'scope' = ${scope}
    order by updated_at desc limit 1`;
  return row;
}

export async function saveHarvest(tx: Queryable, key: string, state: HarvestState, done: boolean): Promise<void> {
  await upsertCheckpoint(tx, HARVEST_JOB, key, state, done);
}

/** Forgets a harvest and its queries (a fresh run). */
export async function deleteHarvest(sql: Queryable, key: string): Promise<void> {
  const prefix = `${harvestIdOf(key)}|`;
  await sql`delete from ingest_checkpoints where (job = ${HARVEST_JOB} and key = ${key}) or (job = ${QUERY_JOB} and starts_with(key, ${prefix}))`;
}

export async function loadQueryStates(
  sql: Queryable,
  harvestKey: string,
): Promise<Map<string, { done: boolean; state: QueryState }>> {
  const prefix = `${harvestIdOf(harvestKey)}|`;
  const rows = await sql<{ key: string; done: boolean; state: QueryState }[]>`
    select key, done, state from ingest_checkpoints where job = ${QUERY_JOB} and starts_with(key, ${prefix})`;
  return new Map(rows.map((r) => [r.key.slice(prefix.length), { done: r.done, state: r.state }]));
}

export async function saveQueryState(
  tx: Queryable,
  harvestKey: string,
  queryKey: string,
  state: QueryState,
  done: boolean,
): Promise<void> {
  await upsertCheckpoint(tx, QUERY_JOB, `${harvestIdOf(harvestKey)}|${queryKey}`, state, done);
}

export async function loadRegion(sql: Queryable, regionKey: string): Promise<RegionState | undefined> {
  const [row] = await sql<{ state: RegionState }[]>`
    select state from ingest_checkpoints where job = ${REGION_JOB} and key = ${regionKey}`;
  return row?.state;
}

/** Records that a region is harvested up to `harvestedUntil` (never moves backwards). */
export async function saveRegion(tx: Queryable, regionKey: string, state: RegionState): Promise<void> {
  const previous = await loadRegion(tx, regionKey);
  const harvestedUntil = Math.max(previous?.harvestedUntil ?? 0, state.harvestedUntil);
  await upsertCheckpoint(tx, REGION_JOB, regionKey, { ...state, harvestedUntil }, true);
}

/** Every region harvested at least once: what the incremental schedule keeps up to date. */
export async function listRegions(sql: Sql): Promise<RegionState[]> {
  const rows = await sql<
    { state: RegionState }[]
  >`select state from ingest_checkpoints where job = ${REGION_JOB} order by key`;
  return rows.map((r) => r.state);
}
