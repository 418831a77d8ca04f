/**
 * `npm run queues:setup`: creates every queue with its dead-letter queue and
 * redrive policy, and the thumbnail bucket, at AWS_ENDPOINT_URL (fauxqs,
 * LocalStack). Production queues and buckets come from infra/ (Terraform).
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { loadConfig, queueEnv, sharedEnv, storageEnv } from '@photospots/config';
import { awsCredentials, createSqsClient, queueDefinitions, setupQueues } from '@photospots/queue';

const config = loadConfig({ ...sharedEnv, ...queueEnv, ...storageEnv });
if (!config.AWS_ENDPOINT_URL) {
  console.error('queues:setup is for local endpoints: set AWS_ENDPOINT_URL (production queues come from infra/)');
  process.exit(2);
}
const aws = {
  region: config.AWS_REGION,
  endpoint: config.AWS_ENDPOINT_URL,
  accessKeyId: config.AWS_ACCESS_KEY_ID,
  secretAccessKey: config.AWS_SECRET_ACCESS_KEY,
};
const sqs = createSqsClient(aws);
const created = await setupQueues(
  sqs,
  queueDefinitions({
    ingest: config.QUEUE_INGEST,
    photosIngested: config.QUEUE_PHOTOS_INGESTED,
    hotspotsChanged: config.QUEUE_HOTSPOTS_CHANGED,
    thumbnails: config.QUEUE_THUMBNAILS,
  }),
);
for (const q of created) console.log(`queue ${q.name} (dead letters: ${q.deadLetterUrl.split('/').pop()})`);
const s3 = new S3Client({
  region: config.AWS_REGION,
  endpoint: config.AWS_ENDPOINT_URL,
  forcePathStyle: true,
  credentials: awsCredentials(aws)!,
});
try {
  await s3.send(new CreateBucketCommand({ Bucket: config.THUMBNAIL_BUCKET }));
} catch (err) {
  const name = (err as Error).name;
  if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
}
console.log(`bucket ${config.THUMBNAIL_BUCKET}`);
sqs.destroy();
s3.destroy();
