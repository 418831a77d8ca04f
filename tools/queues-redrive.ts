/**
 * `npm run queues:redrive -- <queue>`: after fixing what sent messages to a
 * dead-letter queue, moves them back to their queue to be handled again.
 * <queue> is a key (ingest, photosIngested, hotspotsChanged) or `all`; names
 * and the endpoint come from the same variables the services read.
 */
import { loadConfig, queueEnv, sharedEnv } from '@photospots/config';
import { QUEUES, type QueueKey } from '@photospots/contracts';
import { createSqsClient, redriveDeadLetters, resolveQueues } from '@photospots/queue';

const config = loadConfig({ ...sharedEnv, ...queueEnv });
const which = process.argv[2];
const keys = QUEUES.map((q) => q.key);
if (!which || (which !== 'all' && !keys.includes(which as QueueKey))) {
  console.error(`usage: npm run queues:redrive -- <${keys.join(' | ')} | all>`);
  process.exit(2);
}
const sqs = createSqsClient({
  region: config.AWS_REGION,
  endpoint: config.AWS_ENDPOINT_URL,
  accessKeyId: config.AWS_ACCESS_KEY_ID,
  secretAccessKey: config.AWS_SECRET_ACCESS_KEY,
});
const nameOf = (key: QueueKey) =>
  (config as unknown as Record<string, string>)[QUEUES.find((q) => q.key === key)!.envVar]!;
for (const key of which === 'all' ? keys : [which as QueueKey]) {
  const queues = await resolveQueues(sqs, { [key]: nameOf(key) });
  const dlq = queues.deadLetterUrl[key];
  if (!dlq) {
    console.log(`${key}: no dead-letter queue configured`);
    continue;
  }
  const moved = await redriveDeadLetters(sqs, dlq, queues.url[key]);
  console.log(`${key}: ${moved} message(s) moved back from the dead-letter queue`);
}
sqs.destroy();
