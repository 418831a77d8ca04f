import type { HarvestProgress, HarvestReport } from './harvest-progress.ts';

const n = (x: number) => x.toLocaleString('en');

/** One line for a terminal: a bar of photos read against Flickr's total, queries, calls and rate-limit waits. */
export function progressLine(p: HarvestProgress, barWidth = 24): string {
  const total = p.expectedTotal;
  const seen = p.totals.seen + p.pendingSeen;
  const share = total ? Math.min(1, seen / total) : 0;
  const filled = Math.round(share * barWidth);
  const bar =
    total === undefined ? '' : `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${Math.floor(share * 100)}% `;
  const photos = total === undefined ? `${n(seen)} photos` : `${n(seen)}/${n(total)} photos`;
  return (
    `${bar}${photos} · stored ${n(p.totals.inserted)} new, ${n(p.totals.updated)} changed · ` +
    `queries ${n(p.queriesDone)} done, ${n(p.queriesSplit)} split · calls ${n(p.calls)} · ` +
    `rate-limit waits ${n(p.rateLimitWaits)} (${(p.rateLimitWaitMs / 1000).toFixed(1)} s)`
  );
}

/** The summary printed when a harvest ends. */
export function summaryLines(r: HarvestReport): string[] {
  const skipped = Object.entries(r.skipped);
  const lines = [
    `harvested ${r.since} – ${r.until} in bbox ${r.bbox.minLng},${r.bbox.minLat},${r.bbox.maxLng},${r.bbox.maxLat}` +
      `${r.alreadyComplete ? ' (already complete: nothing to do)' : r.resumed ? ' (resumed)' : ''} in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  Flickr total      ${r.expectedTotal === null ? '?' : n(r.expectedTotal)}`,
    `  queries           ${n(r.queries)} read, ${n(r.splits)} split over the 4,000 cap`,
    `  photos seen       ${n(r.photosSeen)}`,
    `  photos inserted   ${n(r.inserted)}`,
    `  photos updated    ${n(r.updated)}`,
    `  unchanged         ${n(r.unchanged)}`,
    `  skipped           ${skipped.length ? skipped.map(([k, v]) => `${k} ${n(v)}`).join(', ') : '0'}`,
    `  thumbnails queued ${n(r.thumbnailsRequested)}`,
    `  messages queued   ${n(r.messagesQueued)} (photos.ingested, for processing)`,
    `  this run          ${n(r.pages)} pages, ${n(r.calls)} calls, ${n(r.retries)} retries (${n(r.throttled)} throttled), ` +
      `${n(r.rateLimitWaits)} rate-limit waits (${(r.rateLimitWaitMs / 1000).toFixed(1)} s)`,
  ];
  if (r.truncatedQueries > 0) {
    lines.push(
      `  INCOMPLETE        ${n(r.truncatedQueries)} queries could not be split under the cap; ${n(r.photosBeyondCap)} photos beyond it were not read`,
    );
  }
  return lines;
}
