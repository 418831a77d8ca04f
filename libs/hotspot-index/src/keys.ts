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
  /** Pub/sub channel announcing changed ids, for caches in front of the index. */
  changes: string;
}

export function indexKeys(prefix: string): IndexKeys {
  return {
    geo: `${prefix}hotspots:geo`,
    top: `${prefix}hotspots:top`,
    summaries: `${prefix}hotspots:summaries`,
    meta: `${prefix}hotspots:meta`,
    changes: `${prefix}hotspots:changes`,
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
