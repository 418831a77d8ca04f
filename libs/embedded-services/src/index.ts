export { startEmbeddedPostgis, type EmbeddedPostgis } from './embedded-postgis.ts';
export { startEmbeddedSqsS3, restoreQueuedMessages, type EmbeddedSqsS3 } from './embedded-sqs-s3.ts';
export { EXIT_WITH_PARENT_PRELOAD } from './exit-with-parent-preload.ts';
