import type { Sql } from '@photospots/db';
import type { BBox } from '@photospots/geo';
import { loadRegion, regionKeyOf } from './harvest-checkpoints.ts';
import type { HarvestRequest } from './harvest-flickr.ts';

/** Flickr opened in February 2004: nothing was uploaded before. */
export const FLICKR_EPOCH_SECONDS = Date.UTC(2004, 0, 1) / 1000;

/**
 * An incremental harvest starts this long before the end of the previous one:
 * Flickr's search index lags uploads a little, and the overlap catches photos
 * that appeared late. Photos seen twice are stored once (and announced not at all).
 */
export const INCREMENTAL_OVERLAP_SECONDS = 3_600;

/** A Flickr harvest as asked for: a bbox and upload dates, or "since the last run" (incremental). */
export interface FlickrHarvestInput {
  bbox: BBox;
  since?: Date | undefined;
  until?: Date | undefined;
  incremental?: boolean | undefined;
  /** Forget the checkpoints of this exact harvest and run it again. */
  fresh?: boolean | undefined;
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * Turns a request (from the CLI or an ingest.requested message) into the
 * exact upload window to harvest. An incremental request starts where the
 * last completed harvest of the same bbox and licences ended; `since` only
 * matters for a bbox never harvested (default: Flickr's start).
 */
export async function resolveHarvestWindow(
  sql: Sql,
  input: FlickrHarvestInput,
  licenceParam: string,
): Promise<HarvestRequest> {
  let since = input.since ? seconds(input.since) : FLICKR_EPOCH_SECONDS;
  if (input.incremental) {
    const region = await loadRegion(sql, regionKeyOf(input.bbox, licenceParam));
    if (region) since = Math.max(FLICKR_EPOCH_SECONDS, region.harvestedUntil - INCREMENTAL_OVERLAP_SECONDS);
  }
  return {
    bbox: input.bbox,
    since,
    until: input.until ? seconds(input.until) : undefined,
    incremental: input.incremental ?? false,
    fresh: input.fresh ?? false,
  };
}
