import type { hotspotsChanged, hotspotsRescoreRequested, MessageOf } from '@photospots/contracts';
import type { MessageHandler } from '@photospots/queue';

type Accepted = MessageOf<typeof hotspotsChanged> | MessageOf<typeof hotspotsRescoreRequested>;

/**
 * Handles hotspots.changed (rescore what changed, drop what retired) and
 * hotspots.rescore-requested (the schedule). Both recompute from the database,
 * so duplicates and reordering do not change the result.
 */
export function createHotspotsChangedHandler(deps: {
  rescore: (ids: readonly number[], removedIds: readonly number[]) => Promise<number>;
  rescoreAll: () => Promise<number>;
}): MessageHandler {
  return (async (message: Accepted, ctx) => {
    if (message.type === 'hotspots.changed') {
      const p = message.payload;
      const ids = [...p.createdIds, ...p.changedIds, ...p.merges.map((m) => m.intoId)];
      const scored = await deps.rescore(ids, p.retiredIds);
      ctx.log.info({ scored, retired: p.retiredIds.length }, 'hotspots rescored');
      return;
    }
    const p = message.payload;
    const scored = p.scope === 'all' ? await deps.rescoreAll() : await deps.rescore(p.hotspotIds, []);
    ctx.log.info({ scored, scope: p.scope }, 'scheduled rescore done');
  }) as MessageHandler;
}
