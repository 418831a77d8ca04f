/** Every Redis key and channel of the hotspot index, under a deployment prefix. */
export interface IndexKeys {
  /** GEO set: member = hotspot id, position = centroid. */
  geo: string;
  /** Sorted set: member = hotspot id, score = hotspot score. */
  top: string;
  /** Hash: field = hotspot id, value = HotspotSummary JSON. */
  summaries: string;
  /** Hash: syncedAt, count; present only after a complete sync (readers trust the index only then). */
  meta: string;
  /** Pub/sub channel announcing changed ids (an IndexChange JSON), for caches in front of the index. */
  changes: string;
  /** Counter bumped with every change; response caches key their entries by it. */
  version: string;
}

export function indexKeys(prefix: string): IndexKeys {
  return {
    geo: `${prefix}hotspots:geo`,
    top: `${prefix}hotspots:top`,
    summaries: `${prefix}hotspots:summaries`,
    meta: `${prefix}hotspots:meta`,
    changes: `${prefix}hotspots:changes`,
    version: `${prefix}hotspots:version`,
  };
}

/** What the index stores per hotspot: enough to answer nearby and top without Postgres. */
export interface HotspotSummary {
  id: number;
  label: string | null;
  lat: number;
  lng: number;
  score: number;
  photoCount: number;
  userCount: number;
  tags: string[];
}

/** What the changes channel carries: ids upserted and removed, or a full replacement. */
export type IndexChange =
  { full?: false; upserted: number[]; removed: number[]; version?: number } | { full: true; version?: number };

/** Parses a changes-channel message; null for anything malformed (a reader then reloads in full). */
export function parseIndexChange(message: string): IndexChange | null {
  try {
    const m = JSON.parse(message) as Record<string, unknown>;
    const version = typeof m.version === 'number' ? m.version : undefined;
    if (m.full === true) return { full: true, ...(version === undefined ? {} : { version }) };
    const ids = (v: unknown) => (Array.isArray(v) && v.every((x) => Number.isSafeInteger(x)) ? (v as number[]) : null);
    const upserted = ids(m.upserted);
    const removed = ids(m.removed);
    if (!upserted || !removed) return null;
    return { upserted, removed, ...(version === undefined ? {} : { version }) };
  } catch {
    return null;
  }
}
