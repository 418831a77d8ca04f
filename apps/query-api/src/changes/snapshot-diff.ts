import type { HotspotSummary } from '@photospots/hotspot-index';
import { sameSummary, type HotspotSnapshot } from '../hotspots/hotspot-snapshot.ts';

/** What changed between two consecutive snapshots of the active hotspots. */
export interface SnapshotDiff {
  created: HotspotSummary[];
  /** Hotspots whose summary changed, with the one served before (a map needs to know where it was). */
  updated: { before: HotspotSummary; after: HotspotSummary }[];
  /** Hotspots no longer active, as last served. */
  retired: HotspotSummary[];
}

/**
 * Compares two snapshots hotspot by hotspot. When `after` was patched from
 * `before`, only the ids the patch named are compared (O(changes)); otherwise
 * every hotspot (O(n), after a full reload).
 */
export function diffSnapshots(before: HotspotSnapshot, after: HotspotSnapshot): SnapshotDiff {
  const diff: SnapshotDiff = { created: [], updated: [], retired: [] };
  const patch = after.delta?.from === before.serial ? after.delta : undefined;
  const compare = (id: number) => {
    const old = before.get(id);
    const h = after.get(id);
    if (!h) {
      if (old) diff.retired.push(old);
    } else if (!old) diff.created.push(h);
    else if (!sameSummary(old, h)) diff.updated.push({ before: old, after: h });
  };
  if (patch) {
    for (const id of patch.upserted) compare(id);
    for (const id of patch.removed) compare(id);
  } else {
    for (let r = 0; r < after.size; r++) compare(after.idAt(r));
    for (let r = 0; r < before.size; r++) if (!after.has(before.idAt(r))) diff.retired.push(before.at(r));
  }
  diff.created.sort((a, b) => a.id - b.id);
  diff.updated.sort((a, b) => a.after.id - b.after.id);
  diff.retired.sort((a, b) => a.id - b.id);
  return diff;
}

/** The fields list answers show; anything else a snapshot may carry does not make an update. */
export function listFields(h: HotspotSummary): HotspotSummary {
  const { id, label, lat, lng, score, photoCount, userCount, tags } = h;
  return { id, label, lat, lng, score, photoCount, userCount, tags };
}
