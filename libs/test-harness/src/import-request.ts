import type { SQSClient } from '@aws-sdk/client-sqs';
import { ingestRequested, type QueueKey } from '@photospots/contracts';
import { MessagePublisher } from '@photospots/queue';
import { pino } from 'pino';
import { DRESDEN_SAMPLE_CSV } from './fixtures.ts';

/** Asks the running ingest (a service or a function) to import an LBSN file, as `npm run ingest -- request` does. */
export async function requestFileImport(
  sqs: SQSClient,
  queueUrls: Partial<Record<QueueKey, string>>,
  location: string = DRESDEN_SAMPLE_CSV,
): Promise<void> {
  const publisher = new MessagePublisher({ sqs, queueUrls, producer: 'test', log: pino({ level: 'silent' }) });
  await publisher.publish(ingestRequested, { kind: 'file-import', location, format: 'lbsn-csv' });
}
