import { randomUUID } from 'node:crypto';
import type { Sql } from '@photospots/db';
import type { BBox } from '@photospots/geo';
import type { MessagePublisher } from '@photospots/queue';
import type { Logger } from '@photospots/service';
import type { NormalisedPhoto } from '../photos/normalised-photo.ts';
import { storePhotoBatch } from '../photos/store-photo-batch.ts';
import { requestThumbnails } from '../thumbnails/request-thumbnails.ts';
import type { FlickrClient } from './flickr-client.ts';
import { FLICKR_SOURCE, normaliseFlickrPhoto } from './flickr-photo.ts';
import {
  deleteHarvest,
  emptyCounts,
  findUnfinishedHarvest,
  harvestIdOf,
  regionKeyOf,
  loadHarvest,
  loadQueryStates,
  saveHarvest,
  saveQueryState,
  saveRegion,
  sumCounts,
  type QueryCounts,
  type QueryState,
} from './harvest-checkpoints.ts';
import { HarvestProgress, type HarvestReport } from './harvest-progress.ts';
import { withHarvestLock } from './harvest-lock.ts';
import { bboxParam, FLICKR_RESULT_CAP, pagesToRead, queryKey, splitQuery, type HarvestQuery } from './query-plan.ts';
import type { TokenBucket } from './rate-limiter.ts';
import { runWorkQueue } from './work-queue.ts';

/** What to harvest: photos uploaded in a bbox between two epoch seconds (inclusive). */
export interface HarvestRequest {
  bbox: BBox;
  since: number;
  /** Undefined: resume the unfinished harvest of the same bbox and start, or end now. */
  until?: number | undefined;
  incremental?: boolean;
  /** Forget the checkpoints of this exact harvest and run it again. */
  fresh?: boolean;
}

export interface HarvestDeps {
  sql: Sql;
  publisher: MessagePublisher;
  log: Logger;
  client: FlickrClient;
  limiter: TokenBucket;
  /** Licence ids accepted (the same list the client sends as `license`). */
  licences: ReadonlySet<string>;
  licenceParam: string;
  concurrency: number;
  signal?: AbortSignal;
  /** Called after every stored page and every split. */
  onProgress?: (progress: HarvestProgress) => void;
  /** Called after every commit so the outbox is relayed while the harvest goes on. */
  afterCommit?: () => void;
  now?: () => number;
}

const harvestScope = (bbox: BBox, since: number, licences: string) => `bbox=${bboxParam(bbox)}|since=${since}|licences=${licences}`;

/**
 * Harvests every photo Flickr holds for a bbox and upload window. Queries over
 * Flickr's 4,000-result cap are split (time first, then space) until each
 * leaf fits; each page is stored in one transaction with its photos.ingested
 * and thumbnails.requested messages and the leaf's checkpoint, so a harvest
 * killed at any point resumes at the next unstored page, losing and
 * duplicating nothing.
 */
export async function harvestFlickr(request: HarvestRequest, deps: HarvestDeps, correlationId: string = randomUUID()): Promise<HarvestReport> {
  const { sql, log } = deps;
  const nowSeconds = Math.floor((deps.now?.() ?? Date.now()) / 1000);
  const scope = harvestScope(request.bbox, request.since, deps.licenceParam);
  const until = request.until ?? (await findUnfinishedHarvest(sql, scope))?.state.until ?? nowSeconds;
  if (until < request.since) throw new RangeError('the harvest window ends before it starts');
  const key = `${scope}|until=${until}`;

  return withHarvestLock(sql, key, async () => {
    if (request.fresh) await deleteHarvest(sql, key);
    const existing = await loadHarvest(sql, key);
    if (existing?.done && existing.state.report) {
      log.info({ harvest: key }, 'harvest already complete; nothing to do');
      return { ...(existing.state.report as HarvestReport), alreadyComplete: true, resumed: false };
    }
    const state = existing?.state ?? {
      scope, bbox: request.bbox, since: request.since, until, licences: deps.licenceParam, incremental: request.incremental ?? false, startedAt: new Date().toISOString(),
    };
    if (!existing) await saveHarvest(sql, key, state, false);
    const saved = await loadQueryStates(sql, key);
    const progress = new HarvestProgress({ key, bbox: request.bbox, since: request.since, until, incremental: state.incremental, resumed: saved.size > 0 }, deps.client, deps.limiter);
    if (progress.resumed) log.info({ harvest: key, queriesRecorded: saved.size }, 'resuming an interrupted harvest');
    const root: HarvestQuery = { bbox: request.bbox, minUpload: request.since, maxUpload: until };

    const runQuery = async (query: HarvestQuery, add: (q: readonly HarvestQuery[]) => void, signal: AbortSignal) => {
      const nodeKey = queryKey(query);
      const isRoot = query === root;
      const previous = saved.get(nodeKey);
      if (previous?.state.kind === 'split') {
        if (isRoot) progress.expectedTotal = previous.state.total;
        progress.queriesSplit++;
        add(splitQuery(query)?.children ?? []);
        return;
      }
      const counts: QueryCounts = previous?.state.kind === 'leaf' ? previous.state.counts : emptyCounts();
      progress.addCounts(counts);
      if (previous?.done) {
        if (isRoot && previous.state.kind === 'leaf') progress.expectedTotal = previous.state.total;
        progress.queriesDone++;
        return;
      }
      let page = previous?.state.kind === 'leaf' ? previous.state.page + 1 : 1;
      let truncated = previous?.state.kind === 'leaf' && previous.state.truncated;
      for (let first = true; ; first = false) {
        const result = await deps.client.search(query, page, signal);
        if (isRoot && first) progress.expectedTotal = result.total;
        if (first && page === 1 && result.total > FLICKR_RESULT_CAP) {
          const split = splitQuery(query);
          if (split) {
            await saveQueryState(sql, key, nodeKey, { kind: 'split', total: result.total, by: split.by }, true);
            progress.queriesSplit++;
            deps.onProgress?.(progress);
            add(split.children);
            return;
          }
          truncated = true;
          progress.photosBeyondCap += result.total - FLICKR_RESULT_CAP;
          log.error({ query: nodeKey, total: result.total }, 'query over the 4,000 cap cannot be split further; photos beyond the cap are lost');
        }
        const pages = pagesToRead(result.total, result.perPage);
        const last = page >= pages || result.photos.length === 0;
        const photos: NormalisedPhoto[] = [];
        const delta = emptyCounts();
        delta.seen = result.photos.length;
        for (const raw of result.photos) {
          const n = normaliseFlickrPhoto(raw, deps.licences);
          if (n.ok) photos.push(n.photo);
          else delta.skipped[n.reason] = (delta.skipped[n.reason] ?? 0) + 1;
        }
        const queryState: QueryState = { kind: 'leaf', total: result.total, pages, page, truncated, counts };
        await sql.begin(async (tx) => {
          const stored = await storePhotoBatch(tx, deps.publisher, {
            photos, source: FLICKR_SOURCE, batchId: `flickr:${harvestIdOf(key)}:${harvestIdOf(nodeKey).slice(0, 12)}:${page}`, correlationId,
          });
          delta.inserted = stored.inserted;
          delta.updated = stored.updated;
          delta.unchanged = photos.length - stored.inserted - stored.updated;
          delta.messages = stored.announced ? 1 : 0;
          delta.thumbnails = await requestThumbnails(tx, deps.publisher, { source: FLICKR_SOURCE, sourceIds: photos.map((p) => p.sourceId), correlationId });
          queryState.counts = sumCounts(counts, delta);
          await saveQueryState(tx, key, nodeKey, queryState, last);
        });
        Object.assign(counts, queryState.counts);
        progress.addCounts(delta);
        progress.pagesThisRun++;
        if (last) progress.queriesDone++;
        if (truncated && last) progress.truncatedQueries++;
        deps.afterCommit?.();
        deps.onProgress?.(progress);
        if (last) return;
        page++;
      }
    };

    await runWorkQueue([root], deps.concurrency, runQuery, deps.signal);

    const report = progress.report();
    await sql.begin(async (tx) => {
      await saveHarvest(tx, key, { ...state, report }, true);
      await saveRegion(tx, regionKeyOf(request.bbox, deps.licenceParam), {
        bbox: request.bbox, licences: deps.licenceParam, harvestedUntil: until, completedAt: new Date().toISOString(),
      });
    });
    log.info(
      { harvest: key, queries: report.queries, photosSeen: report.photosSeen, inserted: report.inserted, updated: report.updated, calls: report.calls, durationMs: report.durationMs },
      'Flickr harvest finished',
    );
    return report;
  });
}

