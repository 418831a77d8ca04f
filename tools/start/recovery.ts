/**
 * After a launcher that did not stop cleanly, the embedded queues' messages
 * are gone. What they carried is recovered from the database:
 * - an unfinished import: sample-import.ts requests it again (it resumes
 *   from its checkpoint);
 * - tiles dirtied but not clustered: the processing service's sweep picks
 *   them up;
 * - photos.ingested messages that were sent but not yet handled left no
 *   trace, so every tile is re-clustered (`processing rebuild`, the same CLI
 *   operators use; unchanged hotspots stay untouched);
 * - hotspots.changed messages lost: a rescore of everything
 *   (hotspots.rescore-requested).
 */
import path from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { hotspotsRescoreRequested, type QueueKey } from '@photospots/contracts';
import type { Sql } from '@photospots/db';
import { MessagePublisher } from '@photospots/queue';
import { createLogger } from '@photospots/service';
import { since } from './format.ts';
import type { Supervisor } from './supervisor.ts';

export async function recoverLostMessages(deps: {
  sql: Sql;
  sqs: SQSClient;
  queueUrls: Record<QueueKey, string>;
  supervisor: Supervisor;
  repoRoot: string;
  serviceEnv: Record<string, string>;
  say: (line: string) => void;
}): Promise<void> {
  const [row] = await deps.sql<{ photos: number }[]>`select count(*)::int as photos from photos`;
  if (!row || row.photos === 0) return;
  deps.say(
    'the last run did not stop cleanly: re-clustering every tile and rescoring, since queued messages were lost',
  );
  const started = performance.now();
  const code = await deps.supervisor.run(
    'processing-rebuild',
    path.join(deps.repoRoot, 'apps/processing/src/cli.ts'),
    ['rebuild'],
    deps.serviceEnv,
  );
  if (code !== 0) throw new Error(`processing rebuild exited with ${code}; see .data/logs/processing-rebuild.log`);
  const publisher = new MessagePublisher({
    sqs: deps.sqs,
    queueUrls: deps.queueUrls,
    producer: 'cli',
    log: createLogger('launcher', 'silent'),
  });
  await publisher.publish(hotspotsRescoreRequested, { scope: 'all' });
  deps.say(`tiles re-clustered (${since(started)}); rescore requested`);
}
