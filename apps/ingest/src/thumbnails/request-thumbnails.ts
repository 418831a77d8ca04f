import { thumbnailsRequested, type PayloadOf } from '@photospots/contracts';
import { enqueueOutboxMany, type TransactionSql } from '@photospots/db';
import type { MessagePublisher } from '@photospots/queue';
import { thumbnailKeyFor } from './thumbnail-key.ts';

/** Photos per thumbnails.requested message: a page of 250 becomes ten messages, one SQS batch call. */
export const THUMBNAILS_PER_MESSAGE = 25;

type ThumbnailJob = PayloadOf<typeof thumbnailsRequested>['photos'][number];

/**
 * Inside the transaction that stored a batch, queues (through the outbox)
 * thumbnail copies for the batch's photos that have an image URL but no copy
 * of that image yet. Returns how many photos were queued.
 */
export async function requestThumbnails(
  tx: TransactionSql,
  publisher: MessagePublisher,
  batch: { source: string; sourceIds: readonly string[]; correlationId: string },
): Promise<number> {
  if (batch.sourceIds.length === 0) return 0;
  const rows = await tx<{ id: number; source_id: string; image_url: string; thumbnail_key: string | null }[]>`
    select id, source_id, image_url, thumbnail_key from photos
    where source = ${batch.source} and source_id = any(${batch.sourceIds as string[]}) and image_url is not null
    order by id`;
  const jobs: ThumbnailJob[] = [];
  for (const row of rows) {
    const key = thumbnailKeyFor(batch.source, row.source_id, row.image_url);
    if (row.thumbnail_key !== key) jobs.push({ photoId: row.id, imageUrl: row.image_url, key });
  }
  const messages = [];
  for (let i = 0; i < jobs.length; i += THUMBNAILS_PER_MESSAGE) {
    messages.push(
      publisher.build(
        thumbnailsRequested,
        { photos: jobs.slice(i, i + THUMBNAILS_PER_MESSAGE) },
        { correlationId: batch.correlationId },
      ),
    );
  }
  await enqueueOutboxMany(tx, thumbnailsRequested.queue, messages);
  return jobs.length;
}
