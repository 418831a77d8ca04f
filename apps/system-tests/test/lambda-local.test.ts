import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  createTestEnv,
  pipelineState,
  queueDepth,
  REPO_ROOT,
  requestFileImport,
  startProcess,
  startService,
  waitFor,
  type ServiceProcess,
  type TestEnv,
} from '@photospots/test-harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The three workers packaged once, as `npm run lambda:package` does for a deploy. */
beforeAll(() => {
  const built = spawnSync(process.execPath, ['tools/lambda/package.ts'], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
}, 120_000);

const zipOf = (service: string) => path.join(REPO_ROOT, 'dist', 'lambda', `${service}.zip`);

/** `npm run lambda:local -- <service>` on the packaged zip, the schedule every second. */
function lambdaLocal(service: string, env: Record<string, string>): ServiceProcess {
  return startProcess(
    `lambda:local ${service}`,
    process.execPath,
    ['tools/lambda/local.ts', service, '--zip', zipOf(service), '--schedule-seconds', '1'],
    env,
  );
}

async function settled(env: TestEnv, processes: ServiceProcess[]) {
  await waitFor(
    async () => {
      const s = await pipelineState(env.database.sql, env.sqs, Object.values(env.queues.url));
      return s.settled && s.photos === 17_879;
    },
    {
      timeoutMs: 240_000,
      intervalMs: 500,
      message: `the pipeline to settle\n${processes.map((p) => `--- ${p.name}\n${p.output().slice(-3000)}`).join('\n')}`,
    },
  );
}

/** What the pipeline built, ids included: the photos, and the hotspots with their members, labels and scores. */
async function built(env: TestEnv) {
  const [photos] = await env.database.sql<{ n: number }[]>`select count(*)::int as n from photos`;
  const hotspots = await env.database.sql<
    { id: number; label: string | null; score: number; user_count: number; members: string[] }[]
  >`
    select h.id, h.label, round(h.score::numeric, 2)::float8 as score, h.user_count,
           array(select p.source_id from hotspot_photos hp join photos p on p.id = hp.photo_id
                 where hp.hotspot_id = h.id order by 1) as members
    from hotspots h where h.status = 'active' order by h.id`;
  return { photos: photos!.n, hotspots };
}

describe('the packaged workers under lambda:local', () => {
  let env: TestEnv;
  const running: ServiceProcess[] = [];
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => {
    const codes = await Promise.all(running.map((p) => p.stop('SIGTERM')));
    await env.close();
    // Each runner ends after its invocation in flight, exit 0.
    expect(codes).toEqual(running.map(() => 0));
  });

  it('run the Dresden import as the ECS-style services do: the same photos, hotspots (ids, members, labels) and scores', async () => {
    const common = env.serviceEnv({ LOG_LEVEL: 'warn', RESCORE_INTERVAL_MINUTES: '0' });
    running.push(...['ingest', 'processing', 'scoring'].map((s) => lambdaLocal(s, common)));
    // An invalid message on the way: the function sends it to the dead-letter queue and goes on.
    await env.sqs.send(new SendMessageCommand({ QueueUrl: env.queues.url.ingest, MessageBody: '{"type":"bogus"}' }));
    await requestFileImport(env.sqs, env.queues.url);
    await settled(env, running);
    expect(await queueDepth(env.sqs, env.queues.deadLetterUrl.ingest!)).toBe(1);
    const asLambda = await built(env);

    const ecs = await createTestEnv();
    const services = ['ingest', 'processing', 'scoring'].map((s) =>
      startService(s, ecs.serviceEnv({ LOG_LEVEL: 'warn', SQS_WAIT_TIME_SECONDS: '1', RESCORE_INTERVAL_MINUTES: '0' })),
    );
    try {
      await requestFileImport(ecs.sqs, ecs.queues.url);
      await settled(ecs, services);
      const asServices = await built(ecs);
      expect(asLambda.photos).toBe(asServices.photos);
      expect(asLambda.hotspots.length).toBeGreaterThan(100);
      // Scores include recency, so two runs minutes apart may differ in the last rounded digit.
      const withoutScores = (hotspots: typeof asLambda.hotspots) => hotspots.map(({ score: _, ...h }) => h);
      expect(withoutScores(asLambda.hotspots)).toEqual(withoutScores(asServices.hotspots));
      asLambda.hotspots.forEach((h, i) =>
        expect(Math.abs(h.score - asServices.hotspots[i]!.score), `score of ${h.id}`).toBeLessThan(0.05),
      );
    } finally {
      await Promise.all(services.map((s) => s.stop('SIGTERM')));
      await ecs.close();
    }
  }, 600_000);
});
