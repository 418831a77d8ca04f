import { photosIngested } from '@photospots/contracts';
import { enqueueOutbox, markTilesDirty, type TransactionSql } from '@photospots/db';
import type { MessagePublisher } from '@photospots/queue';
import type { NormalisedPhoto } from './normalised-photo.ts';
import { upsertPhotos, type PreparedBatch, type UpsertResult } from './photo-store.ts';

export interface StoredBatch extends UpsertResult {
  /** Whether a photos.ingested message went into the outbox (only when something changed). */
  announced: boolean;
}

/**
 * Stores one batch of photos from any source inside the caller's transaction:
 * the upsert, the touched work tiles marked dirty, and one photos.ingested
 * message naming them in the outbox, so the batch, the work it makes and its
 * announcement commit together.
 */
export async function storePhotoBatch(
  tx: TransactionSql,
  publisher: MessagePublisher,
  batch: {
    photos: readonly NormalisedPhoto[] | PreparedBatch;
    source: string;
    batchId: string;
    correlationId: string;
    signal?: AbortSignal;
    /** More batches of a bulk import follow: their tiles' longest delay counts afresh (see markTilesDirty). */
    bulk?: boolean;
  },
): Promise<StoredBatch> {
  const result = await upsertPhotos(tx, batch.photos, undefined, batch.signal);
  if (result.tiles.length === 0) return { ...result, announced: false };
  // The tiles are dirty from this commit on: processing never re-clusters a tile without these photos and
  // then waits for a message that a busy queue delivers late (which would dirty it again for nothing).
  await markTilesDirty(tx, result.tiles, { postpone: batch.bulk });
  const message = publisher.build(
    photosIngested,
    { batchId: batch.batchId, source: batch.source, photoCount: result.inserted + result.updated, tiles: result.tiles },
    { correlationId: batch.correlationId },
  );
  await enqueueOutbox(tx, photosIngested.queue, message);
  return { ...result, announced: true };
}
