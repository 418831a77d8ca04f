import type { photosIngested, photosIngestedV1 } from '@photospots/contracts';
import { markTilesDirty, type Sql } from '@photospots/db';
import type { MessageHandler } from '@photospots/queue';

/**
 * Handles photos.ingested: asks the rebuild loop for a pass. In version 2 the
 * tiles the message names were marked dirty by ingest in the transaction that
 * stored the photos, so the message only wakes processing up: however late it
 * arrives, or however often, it adds no work (a tile rebuilt since is clean,
 * and stays clean), and any number of messages coalesce into few passes.
 * Version 1 (an ingest from before that change, during a rolling deployment)
 * did not mark them: processing does, idempotently.
 */
export function createPhotosIngestedHandler(deps: {
  sql: Sql;
  requestRebuild: (correlationId: string) => void;
}): MessageHandler<typeof photosIngested | typeof photosIngestedV1> {
  return async (message, ctx) => {
    if (message.schemaVersion === 1) await markTilesDirty(deps.sql, message.payload.tiles);
    ctx.log.debug(
      { tiles: message.payload.tiles.length, batchId: message.payload.batchId, schemaVersion: message.schemaVersion },
      'photos ingested: rebuild requested',
    );
    deps.requestRebuild(ctx.correlationId);
  };
}
