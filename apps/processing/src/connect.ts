import { createDatabase, poolOptions } from '@photospots/db';
import { createSqsClient, resolveQueues } from '@photospots/queue';
import type { Logger } from '@photospots/service';
import type { ProcessingDeps } from './app.ts';
import type { ProcessingConfig } from './config.ts';

/** Opens the processing service's connections from config; `close` releases them. */
export async function connectProcessingDeps(
  config: ProcessingConfig,
  log: Logger,
): Promise<ProcessingDeps & { close(): Promise<void> }> {
  const sqs = createSqsClient({
    region: config.AWS_REGION,
    endpoint: config.AWS_ENDPOINT_URL,
    accessKeyId: config.AWS_ACCESS_KEY_ID,
    secretAccessKey: config.AWS_SECRET_ACCESS_KEY,
  });
  const database = createDatabase(config.DATABASE_URL, { ...poolOptions(config, log), applicationName: 'processing' });
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
