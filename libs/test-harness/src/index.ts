export { createTestEnv, type TestEnv } from './test-env.ts';
export { waitFor } from './wait-for.ts';
export { openEventStream, type EventStream, type EventStreamOptions, type ServerSentEvent } from './event-stream.ts';
export { DRESDEN_SAMPLE_CSV, fixturePath, LBSN_HEADER, lbsnRow } from './fixtures.ts';
export {
  findContainerRuntime,
  obtainBackingServices,
  startFauxqsServer,
  type BackingServices,
} from './backing-services.ts';
export { HARNESS_ENV, POOLER_SWITCH, harnessPoolerUrl, harnessValue } from './harness-env.ts';
export { startPgBouncer, type PgBouncer } from './pgbouncer.ts';
export { readSamplePhotos, seedPhotos, type SeedPhoto } from './seed-photos.ts';
export {
  startProcess,
  startService,
  freePort,
  listeningPort,
  waitForHttpOk,
  REPO_ROOT,
  type ServiceProcess,
} from './service-process.ts';
export { queueDepth, pipelineState, type PipelineState } from './pipeline-state.ts';
export { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
export {
  startFakeFlickr,
  FAKE_FLICKR_CAP,
  FAKE_FLICKR_MAX_PER_PAGE,
  type FakeFlickr,
  type FakeFlickrCall,
  type FlickrFault,
} from './fake-flickr.ts';
export {
  generateFlickrPopulation,
  FAKE_FLICKR_BBOX,
  type FakeFlickrPhoto,
  type PopulationOptions,
} from './flickr-population.ts';
// The geo lib's, so its own tests (which cannot import the harness) use the same generator.
export { seededRandom } from '@photospots/geo';
export { receiveSqsEvent, lambdaContext } from './lambda-events.ts';
export { requestFileImport } from './import-request.ts';
export { startFakeSecretsManager, type FakeSecretsManager } from './fake-secrets-manager.ts';
