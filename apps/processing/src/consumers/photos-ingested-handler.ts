import type { photosIngested } from '@photospots/contracts';
import type { Sql } from '@photospots/db';
import type { MessageHandler } from '@photospots/queue';
import { markTilesDirty } from '../dirty-tiles/dirty-tile-repository.ts';

/**
 * Handles photos.ingested: records the tiles as dirty (durably, idempotently)
 * and re-clusters whatever is dirty. Messages for the same tiles coalesce into
 * one rebuild; a redelivered message finds nothing left to do.
 */
export function createPhotosIngestedHandler(deps: {
  sql: Sql;
  rebuildDirty: (correlationId: string, signal: AbortSignal) => Promise<unknown>;
}): MessageHandler<typeof photosIngested> {
  return async (message, ctx) => {
    await markTilesDirty(deps.sql, message.payload.tiles);
    ctx.log.debug({ tiles: message.payload.tiles.length, batchId: message.payload.batchId }, 'tiles marked dirty');
    await deps.rebuildDirty(ctx.correlationId, ctx.signal);
  };
}
