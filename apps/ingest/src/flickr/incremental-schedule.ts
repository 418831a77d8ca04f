import { ingestRequested } from '@photospots/contracts';
import type { Sql } from '@photospots/db';
import type { MessagePublisher } from '@photospots/queue';
import type { Logger } from '@photospots/service';
import { listRegions } from './harvest-checkpoints.ts';

/**
 * Asks for an incremental harvest of every region harvested before, as
 * ingest.requested messages (so whichever ingest task is free runs them, the
 * same way an EventBridge schedule's messages are run). Returns how many.
 */
export async function requestIncrementalHarvests(
  sql: Sql,
  publisher: MessagePublisher,
  licenceParam: string,
  log: Logger,
): Promise<number> {
  const regions = (await listRegions(sql)).filter((r) => r.licences === licenceParam);
  for (const region of regions) {
    await publisher.publish(ingestRequested, { kind: 'flickr-harvest', bbox: region.bbox, incremental: true });
  }
  if (regions.length > 0) log.info({ regions: regions.length }, 'incremental Flickr harvests requested');
  return regions.length;
}
