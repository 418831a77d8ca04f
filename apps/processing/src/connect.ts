import { openDatabase } from '@photospots/db';
import { awsConnectionOf, createSqsClient, resolveQueues } from '@photospots/queue';
import type { Logger } from '@photospots/service';
import type { ProcessingDeps } from './app.ts';
import type { ProcessingConfig } from './config.ts';

/** Opens the processing service's connections from config; `close` releases them. */
export async function connectProcessingDeps(
  config: ProcessingConfig,
  log: Logger,
): Promise<ProcessingDeps & { close(): Promise<void> }> {
  const sqs = createSqsClient(awsConnectionOf(config));
  const database = openDatabase(config, 'processing', log);
  try {
    const queues = await resolveQueues(sqs, {
      photosIngested: config.QUEUE_PHOTOS_INGESTED,
      hotspotsChanged: config.QUEUE_HOTSPOTS_CHANGED,
    });
    return {
      database,
      sqs,
      queues,
      log,
      close: async () => {
        await database.close();
        sqs.destroy();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
