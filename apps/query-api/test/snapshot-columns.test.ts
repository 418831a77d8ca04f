import type { HotspotSummary } from '@photospots/hotspot-index';
import { zOrderCode } from '@photospots/geo';
import { seededRandom } from '@photospots/test-harness';
import { describe, expect, it } from 'vitest';
import { ColumnsBuilder, mergeColumns, ringAt, summaryAt, type Columns } from '../src/hotspots/snapshot-columns.ts';

function hotspot(id: number, score: number, label: string): HotspotSummary {
  return { id, label, lat: 51 + id * 1e-4, lng: 13.7, score, photoCount: id, userCount: 3, tags: ['elbe'] };
}

function columnsOf(items: readonly HotspotSummary[], rings: ReadonlyMap<number, number[]>): Columns {
  const builder = new ColumnsBuilder();
  for (const h of items) builder.add(h, rings.get(h.id));
  return builder.finish();
}

/** Whether an array's memory was handed back (its buffer detached). */
const detached = (a: ArrayBufferView) => (a.buffer as ArrayBuffer).detached;

/** Every row as (summary, ring), in order. */
function rows(c: Columns) {
  return Array.from({ length: c.size }, (_, r) => ({ h: summaryAt(c, r), ring: ringAt(c, r) && [...ringAt(c, r)!] }));
}

/** The rows in Z-order (ties by id), and byScore every row once, best score first (ties by id). */
function expectOrdered(c: Columns) {
  const ids = [...c.id];
  const codes = Array.from(ids, (_, r) => zOrderCode(c.lat[r]!, c.lng[r]!));
  expect([...c.cell]).toEqual(codes);
  const zSorted = ids.map((id, r) => ({ id, code: codes[r]! })).sort((a, b) => a.code - b.code || a.id - b.id);
  expect(ids).toEqual(zSorted.map((x) => x.id));
  const ranked = Array.from(c.byScore, (r) => ({ id: c.id[r]!, score: c.score[r]! }));
  expect(ranked).toEqual([...ranked].sort((a, b) => b.score - a.score || a.id - b.id));
  expect(new Set(c.byScore).size).toBe(c.size);
}

describe('snapshot columns', () => {
  it('keep text and hulls in place across merges, and write them afresh once most of them are dead', () => {
    const rnd = seededRandom(3);
    // More rows than a chunk's page, some labels not ASCII (their bytes are not their characters).
    const labels = (i: number) => (i % 7 ? `Spot ${i}` : `Zwölf ${i} 東`);
    let items = new Map(
      Array.from({ length: 20_000 }, (_, i) => [i + 1, hotspot(i + 1, Math.round(rnd() * 100), labels(i))] as const),
    );
    let rings = new Map([...items.keys()].filter((id) => id % 5 === 0).map((id) => [id, [id, 1, id, 2, id, 1]]));
    let columns = columnsOf([...items.values()], rings);
    const firstChunk = columns.text.chunks[0];
    let compactions = 0;
    for (let round = 0; round < 12; round++) {
      // Each round replaces a fifth of the rows: the arenas' dead share grows until they are written afresh.
      const replaced = [...items.keys()].filter(() => rnd() < 0.2);
      const incoming = replaced.map((id) => hotspot(id, Math.round(rnd() * 100), `Round ${round} ${id}`));
      const incomingRings = new Map(incoming.filter(() => rnd() < 0.5).map((h) => [h.id, [round, h.id, round, h.id]]));
      const positions = new Map(Array.from(columns.id, (id, r) => [id, r]));
      const drops = replaced.map((id) => positions.get(id)!).sort((a, b) => a - b);
      const before = columns;
      columns = mergeColumns(columns, drops, columnsOf(incoming, incomingRings), { text: 0, rings: 0 });
      const rewritten = columns.text.chunks[0] !== before.text.chunks[0];
      if (rewritten) compactions++;
      else expect(columns.text.chunks.slice(0, before.text.chunks.length)).toEqual(before.text.chunks);

      items = new Map(items);
      rings = new Map(rings);
      for (const h of incoming) {
        items.set(h.id, h);
        const ring = incomingRings.get(h.id);
        if (ring) rings.set(h.id, ring);
        else rings.delete(h.id);
      }
      const expected = columnsOf([...items.values()], rings);
      expect(rows(columns)).toEqual(rows(expected));
      expect(columns.byScore).toEqual(expected.byScore);
      expectOrdered(columns);
      expect(columns.liveText).toBe(expected.liveText);
      expect(columns.liveRings).toBe(expected.liveRings);
      expect(columns.text.length).toBeLessThanOrEqual(2 * columns.liveText);
    }
    expect(compactions).toBeGreaterThan(0);
    expect(compactions).toBeLessThan(12);
    expect(columns.text.chunks).not.toContain(firstChunk);
  });

  it('merge the chunks of many small patches, and keep no small chunk as a view into a shared pool', () => {
    let columns = columnsOf([hotspot(1, 5, 'One'), hotspot(2, 4, 'Two')], new Map());
    let merges = 0;
    for (let round = 0; round < 1_200; round++) {
      // Each patch adds a hotspot: nothing dies, so only the number of chunks can call for a merge.
      const before = columns.text.chunks.length;
      columns = mergeColumns(columns, [], columnsOf([hotspot(3 + round, round % 7, `New ${round}`)], new Map()));
      if (columns.text.chunks.length < before) merges++;
    }
    expect(merges).toBeGreaterThan(0);
    expect(columns.text.chunks.length).toBeLessThanOrEqual(4 + 1_024);
    expect(columns.size).toBe(1_202);
    expectOrdered(columns);
    // Last in score order: the lowest score (0, every seventh round), the highest id among those (round 1,197).
    expect(summaryAt(columns, columns.byScore[columns.size - 1]!)).toEqual(hotspot(1_200, 0, 'New 1197'));
    for (const chunk of columns.text.chunks) expect(chunk.buffer.byteLength).toBe(chunk.length);
  });

  it('are handed over once, and free at once what the columns no longer need', () => {
    const items = Array.from({ length: 3_000 }, (_, i) => hotspot(i + 1, i % 13, i % 5 ? `Spot ${i}` : `Brücke ${i}`));
    const rings = new Map(items.filter((h) => h.id % 3 === 0).map((h) => [h.id, [h.lng, h.lat, h.lng, h.lat + 1e-4]]));
    const expected = rows(columnsOf(items, rings));

    // Arriving out of Z-order (best score first, as a load reads them): the text is written again in row order
    // and the copy as it arrived is freed; the hulls stay in their chunks.
    const scattered = new ColumnsBuilder();
    for (const h of [...items].sort((a, b) => b.score - a.score || a.id - b.id)) scattered.add(h, rings.get(h.id));
    const asArrived = scattered.arrived();
    const columns = scattered.finish();
    expect(asArrived.text.chunks.every((chunk) => detached(chunk))).toBe(true);
    expect(detached(asArrived.id)).toBe(true);
    expect(columns.text.chunks.some((chunk) => detached(chunk))).toBe(false);
    expect(columns.rings.chunks).toEqual(asArrived.rings.chunks);
    expect(rows(columns)).toEqual(expected);
    expect(() => scattered.finish()).toThrow(/already handed over/);
    expect(() => scattered.add(items[0]!)).toThrow(/already handed over/);

    // Arriving in Z-order: the columns keep the chunks as they are.
    const ordered = new ColumnsBuilder();
    for (const h of [...items].sort((a, b) => a.id - b.id)) ordered.add(h, rings.get(h.id));
    const kept = ordered.arrived().text.chunks;
    const inOrder = ordered.finish();
    expect(inOrder.text.chunks).toEqual(kept);
    expect(rows(inOrder)).toEqual(expected);

    // Discarded: nothing is kept.
    const dropped = new ColumnsBuilder();
    for (const h of items) dropped.add(h, rings.get(h.id));
    const gathered = dropped.arrived();
    dropped.discard();
    for (const chunk of [...gathered.text.chunks, ...gathered.rings.chunks]) expect(detached(chunk)).toBe(true);
    expect(() => dropped.arrived()).toThrow(/already handed over/);
  });
});
