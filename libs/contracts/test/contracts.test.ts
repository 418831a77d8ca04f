import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CONTRACTS, contractsForQueue, hotspotsChanged, parseMessage, photosIngested, QUEUES } from '../src/index.ts';

const metadata = () => ({ messageId: randomUUID(), correlationId: 'c-1', producedBy: 'ingest', occurredAt: new Date().toISOString() });

describe('contracts', () => {
  it('every contract travels on a declared queue and every queue carries a contract', () => {
    const keys = new Set(QUEUES.map((q) => q.key));
    for (const c of CONTRACTS) expect(keys.has(c.queue)).toBe(true);
    for (const q of QUEUES) expect(contractsForQueue(q.key).length).toBeGreaterThan(0);
  });

  it('accepts a valid message', () => {
    const body = JSON.stringify({ type: 'photos.ingested', schemaVersion: 1, payload: { batchId: 'b', source: 'lbsn', photoCount: 2, tiles: [1, 2] }, metadata: metadata() });
    const r = parseMessage(body, [photosIngested]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.message.payload).toEqual({ batchId: 'b', source: 'lbsn', photoCount: 2, tiles: [1, 2] });
  });

  it.each([
    ['not json {', 'INVALID_JSON'],
    [JSON.stringify({ type: 'nope', schemaVersion: 1 }), 'UNKNOWN_TYPE'],
    [JSON.stringify({ type: 'photos.ingested', schemaVersion: 2, payload: {}, metadata: {} }), 'UNSUPPORTED_VERSION'],
    [JSON.stringify({ type: 'photos.ingested', schemaVersion: 1, payload: { batchId: 'b', source: 'x', photoCount: -1, tiles: [] }, metadata: metadata() }), 'SCHEMA_MISMATCH'],
    [JSON.stringify({ type: 'photos.ingested', schemaVersion: 1, payload: { batchId: 'b', source: 'x', photoCount: 1, tiles: [1] }, metadata: { ...metadata(), messageId: 'x' } }), 'SCHEMA_MISMATCH'],
  ])('rejects %s with %s', (body, code) => {
    const r = parseMessage(body, [photosIngested, hotspotsChanged]);
    expect(r).toMatchObject({ ok: false, code });
  });

  it('rejects a message of a type this queue does not carry', () => {
    const body = JSON.stringify({ type: 'photos.ingested', schemaVersion: 1, payload: { batchId: 'b', source: 'x', photoCount: 1, tiles: [1] }, metadata: metadata() });
    expect(parseMessage(body, contractsForQueue('hotspotsChanged'))).toMatchObject({ ok: false, code: 'UNKNOWN_TYPE' });
  });
});
