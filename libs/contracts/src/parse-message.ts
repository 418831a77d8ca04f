import type { AnyContract } from './envelope.ts';

export type ParseResult =
  | {
      ok: true;
      contract: AnyContract;
      message: {
        type: string;
        schemaVersion: number;
        payload: unknown;
        metadata: { correlationId: string; messageId: string; producedBy: string; occurredAt: string };
      };
    }
  | { ok: false; code: 'INVALID_JSON' | 'UNKNOWN_TYPE' | 'UNSUPPORTED_VERSION' | 'SCHEMA_MISMATCH'; reason: string };

/**
 * Parses and validates a raw message body against the contracts a consumer
 * accepts. Never throws: an invalid message gets a stable code and a reason,
 * and the consumer sends it to the dead-letter queue.
 */
export function parseMessage(body: string | undefined, accepted: readonly AnyContract[]): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(body ?? '');
  } catch (err) {
    return { ok: false, code: 'INVALID_JSON', reason: (err as Error).message };
  }
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  const sameType = accepted.filter((c) => c.type === type);
  if (sameType.length === 0) {
    return { ok: false, code: 'UNKNOWN_TYPE', reason: `type ${JSON.stringify(type)} is not accepted here` };
  }
  const version = (raw as { schemaVersion?: unknown }).schemaVersion;
  const contract = sameType.find((c) => c.schemaVersion === version);
  if (!contract) {
    return {
      ok: false,
      code: 'UNSUPPORTED_VERSION',
      reason: `${String(type)} schemaVersion ${JSON.stringify(version)} is not supported (supported: ${sameType.map((c) => c.schemaVersion).join(', ')})`,
    };
  }
  const parsed = contract.schema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      code: 'SCHEMA_MISMATCH',
      reason: parsed.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; '),
    };
  }
  return { ok: true, contract, message: parsed.data as never };
}
