import type { BBox } from '@photospots/geo';

/** Flickr returns at most the first 4,000 results of any search. */
export const FLICKR_RESULT_CAP = 4_000;

/** Results per page: Flickr's maximum for geo queries. */
export const FLICKR_GEO_PAGE_SIZE = 250;

/** Flickr stores coordinates to six decimals; a box narrower than two steps cannot be split. */
const COORDINATE_STEP = 1e-6;

/**
 * One flickr.photos.search: a box and an upload-time window in epoch seconds,
 * both ends inclusive (Flickr's min/max_upload_date are "greater/less than or
 * equal to").
 */
export interface HarvestQuery {
  bbox: BBox;
  minUpload: number;
  maxUpload: number;
}

export type Split = { by: 'time' | 'space'; children: HarvestQuery[] };

const round6 = (n: number) => Math.round(n / COORDINATE_STEP) * COORDINATE_STEP;
const coord = (n: number) => String(Number(n.toFixed(6)));

/** The bbox parameter Flickr expects: "minLng,minLat,maxLng,maxLat". */
export function bboxParam(b: BBox): string {
  return `${coord(b.minLng)},${coord(b.minLat)},${coord(b.maxLng)},${coord(b.maxLat)}`;
}

/** A stable name for a query: the same query always gets the same key, across runs. */
export function queryKey(q: HarvestQuery): string {
  return `${bboxParam(q.bbox)}@${q.minUpload}-${q.maxUpload}`;
}

/** Midpoint of [lo, hi] on the six-decimal grid, or undefined when the range is too narrow to split. */
function gridMidpoint(lo: number, hi: number): number | undefined {
  if (hi - lo < 2 * COORDINATE_STEP) return undefined;
  const mid = round6((lo + hi) / 2);
  return mid > lo && mid < hi ? mid : undefined;
}

/**
 * Splits a query whose total is over the cap so every child returns fewer
 * results: halve the time window while it is longer than one second, then
 * split the box into quadrants (halves when one side is already too narrow).
 * Children share no second; boxes share their edges, since Flickr's box is
 * inclusive a photo on an edge may come back twice (stored once, by key)
 * but never goes missing. Undefined when nothing can be split any more.
 */
export function splitQuery(q: HarvestQuery): Split | undefined {
  if (q.maxUpload > q.minUpload) {
    const mid = Math.floor((q.minUpload + q.maxUpload) / 2);
    return {
      by: 'time',
      children: [
        { bbox: q.bbox, minUpload: q.minUpload, maxUpload: mid },
        { bbox: q.bbox, minUpload: mid + 1, maxUpload: q.maxUpload },
      ],
    };
  }
  const { minLng, minLat, maxLng, maxLat } = q.bbox;
  const midLng = gridMidpoint(minLng, maxLng);
  const midLat = gridMidpoint(minLat, maxLat);
  if (midLng === undefined && midLat === undefined) return undefined;
  const lngs =
    midLng === undefined
      ? [[minLng, maxLng]]
      : [
          [minLng, midLng],
          [midLng, maxLng],
        ];
  const lats =
    midLat === undefined
      ? [[minLat, maxLat]]
      : [
          [minLat, midLat],
          [midLat, maxLat],
        ];
  const children: HarvestQuery[] = [];
  for (const [south, north] of lats as [number, number][]) {
    for (const [west, east] of lngs as [number, number][]) {
      children.push({
        bbox: { minLng: west, minLat: south, maxLng: east, maxLat: north },
        minUpload: q.minUpload,
        maxUpload: q.maxUpload,
      });
    }
  }
  return { by: 'space', children };
}

/** Pages a query is read in; at most the pages under the cap. */
export function pagesToRead(total: number, perPage: number): number {
  return Math.ceil(Math.min(total, FLICKR_RESULT_CAP) / perPage);
}
