/**
 * `npm run bench:freshness`: on the local stack (the four services as
 * processes, Postgres, Redis, fauxqs), the time from asking ingest to import a
 * 1,000-photo batch to the new hotspot being served by the query API, and to
 * its event arriving on a change stream (GET /v1/hotspots/changes, one stream
 * open throughout). Repeated for fresh places on top of the Dresden sample;
 * prints p50/p95/max of both.
 *
 * Options: --runs N (default 20). DATABASE_URL names the Postgres server; REDIS_URL the Redis.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ingestRequested } from '@photospots/contracts';
import { offsetMeters } from '@photospots/geo';
import { createSqsClient, MessagePublisher, resolveQueues } from '@photospots/queue';
import { openEventStream } from '@photospots/test-harness';
import { pino } from 'pino';
import { startLocalPipeline } from '../tools/eval/local-pipeline.ts';

const { values } = parseArgs({ options: { runs: { type: 'string' } } });
const RUNS = Number(values.runs ?? 20);
const HEADER =
  'origin_id,lat,lng,guid,user_guid,post_create_date,post_publish_date,post_body,hashtags,emoji,post_views_count,post_like_count,loc_id,loc_name';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** 1,000 photos by 40 photographers at one new place (plus a little scatter). */
function batchCsv(run: number, lat: number, lng: number): string {
  const lines = [HEADER];
  for (let i = 0; i < 1000; i++) {
    const p = offsetMeters(lat, lng, ((i * 7919) % 61) - 30, ((i * 104729) % 53) - 26);
    lines.push(
      `"2",${p.lat},${p.lng},"fresh-${run}-${i}","fresh-user-${run}-${i % 40}","2025-06-${String(10 + (run % 20))}","2025-06-${String(10 + (run % 20))}","","freshplace${run};dresden","",${i % 100},0,"",""`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const pipeline = await startLocalPipeline({
  adminUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  database: 'photospots_bench_freshness',
  reuse: false,
});
const dir = mkdtempSync(path.join(tmpdir(), 'freshness-'));
const port = await freePort();
const redisEnv = {
  REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  REDIS_KEY_PREFIX: `bench-fresh-${process.pid}:`,
};
const common = {
  ...redisEnv,
  SQS_WAIT_TIME_SECONDS: '10',
  RESCORE_INTERVAL_MINUTES: '0',
  HEALTH_PORT: '0',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
};
// The bench polls the API every 25 ms from one address: far past the per-client limit (600 a minute),
// whose 429s would read as "not visible yet" (runs stalled until the window reset). Freshness is measured here,
// not the limiter.
const services = ['ingest', 'processing', 'scoring', 'query-api'].map((app) =>
  pipeline.start(`apps/${app}/src/main.ts`, { ...common, PORT: String(port), RATE_LIMIT_MAX: '1000000' }),
);
const api = `http://127.0.0.1:${port}`;
try {
  console.log('importing the Dresden sample as the base …');
  await pipeline.run('apps/ingest/src/cli.ts', ['import', 'data/flickr-dresden-cc-by.csv']);
  const until = async (probe: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await probe()) return true;
      await new Promise((r) => setTimeout(r, 25));
    }
    return false;
  };
  // The base is ready when the Frauenkirche is served (until then the API may not even listen: errors mean "not yet").
  await until(
    () =>
      fetch(`${api}/v1/hotspots/nearby?lat=51.0519&lng=13.7416&radius=200`)
        .then(async (r) => ((await r.json()) as { items: unknown[] }).items.length > 0)
        .catch(() => false),
    120_000,
  );

  const sqs = createSqsClient({ region: 'us-east-1', endpoint: pipeline.env.AWS_ENDPOINT_URL! });
  const queues = await resolveQueues(sqs, { ingest: pipeline.env.QUEUE_INGEST! });
  const publisher = new MessagePublisher({
    sqs,
    queueUrls: queues.url,
    producer: 'test',
    log: pino({ level: 'silent' }),
  });
  // When each fresh place's hotspot first arrived on the stream (created, or updated once it has the place's tag).
  const streamed = new Map<string, number>();
  const stream = await openEventStream(`${api}/v1/hotspots/changes`, {
    onEvent: (e) => {
      if (e.event !== 'hotspot.created' && e.event !== 'hotspot.updated') return;
      const at = performance.now();
      for (const tag of (JSON.parse(e.data) as { tags: string[] }).tags) if (!streamed.has(tag)) streamed.set(tag, at);
    },
  });
  if (stream.status !== 200) throw new Error(`the change stream answered ${stream.status}: ${stream.body}`);
  const took: number[] = [];
  const tookStream: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Places on a ring 2–4 km around the centre, each in new surroundings.
    const angle = (2 * Math.PI * run) / RUNS;
    const place = offsetMeters(
      51.05,
      13.74,
      (2000 + (run % 3) * 1000) * Math.cos(angle),
      (2000 + (run % 3) * 1000) * Math.sin(angle),
    );
    const file = path.join(dir, `batch-${run}.csv`);
    writeFileSync(file, batchCsv(run, place.lat, place.lng));
    const started = performance.now();
    await publisher.publish(ingestRequested, { kind: 'file-import', location: file, format: 'lbsn-csv' });
    // An error here (a non-200 answer) ends the bench instead of counting as "not yet".
    const visible = await until(async () => {
      const res = await fetch(`${api}/v1/hotspots/nearby?lat=${place.lat}&lng=${place.lng}&radius=150`);
      if (!res.ok) throw new Error(`nearby answered ${res.status}: ${await res.text()}`); // not "not yet"
      const body = (await res.json()) as { items: { label: string | null; tags: string[] }[] };
      return body.items.some((h) => h.tags.includes(`freshplace${run}`));
    }, 30_000);
    const ms = performance.now() - started;
    if (!visible) {
      for (const [i, svc] of services.entries())
        console.error(`--- ${['ingest', 'processing', 'scoring', 'query-api'][i]}\n${svc.output().slice(-3000)}`);
      throw new Error(`run ${run}: the new hotspot did not appear within 30 s`);
    }
    took.push(ms);
    const tag = `freshplace${run}`;
    if (!(await until(async () => streamed.has(tag), 30_000))) throw new Error(`run ${run}: no event within 30 s`);
    const streamMs = streamed.get(tag)! - started;
    tookStream.push(streamMs);
    process.stdout.write(`run ${run + 1}/${RUNS}: ${Math.round(ms)} ms served, ${Math.round(streamMs)} ms streamed\n`);
  }
  stream.close();
  sqs.destroy();
  console.log('');
  const report = (what: string, times: number[]) => {
    times.sort((a, b) => a - b);
    const q = (p: number) => Math.round(times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!);
    console.log(`freshness: 1,000-photo batch → ${what} (${RUNS} runs)`);
    console.log(
      `  p50 ${q(0.5)} ms   p95 ${q(0.95)} ms   max ${Math.round(times[times.length - 1]!)} ms   (goal p95 < 3000 ms)`,
    );
  };
  report('hotspot served by the API', took);
  report('its event received on a change stream', tookStream);
} finally {
  await Promise.all(services.map((s) => s.stop()));
  await pipeline.close();
  rmSync(dir, { recursive: true, force: true });
}
