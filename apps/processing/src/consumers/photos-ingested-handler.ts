import type { photosIngested } from '@photospots/contracts';
import type { Sql } from '@photospots/db';
import type { MessageHandler } from '@photospots/queue';
import { markTilesDirty } from '../dirty-tiles/dirty-tile-repository.ts';

/**
 * Handles photos.ingested: records the tiles as dirty (durably, idempotently)
 * and asks the rebuild loop for a pass. The message is done once the tiles are
 * recorded: the re-clustering itself runs from the dirty-tile table, so any
 * number of messages coalesce into few passes, and a crash loses nothing.
 */
export function createPhotosIngestedHandler(deps: {
  sql: Sql;
  requestRebuild: (correlationId: string) => void;
}): MessageHandler<typeof photosIngested> {
  return async (message, ctx) => {
    await markTilesDirty(deps.sql, message.payload.tiles);
    ctx.log.debug({ tiles: message.payload.tiles.length, batchId: message.payload.batchId }, 'tiles marked dirty');
    deps.requestRebuild(ctx.correlationId);
  };
}
