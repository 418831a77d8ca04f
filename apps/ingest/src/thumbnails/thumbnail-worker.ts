import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { thumbnailsRequested } from '@photospots/contracts';
import type { Sql } from '@photospots/db';
import type { MessageHandler } from '@photospots/queue';
import type { LimitFunction } from 'p-limit';

/** Larger "thumbnails" are not thumbnails: refuse them rather than fill the bucket. */
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 20_000;

export interface ThumbnailWorkerDeps {
  sql: Sql;
  s3: S3Client;
  bucket: string;
  /** Shared by every message this task handles: bounds image downloads in flight. */
  slots: LimitFunction;
}

type Outcome = 'stored' | 'skipped' | 'gone' | 'failed';

/** A download that can never succeed (the image was deleted, or is not an image). */
class PermanentImageError extends Error {}

/**
 * Handles thumbnails.requested: downloads each photo's small image and stores
 * it in the bucket under the message's key, then records the key on the photo.
 * Photos already done, or whose image URL changed since, are skipped, so a
 * redelivered message is harmless. If any image failed for a reason that may
 * pass (5xx, timeout, S3 error) the handler throws: SQS redelivers the message
 * with backoff and, after maxReceiveCount, moves it to the dead-letter queue.
 * Photo ingestion never waits on any of this.
 */
export function createThumbnailsRequestedHandler(
  deps: ThumbnailWorkerDeps,
): MessageHandler<typeof thumbnailsRequested> {
  return async (message, ctx) => {
    const jobs = message.payload.photos;
    const outcomes = await Promise.all(
      jobs.map((job) =>
        deps.slots(async (): Promise<Outcome> => {
          const [row] = await deps.sql<{ image_url: string | null; thumbnail_key: string | null }[]>`
            select image_url, thumbnail_key from photos where id = ${job.photoId}`;
          if (!row || row.image_url !== job.imageUrl || row.thumbnail_key === job.key) return 'skipped';
          try {
            const { bytes, contentType } = await download(job.imageUrl);
            await deps.s3.send(
              new PutObjectCommand({
                Bucket: deps.bucket,
                Key: job.key,
                Body: bytes,
                ContentType: contentType,
                // The key changes whenever the image does, so the object never changes.
                CacheControl: 'public, max-age=31536000, immutable',
              }),
            );
            await deps.sql`update photos set thumbnail_key = ${job.key} where id = ${job.photoId} and image_url = ${job.imageUrl}`;
            return 'stored';
          } catch (err) {
            if (err instanceof PermanentImageError) {
              ctx.log.warn({ photoId: job.photoId, reason: err.message }, 'thumbnail cannot be fetched; skipped');
              return 'gone';
            }
            ctx.log.warn(
              { photoId: job.photoId, err: (err as Error).message },
              'thumbnail failed; the message will be retried',
            );
            return 'failed';
          }
        }),
      ),
    );
    const failed = outcomes.filter((o) => o === 'failed').length;
    const stored = outcomes.filter((o) => o === 'stored').length;
    ctx.log.debug({ photos: jobs.length, stored, failed }, 'thumbnails handled');
    if (failed > 0) throw new Error(`${failed} of ${jobs.length} thumbnails failed (receive ${ctx.receiveCount})`);
  };
}

async function download(url: string): Promise<{ bytes: Uint8Array; contentType: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
  if (response.status === 404 || response.status === 410) throw new PermanentImageError(`HTTP ${response.status}`);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (!contentType.startsWith('image/'))
    throw new PermanentImageError(`content-type ${contentType || 'missing'} is not an image`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_IMAGE_BYTES) throw new PermanentImageError(`image of ${declared} bytes is too large`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > MAX_IMAGE_BYTES)
    throw new PermanentImageError(`image of ${bytes.byteLength} bytes is too large`);
  return { bytes, contentType };
}
