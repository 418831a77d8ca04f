/**
 * How long the query API takes to serve a burst of changed hotspots
 * (hotspot-burst.ts): a change stream (GET /v1/hotspots/changes, the whole
 * world) is open before the burst is written; the clock starts at the first
 * announcement and stops when the stream has reported every change with its
 * new label and score (events are sent right after the served snapshot is
 * swapped). Then a sample is checked through nearby, which answers from that
 * snapshot.
 */
import type { Sql } from '@photospots/db';
import type { HotspotIndexWriter, HotspotSummary } from '@photospots/hotspot-index';
import { openEventStream, waitFor, type ServerSentEvent } from '@photospots/test-harness';
import { announceBurst, writeBurst } from './hotspot-burst.ts';
import { residentBytes } from './process-cpu.ts';

export interface BurstTiming {
  /** performance.now() of the first announcement. */
  startedAt: number;
  /** First announcement → the last change reported. */
  servedMs: number;
  writeMs: number;
  scoreMs: number;
  /** Each snapshot swap the stream reported: when its first event arrived (after the first announcement) and its changes. */
  swaps: { atMs: number; changes: number }[];
  /** What the nearby check found. */
  checked: string;
  peakRss: number;
}

export async function measureBurst(o: {
  sql: Sql;
  writer: HotspotIndexWriter;
  apiUrl: string;
  apiPid: number | undefined;
  hotspots: number;
  size: number;
  seed: number;
  log: (msg: string) => void;
}): Promise<BurstTiming> {
  const events: { at: number; event: ServerSentEvent }[] = [];
  const stream = await openEventStream(`${o.apiUrl}/v1/hotspots/changes`, {
    onEvent: (event) => events.push({ at: performance.now(), event }),
  });
  if (stream.status !== 200) throw new Error(`the change stream answered ${stream.status}: ${stream.body}`);
  let streamEnded = false;
  void stream.ended.then(() => (streamEnded = true));
  try {
    const burst = await writeBurst(o.sql, o.hotspots, o.size, o.seed);
    o.log(
      `burst written: ${burst.changedIds.length} changed, ${burst.retiredIds.length} retired, ${burst.createdIds.length} new ` +
        `(processing transaction ${(burst.writeMs / 1000).toFixed(1)} s, scores ${(burst.scoreMs / 1000).toFixed(1)} s); announcing…`,
    );
    const retired = new Set(burst.retiredIds);
    const pending = new Set([...burst.expected.keys(), ...retired]);
    const early = events.length;
    let seen = 0;
    let lastAt = 0;
    const reported = (): boolean => {
      for (; seen < events.length; seen++) {
        const { at, event } = events[seen]!;
        const data = JSON.parse(event.data) as HotspotSummary;
        const want = burst.expected.get(data.id);
        if (event.event === 'hotspot.retired' ? retired.has(data.id) : want && sameAnswer(data, want)) {
          if (pending.delete(data.id)) lastAt = at;
        }
      }
      return pending.size === 0;
    };
    let peakRss = residentBytes(o.apiPid) || 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, residentBytes(o.apiPid) || 0)), 100);
    const startedAt = performance.now();
    try {
      await announceBurst(o.writer, burst);
      await waitFor(
        () => {
          if (streamEnded) throw new Error('the change stream ended');
          return reported();
        },
        { timeoutMs: 300_000, intervalMs: 10, message: `all ${pending.size} changes on the change stream` },
      );
    } finally {
      clearInterval(sampler);
    }
    const servedMs = lastAt - startedAt;
    if (early > 0)
      o.log(`${early} events arrived before the announcements (a periodic full reload read part of the burst)`);
    // One swap's events are written at once: a new version or a pause starts the next swap.
    const swaps: { atMs: number; changes: number }[] = [];
    let previous: { at: number; id: string } | undefined;
    for (const { at, event } of events) {
      if (!previous || event.id !== previous.id || at - previous.at > 250)
        swaps.push({ atMs: at - startedAt, changes: 0 });
      swaps.at(-1)!.changes++;
      previous = { at, id: event.id };
    }
    return {
      startedAt,
      servedMs,
      writeMs: burst.writeMs,
      scoreMs: burst.scoreMs,
      swaps,
      checked: await checkThroughNearby(o.sql, o.apiUrl, burst.expected, burst.retiredIds),
      peakRss,
    };
  } finally {
    stream.close();
  }
}

function sameAnswer(a: HotspotSummary, b: HotspotSummary): boolean {
  return a.label === b.label && a.score === b.score && a.photoCount === b.photoCount;
}

/** 90 changed or new and 10 retired hotspots, each looked up with nearby at its position (1 m). */
async function checkThroughNearby(
  sql: Sql,
  apiUrl: string,
  expected: ReadonlyMap<number, HotspotSummary>,
  retiredIds: readonly number[],
): Promise<string> {
  const upserted = [...expected.values()];
  const sample = Array.from({ length: 90 }, (_, i) => upserted[Math.floor((i * upserted.length) / 90)]!);
  const gone = await sql<{ id: number; lat: number; lng: number }[]>`
    select id, lat, lng from hotspots where id = any(${retiredIds.filter((_, i) => i % Math.ceil(retiredIds.length / 10) === 0)})`;
  let ok = 0;
  const wrong: string[] = [];
  for (const h of [...sample, ...gone]) {
    const res = await fetch(`${apiUrl}/v1/hotspots/nearby?lat=${h.lat}&lng=${h.lng}&radius=1&limit=50`);
    const items = ((await res.json()) as { items: HotspotSummary[] }).items;
    const found = items.find((i) => i.id === h.id);
    const want = expected.get(h.id);
    if (want ? found && sameAnswer(found, want) : !found) ok++;
    else wrong.push(`${h.id}${want ? ' (stale or absent)' : ' (still served)'}`);
  }
  return `${ok} of ${sample.length + gone.length} as written${wrong.length > 0 ? `; wrong: ${wrong.slice(0, 5).join(', ')}` : ''}`;
}
