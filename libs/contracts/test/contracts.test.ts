import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CONTRACTS,
  contractsForQueue,
  hotspotsChanged,
  ingestRequested,
  parseMessage,
  photosIngested,
  photosIngestedV1,
  QUEUES,
  thumbnailsRequested,
} from '../src/index.ts';

const metadata = () => ({
  messageId: randomUUID(),
  correlationId: 'c-1',
  producedBy: 'ingest',
  occurredAt: new Date().toISOString(),
});

describe('contracts', () => {
  it('every contract travels on a declared queue and every queue carries a contract', () => {
    const keys = new Set(QUEUES.map((q) => q.key));
    for (const c of CONTRACTS) expect(keys.has(c.queue)).toBe(true);
    for (const q of QUEUES) expect(contractsForQueue(q.key).length).toBeGreaterThan(0);
  });

  it('accepts a valid message', () => {
    const body = JSON.stringify({
      type: 'photos.ingested',
      schemaVersion: 2,
      payload: { batchId: 'b', source: 'lbsn', photoCount: 2, tiles: [1, 2] },
      metadata: metadata(),
    });
    const r = parseMessage(body, [photosIngested]);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.message.payload).toEqual({ batchId: 'b', source: 'lbsn', photoCount: 2, tiles: [1, 2] });
  });

  it.each([
    ['not json {', 'INVALID_JSON'],
    [JSON.stringify({ type: 'nope', schemaVersion: 1 }), 'UNKNOWN_TYPE'],
    [JSON.stringify({ type: 'photos.ingested', schemaVersion: 3, payload: {}, metadata: {} }), 'UNSUPPORTED_VERSION'],
    [
      JSON.stringify({
        type: 'photos.ingested',
        schemaVersion: 2,
        payload: { batchId: 'b', source: 'x', photoCount: -1, tiles: [] },
        metadata: metadata(),
      }),
      'SCHEMA_MISMATCH',
    ],
    [
      JSON.stringify({
        type: 'photos.ingested',
        schemaVersion: 2,
        payload: { batchId: 'b', source: 'x', photoCount: 1, tiles: [1] },
        metadata: { ...metadata(), messageId: 'x' },
      }),
      'SCHEMA_MISMATCH',
    ],
  ])('rejects %s with %s', (body, code) => {
    const r = parseMessage(body, [photosIngested, hotspotsChanged]);
    expect(r).toMatchObject({ ok: false, code });
  });

  it('accepts photos.ingested in both versions its queue carries, each under its own contract', () => {
    const body = (v: number) =>
      JSON.stringify({
        type: 'photos.ingested',
        schemaVersion: v,
        payload: { batchId: 'b', source: 'lbsn', photoCount: 1, tiles: [7] },
        metadata: metadata(),
      });
    expect(parseMessage(body(1), contractsForQueue('photosIngested'))).toMatchObject({
      ok: true,
      contract: photosIngestedV1,
    });
    expect(parseMessage(body(2), contractsForQueue('photosIngested'))).toMatchObject({
      ok: true,
      contract: photosIngested,
    });
  });

  it('rejects a message of a type this queue does not carry', () => {
    const body = JSON.stringify({
      type: 'photos.ingested',
      schemaVersion: 1,
      payload: { batchId: 'b', source: 'x', photoCount: 1, tiles: [1] },
      metadata: metadata(),
    });
    expect(parseMessage(body, contractsForQueue('hotspotsChanged'))).toMatchObject({ ok: false, code: 'UNKNOWN_TYPE' });
  });

  it('accepts a Flickr harvest request with a start, or an incremental one without', () => {
    const bbox = { minLng: 13.6, minLat: 50.98, maxLng: 13.9, maxLat: 51.12 };
    const message = (payload: unknown) =>
      JSON.stringify({ type: 'ingest.requested', schemaVersion: 1, payload, metadata: metadata() });
    const ok = parseMessage(
      message({ kind: 'flickr-harvest', bbox, since: '2015-01-01T00:00:00Z' }),
      contractsForQueue('ingest'),
    );
    expect(ok.ok && ok.message.payload).toEqual({
      kind: 'flickr-harvest',
      bbox,
      since: '2015-01-01T00:00:00Z',
      incremental: false,
    });
    expect(parseMessage(message({ kind: 'flickr-harvest', bbox, incremental: true }), [ingestRequested]).ok).toBe(true);
    expect(parseMessage(message({ kind: 'flickr-harvest', bbox }), [ingestRequested])).toMatchObject({
      ok: false,
      code: 'SCHEMA_MISMATCH',
      reason: 'payload.since: since is required unless incremental',
    });
    expect(
      parseMessage(
        message({ kind: 'flickr-harvest', bbox, since: '2016-01-01T00:00:00Z', until: '2015-01-01T00:00:00Z' }),
        [ingestRequested],
      ),
    ).toMatchObject({ ok: false, code: 'SCHEMA_MISMATCH' });
    expect(
      parseMessage(message({ kind: 'flickr-harvest', bbox: { ...bbox, minLng: 14 }, since: '2015-01-01T00:00:00Z' }), [
        ingestRequested,
      ]),
    ).toMatchObject({ ok: false, code: 'SCHEMA_MISMATCH' });
  });

  it('carries thumbnail jobs on their own queue, a bounded number per message', () => {
    expect(thumbnailsRequested.queue).toBe('thumbnails');
    expect(QUEUES.find((q) => q.key === 'thumbnails')).toMatchObject({
      envVar: 'QUEUE_THUMBNAILS',
      defaultName: 'photospots-thumbnails',
    });
    const job = {
      photoId: 1,
      imageUrl: 'https://live.staticflickr.com/65535/1_abc_q.jpg',
      key: 'flickr/1/0123456789ab.jpg',
    };
    const message = (photos: unknown[]) =>
      JSON.stringify({ type: 'thumbnails.requested', schemaVersion: 1, payload: { photos }, metadata: metadata() });
    expect(parseMessage(message([job]), contractsForQueue('thumbnails')).ok).toBe(true);
    expect(parseMessage(message([]), [thumbnailsRequested])).toMatchObject({ ok: false, code: 'SCHEMA_MISMATCH' });
    expect(parseMessage(message(Array(101).fill(job)), [thumbnailsRequested])).toMatchObject({
      ok: false,
      code: 'SCHEMA_MISMATCH',
    });
    expect(parseMessage(message([{ ...job, imageUrl: 'file:///etc/passwd' }]), [thumbnailsRequested])).toMatchObject({
      ok: false,
      code: 'SCHEMA_MISMATCH',
    });
  });
});
