import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Queryable } from '@photospots/db';

/** Messages waiting or in flight on a queue. */
export async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = out.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

export interface PipelineState {
  photos: number;
  activeHotspots: number;
  unscoredHotspots: number;
  dirtyTiles: number;
  outbox: number;
  queued: number;
}

/** A snapshot of how far the pipeline got: settled when nothing is dirty, queued or unscored. */
export async function pipelineState(
  sql: Queryable,
  sqs: SQSClient,
  queueUrls: readonly string[],
): Promise<PipelineState & { settled: boolean }> {
  const [row] = await sql<Omit<PipelineState, 'queued'>[]>`
    select (select count(*) from photos)::int as photos,
           (select count(*) from hotspots where status = 'active')::int as "activeHotspots",
           (select count(*) from hotspots where status = 'active' and (scored_at is null or scored_at < updated_at))::int as "unscoredHotspots",
           (select count(*) from dirty_tiles)::int as "dirtyTiles",
           (select count(*) from outbox)::int as outbox`;
  let queued = 0;
  for (const url of queueUrls) queued += await queueDepth(sqs, url);
  const state = { ...row!, queued };
  return {
    ...state,
    settled:
      state.dirtyTiles === 0 &&
      state.outbox === 0 &&
      state.queued === 0 &&
      state.unscoredHotspots === 0 &&
      state.activeHotspots > 0,
  };
}
