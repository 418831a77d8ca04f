import { randomUUID } from 'node:crypto';
import type { Sql } from '@photospots/db';
import type { BBox } from '@photospots/geo';
import type { MessagePublisher } from '@photospots/queue';
import type { Logger } from '@photospots/service';
import type { NormalisedPhoto } from '../photos/normalised-photo.ts';
import { prepareBatch, stagingMethodOf } from '../photos/photo-store.ts';
import { batchTransaction } from '../photos/batch-transaction.ts';
import { storePhotoBatch } from '../photos/store-photo-batch.ts';
import { requestThumbnails } from '../thumbnails/request-thumbnails.ts';
import type { FlickrClient } from './flickr-client.ts';
import { HarvestWindowError } from './flickr-errors.ts';
import { FLICKR_SOURCE, normaliseFlickrPhoto, type SkipReason } from './flickr-photo.ts';
import {
  deleteHarvest,
  emptyCounts,
  findUnfinishedHarvest,
  harvestIdOf,
  loadHarvest,
  loadQueryStates,
  regionKeyOf,
  saveHarvest,
  saveQueryState,
  saveRegion,
  sumCounts,
  type HarvestState,
  type QueryState,
} from './harvest-checkpoints.ts';
import { withHarvestLock } from './harvest-lock.ts';
import { HarvestProgress, type HarvestReport } from './harvest-progress.ts';
import { PageBatcher } from './page-batcher.ts';
import { bboxParam, FLICKR_RESULT_CAP, pagesToRead, queryKey, splitQuery, type HarvestQuery } from './query-plan.ts';
import type { FlickrRateLimiter } from './rate-limiter.ts';
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
  limiter: FlickrRateLimiter;
  /** Licence ids accepted (the same list the client sends as `license`). */
  licences: ReadonlySet<string>;
  licenceParam: string;
  concurrency: number;
  /** Photos per transaction (and per photos.ingested message); pages wait at most `flushIntervalMs` for company. */
  batchSize?: number;
  /** A batch not committed after this long is given up and the harvest fails, to resume from its checkpoints (default 120 s). */
  batchTimeoutMs?: number;
  flushIntervalMs?: number;
  signal?: AbortSignal;
  /** How long to wait for the same harvest running elsewhere (or left by a killed process) instead of failing. */
  waitForRunningSeconds?: number;
  /** Called after every fetched page, split and commit. */
  onProgress?: (progress: HarvestProgress) => void;
  /** Called after every commit so the outbox is relayed while the harvest goes on. */
  afterCommit?: () => void;
  now?: () => number;
}

/** A page read from Flickr, waiting to be committed with its leaf's new checkpoint. */
interface FetchedPage {
  queryKey: string;
  state: Extract<QueryState, { kind: 'leaf' }>;
  last: boolean;
  photos: NormalisedPhoto[];
  photoCount: number;
  seen: number;
  skipped: Partial<Record<SkipReason, number>>;
}

const harvestScope = (bbox: BBox, since: number, licences: string) =>
  `bbox=${bboxParam(bbox)}|since=${since}|licences=${licences}`;

/**
 * Harvests every photo Flickr holds for a bbox and upload window. Queries over
 * Flickr's 4,000-result cap are split (time first, then space) until each
 * leaf fits. Pages are committed in batches, each in one transaction with its
 * photos.ingested and thumbnails.requested messages and the checkpoints of
 * the leaves it advances, so a harvest killed at any point resumes at the
 * first uncommitted page, losing and duplicating nothing.
 */
export async function harvestFlickr(
  request: HarvestRequest,
  deps: HarvestDeps,
  correlationId: string = randomUUID(),
): Promise<HarvestReport> {
  const { sql, log } = deps;
  const nowSeconds = Math.floor((deps.now?.() ?? Date.now()) / 1000);
  const scope = harvestScope(request.bbox, request.since, deps.licenceParam);
  const until = request.until ?? (await findUnfinishedHarvest(sql, scope))?.state.until ?? nowSeconds;
  if (until < request.since) {
    throw new HarvestWindowError(
      `the upload window ends (${new Date(until * 1000).toISOString()}) before it starts (${new Date(request.since * 1000).toISOString()})`,
    );
  }
  const key = `${scope}|until=${until}`;
  const id = harvestIdOf(key);

  return withHarvestLock(sql, key, { waitSeconds: deps.waitForRunningSeconds ?? 0 }, async (leaseLost) => {
    if (request.fresh) await deleteHarvest(sql, key);
    const existing = await loadHarvest(sql, key);
    if (existing?.done && existing.state.report) {
      log.info({ harvest: key }, 'harvest already complete; nothing to do');
      return { ...(existing.state.report as HarvestReport), alreadyComplete: true, resumed: false };
    }
    let state: HarvestState = existing?.state ?? {
      scope,
      bbox: request.bbox,
      since: request.since,
      until,
      licences: deps.licenceParam,
      incremental: request.incremental ?? false,
      startedAt: new Date().toISOString(),
    };
    if (!existing) await saveHarvest(sql, key, state, false);
    const saved = await loadQueryStates(sql, key);
    const progress = new HarvestProgress(
      {
        key,
        bbox: request.bbox,
        since: request.since,
        until,
        incremental: state.incremental,
        resumed: saved.size > 0,
      },
      deps.client,
      deps.limiter,
    );
    progress.totals = state.totals ?? emptyCounts();
    if (progress.resumed) log.info({ harvest: key, queriesRecorded: saved.size }, 'resuming an interrupted harvest');
    const method = await stagingMethodOf(sql); // once per harvest, not per batch

    const writePages = async (pages: FetchedPage[]) => {
      const photos = pages.flatMap((p) => p.photos);
      const delta = emptyCounts();
      for (const page of pages) delta.seen += page.seen;
      for (const page of pages) {
        for (const [reason, n] of Object.entries(page.skipped) as [SkipReason, number][])
          delta.skipped[reason] = (delta.skipped[reason] ?? 0) + n;
      }
      const batches = (state.batches ?? 0) + 1;
      const batchId = `flickr:${id}:${batches}`;
      await batchTransaction(sql, deps.batchTimeoutMs ?? 120_000, `harvest batch ${batchId}`, async (tx, signal) => {
        const stored = await storePhotoBatch(tx, deps.publisher, {
          photos: prepareBatch(photos, method),
          source: FLICKR_SOURCE,
          batchId,
          correlationId,
          signal,
        });
        delta.inserted = stored.inserted;
        delta.updated = stored.updated;
        delta.unchanged = photos.length - stored.inserted - stored.updated;
        delta.messages = stored.announced ? 1 : 0;
        delta.thumbnails = await requestThumbnails(tx, deps.publisher, {
          source: FLICKR_SOURCE,
          sourceIds: photos.map((p) => p.sourceId),
          correlationId,
        });
        // A leaf's later page carries its latest checkpoint.
        const latest = new Map(pages.map((p) => [p.queryKey, p]));
        for (const page of latest.values()) await saveQueryState(tx, key, page.queryKey, page.state, page.last);
        await saveHarvest(tx, key, { ...state, totals: sumCounts(progress.totals, delta), batches }, false);
      });
      state = { ...state, totals: sumCounts(progress.totals, delta), batches };
      progress.totals = state.totals!;
      progress.pendingSeen -= delta.seen;
      progress.queriesDone += pages.filter((p) => p.last).length;
      progress.truncatedQueries += pages.filter((p) => p.last && p.state.truncated).length;
      deps.afterCommit?.();
      deps.onProgress?.(progress);
    };
    const batcher = new PageBatcher(writePages, {
      maxPhotos: deps.batchSize ?? 5_000,
      maxDelayMs: deps.flushIntervalMs ?? 5_000,
    });

    const root: HarvestQuery = { bbox: request.bbox, minUpload: request.since, maxUpload: until };
    const runQuery = async (query: HarvestQuery, add: (q: readonly HarvestQuery[]) => void, signal: AbortSignal) => {
      const nodeKey = queryKey(query);
      const isRoot = query === root;
      const previous = saved.get(nodeKey)?.state;
      if (previous?.kind === 'split') {
        if (isRoot) progress.expectedTotal = previous.total;
        progress.queriesSplit++;
        add(splitQuery(query)?.children ?? []);
        return;
      }
      if (previous && saved.get(nodeKey)?.done) {
        if (isRoot) progress.expectedTotal = previous.total;
        progress.queriesDone++;
        if (previous.truncated) progress.truncatedQueries++;
        return;
      }
      let page = previous ? previous.page + 1 : 1;
      let truncated = previous?.truncated ?? false;
      for (;;) {
        const result = await deps.client.search(query, page, signal);
        if (isRoot) progress.expectedTotal = result.total;
        if (page === 1 && result.total > FLICKR_RESULT_CAP) {
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
          log.error(
            { query: nodeKey, total: result.total },
            'query over the 4,000 cap cannot be split further; photos beyond the cap are lost',
          );
        }
        const pages = pagesToRead(result.total, result.perPage);
        const last = page >= pages || result.photos.length === 0;
        const fetched: FetchedPage = {
          queryKey: nodeKey,
          state: { kind: 'leaf', total: result.total, pages, page, truncated },
          last,
          photos: [],
          photoCount: 0,
          seen: result.photos.length,
          skipped: {},
        };
        for (const raw of result.photos) {
          const n = normaliseFlickrPhoto(raw, deps.licences);
          if (n.ok) fetched.photos.push(n.photo);
          else fetched.skipped[n.reason] = (fetched.skipped[n.reason] ?? 0) + 1;
        }
        // Counts toward the batch size even when empty, so an empty leaf's checkpoint is not held back.
        fetched.photoCount = Math.max(1, fetched.photos.length);
        progress.pagesThisRun++;
        progress.pendingSeen += fetched.seen;
        await batcher.add(fetched);
        deps.onProgress?.(progress);
        if (last) return;
        page++;
      }
    };

    let failure: unknown;
    try {
      // Stops when asked to, or when another process could take the harvest over (its lease was lost).
      const signal = deps.signal ? AbortSignal.any([deps.signal, leaseLost]) : leaseLost;
      await runWorkQueue([root], deps.concurrency, runQuery, signal);
    } catch (err) {
      failure = err;
    }
    try {
      // Pages already read are stored even when the harvest fails: a restart need not read them again.
      await batcher.flush();
    } catch (err) {
      failure ??= err;
    }
    if (failure !== undefined) throw failure;

    const report = progress.report();
    await sql.begin(async (tx) => {
      await saveHarvest(tx, key, { ...state, report }, true);
      await saveRegion(tx, regionKeyOf(request.bbox, deps.licenceParam), {
        bbox: request.bbox,
        licences: deps.licenceParam,
        harvestedUntil: until,
        completedAt: new Date().toISOString(),
      });
    });
    log.info(
      {
        harvest: key,
        queries: report.queries,
        photosSeen: report.photosSeen,
        inserted: report.inserted,
        updated: report.updated,
        calls: report.calls,
        durationMs: report.durationMs,
      },
      'Flickr harvest finished',
    );
    return report;
  });
}
