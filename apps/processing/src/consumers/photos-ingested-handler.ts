import type { photosIngested } from '@photospots/contracts';
import type { MessageHandler } from '@photospots/queue';

/**
 * Handles photos.ingested: asks the rebuild loop for a pass. The tiles the
 * message names were marked dirty by ingest in the transaction that stored
 * the photos, so the message only wakes processing up: however late it
 * arrives, or however often, it adds no work (a tile rebuilt since is clean,
 * and stays clean), and any number of messages coalesce into few passes.
 */
export function createPhotosIngestedHandler(deps: { requestRebuild: (correlationId: string) => void }): MessageHandler<typeof photosIngested> {
  return async (message, ctx) => {
    ctx.log.debug({ tiles: message.payload.tiles.length, batchId: message.payload.batchId }, 'photos ingested: rebuild requested');
    deps.requestRebuild(ctx.correlationId);
  };
}
