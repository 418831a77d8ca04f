import { z } from 'zod';

/** Services that produce messages; the metadata names one of them. */
export const PRODUCERS = ['ingest', 'processing', 'scoring', 'query-api', 'scheduler', 'cli', 'test'] as const;
export type Producer = (typeof PRODUCERS)[number];

export const metadataSchema = z.object({
  messageId: z.uuid(),
  correlationId: z.string().min(1).max(200),
  producedBy: z.enum(PRODUCERS),
  occurredAt: z.iso.datetime({ offset: true }),
});
export type MessageMetadata = z.infer<typeof metadataSchema>;

/** The queues of the system, by logical key; names and URLs come from config. */
export const QUEUE_KEYS = ['ingest', 'photosIngested', 'hotspotsChanged', 'thumbnails'] as const;
export type QueueKey = (typeof QUEUE_KEYS)[number];

/**
 * A message contract: a type literal, a schema version, the queue it travels
 * on, and the payload schema. The whole message's schema and type derive from
 * these, never written twice.
 */
export interface Contract<T extends string, V extends number, P extends z.ZodType> {
  type: T;
  schemaVersion: V;
  queue: QueueKey;
  description: string;
  payload: P;
  schema: z.ZodObject<{
    type: z.ZodLiteral<T>;
    schemaVersion: z.ZodLiteral<V>;
    payload: P;
    metadata: typeof metadataSchema;
  }>;
}

export type AnyContract = Contract<string, number, z.ZodType>;

/** The full message of a contract. */
export type MessageOf<C extends AnyContract> = z.infer<C['schema']>;
/** The payload of a contract. */
export type PayloadOf<C extends AnyContract> = z.infer<C['payload']>;

export function defineContract<T extends string, V extends number, P extends z.ZodType>(def: {
  type: T;
  schemaVersion: V;
  queue: QueueKey;
  description: string;
  payload: P;
}): Contract<T, V, P> {
  return {
    ...def,
    schema: z.object({
      type: z.literal(def.type),
      schemaVersion: z.literal(def.schemaVersion),
      payload: def.payload,
      metadata: metadataSchema,
    }),
  };
}
