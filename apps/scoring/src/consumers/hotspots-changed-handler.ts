import type { hotspotsChanged, hotspotsRescoreRequested } from '@photospots/contracts';
import type { MessageHandler } from '@photospots/queue';

/**
 * Handles hotspots.changed (rescore what changed, drop what retired) and
 * hotspots.rescore-requested (the schedule). Both recompute from the database,
 * so duplicates and reordering do not change the result.
 */
export function createHotspotsChangedHandler(deps: {
  /** `progress` is called after every stored chunk of scores (the consumer's stall watchdog). */
  rescore: (ids: readonly number[], removedIds: readonly number[], progress: () => void) => Promise<number>;
  rescoreAll: (progress: () => void) => Promise<number>;
}): MessageHandler<typeof hotspotsChanged | typeof hotspotsRescoreRequested> {
  return async (message, ctx) => {
    if (message.type === 'hotspots.changed') {
      const p = message.payload;
      const ids = [...p.createdIds, ...p.changedIds, ...p.merges.map((m) => m.intoId)];
      const scored = await deps.rescore(ids, p.retiredIds, ctx.progress);
      ctx.log.info({ scored, retired: p.retiredIds.length }, 'hotspots rescored');
      return;
    }
    const p = message.payload;
    const scored =
      p.scope === 'all' ? await deps.rescoreAll(ctx.progress) : await deps.rescore(p.hotspotIds, [], ctx.progress);
    ctx.log.info({ scored, scope: p.scope }, 'scheduled rescore done');
  };
}
