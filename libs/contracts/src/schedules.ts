import type { AnyContract, PayloadOf } from './envelope.ts';
import { hotspotsRescoreRequested, ingestRequested } from './messages.ts';

/**
 * A message sent on a timer: locally by a service's own timer, in AWS by an
 * EventBridge schedule of the same name (infra/modules/stack/schedules.tf),
 * which the infra drift tests compare with this list.
 */
export interface ScheduledMessage<C extends AnyContract = AnyContract> {
  /** Name of the schedule, the same in Terraform. */
  name: string;
  contract: C;
  payload: PayloadOf<C>;
  /** The service whose local timer sends it. */
  sentLocallyBy: string;
  /** That service's variable for the timer's interval; 0 where a platform scheduler sends the message instead. */
  intervalEnvVar: string;
}

function scheduledMessage<C extends AnyContract>(message: ScheduledMessage<C>): ScheduledMessage<C> {
  return message;
}

/** Rescore every hotspot: recency decays even when no photos arrive. */
export const rescoreAllSchedule = scheduledMessage({
  name: 'rescore-all',
  contract: hotspotsRescoreRequested,
  payload: { scope: 'all' },
  sentLocallyBy: 'scoring',
  intervalEnvVar: 'RESCORE_INTERVAL_MINUTES',
});

/** Harvest from Flickr what was uploaded since the last harvest of every region harvested before. */
export const flickrIncrementalSchedule = scheduledMessage({
  name: 'flickr-incremental',
  contract: ingestRequested,
  payload: { kind: 'flickr-incremental' },
  sentLocallyBy: 'ingest',
  intervalEnvVar: 'FLICKR_INCREMENTAL_INTERVAL_MINUTES',
});

/** Every scheduled message. */
export const SCHEDULED_MESSAGES: readonly ScheduledMessage[] = [rescoreAllSchedule, flickrIncrementalSchedule];
