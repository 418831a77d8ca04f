import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTRACTS, parseMessage } from '../src/index.ts';

describe('fuzzing message bodies', () => {
  it('never throws on any body: a valid message or a stable rejection code', () => {
    const body = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record({
          type: fc.constantFrom(...CONTRACTS.map((c) => c.type), 'x'),
          schemaVersion: fc.oneof(fc.integer(), fc.string()),
          payload: fc.jsonValue(),
          metadata: fc.jsonValue(),
        })
        .map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(body, (b) => {
        const r = parseMessage(b, CONTRACTS);
        if (!r.ok) expect(['INVALID_JSON', 'UNKNOWN_TYPE', 'UNSUPPORTED_VERSION', 'SCHEMA_MISMATCH']).toContain(r.code);
      }),
      { numRuns: 3_000 },
    );
  });
});
