/**
 * `npm run lambda:local -- <service>`: runs a worker "as Lambda" on a laptop. It packages the worker
 * (lambda:package), loads the handler from the zip, and invokes it the way an SQS event source mapping and
 * the EventBridge schedule do: it polls the service's queues on the local SQS endpoint, gathers records up to
 * the batch size or the batching window, invokes with the function's timeout, deletes only the records the
 * partial batch response does not name (the failed ones come back after their visibility timeout), and, for
 * a function with a schedule, invokes it with a scheduled event when that falls due. One invocation runs at a
 * time. The environment is the service's own (DATABASE_URL, QUEUE_*, AWS_ENDPOINT_URL, …).
 *
 * Options: --schedule-seconds N (the period of a function's schedule, default its own), --zip FILE (a zip already
 * packaged). SIGTERM or SIGINT ends it after the invocation running.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { LAMBDA_FUNCTIONS, LAMBDA_RUNTIME, LAMBDA_WORKERS, queueSpec, type LambdaWorker } from '@photospots/contracts';
import {
  awsConnectionOf,
  createSqsClient,
  invocationContext,
  resolveQueueUrl,
  sqsEventRecord,
} from '@photospots/queue';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { unzipSync } from 'fflate';
import { packageWorker } from './package.ts';

type Handler = (event: SQSEvent | Record<string, unknown>, context: Context) => Promise<SQSBatchResponse>;

const { values, positionals } = parseArgs({
  options: { 'schedule-seconds': { type: 'string' }, zip: { type: 'string' } },
  allowPositionals: true,
});
const service = positionals[0] as LambdaWorker | undefined;
if (!service || !LAMBDA_WORKERS.includes(service)) {
  console.error(`usage: npm run lambda:local -- <${LAMBDA_WORKERS.join('|')}> [--schedule-seconds N] [--zip FILE]`);
  process.exit(2);
}
const fn = LAMBDA_FUNCTIONS[service];
const say = (msg: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ runner: 'lambda:local', service, msg, ...fields }));

// The function's own settings (functions.ts), under what the environment sets.
for (const [k, v] of Object.entries('environment' in fn ? fn.environment : {})) process.env[k] ??= v;

const zip = values.zip ?? (await packageWorker(service, mkdtempSync(path.join(tmpdir(), 'photospots-lambda-')))).zip;
const dir = mkdtempSync(path.join(tmpdir(), `photospots-${service}-`));
for (const [name, bytes] of Object.entries(unzipSync(readFileSync(zip)))) writeFileSync(path.join(dir, name), bytes);
// The cold start: the bundle loads, reads its secrets and config, connects and builds the service.
const loadStarted = performance.now();
const { handler } = (await import(pathToFileURL(path.join(dir, 'index.mjs')).href)) as { handler: Handler };
say('handler loaded', { zip, runtime: LAMBDA_RUNTIME, initMs: Math.round(performance.now() - loadStarted) });

const sqs = createSqsClient(
  awsConnectionOf({
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
  }),
);
const queues = await Promise.all(
  fn.queues.map(async (key) => {
    const name = process.env[queueSpec(key).envVar] ?? queueSpec(key).defaultName;
    const url = await resolveQueueUrl(sqs, name);
    return { key, url, name: url.split('/').at(-1)! };
  }),
);

let invocation = 0;
const contextFor = () =>
  invocationContext({
    functionName: `photospots-${service}`,
    memoryMb: fn.memoryMb,
    timeoutMs: fn.timeoutSeconds * 1000,
    awsRequestId: `local-${process.pid}-${++invocation}`,
  });

/** Up to batchSize records from one queue, gathered for at most the batching window (long polls of ≤ 1 s). */
async function gather(queue: (typeof queues)[number]): Promise<Message[]> {
  const messages: Message[] = [];
  const until = Date.now() + fn.batchingWindowSeconds * 1000;
  do {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: Math.min(10, fn.batchSize - messages.length),
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    messages.push(...(out.Messages ?? []));
  } while (messages.length > 0 && messages.length < fn.batchSize && Date.now() < until);
  return messages;
}

const eventOf = (queue: (typeof queues)[number], messages: Message[]): SQSEvent => ({
  Records: messages.map((m) => sqsEventRecord(m, `arn:aws:sqs:local:000000000000:${queue.name}`)),
});

/** Invokes once, bounded by the function's timeout as Lambda bounds it; a throw or a timeout fails every record. */
async function invoke(event: SQSEvent | Record<string, unknown>): Promise<SQSBatchResponse | undefined> {
  const context = contextFor();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), fn.timeoutSeconds * 1000);
  });
  const started = performance.now();
  try {
    const response = await Promise.race([handler(event, context), timedOut]);
    if (response === undefined) say('invocation timed out', { awsRequestId: context.awsRequestId });
    return response;
  } catch (err) {
    say('invocation failed', { awsRequestId: context.awsRequestId, err: String(err) });
    return undefined;
  } finally {
    clearTimeout(timer);
    say('invoked', {
      at: Date.now(),
      awsRequestId: context.awsRequestId,
      records: 'Records' in event ? (event as SQSEvent).Records.length : 0,
      durationMs: Math.round(performance.now() - started),
    });
  }
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => (stopping = true));
// Only a function with a schedule gets scheduled invocations; --schedule-seconds shortens its period.
const scheduleMs =
  'scheduleMinutes' in fn
    ? values['schedule-seconds'] !== undefined
      ? Number(values['schedule-seconds']) * 1000
      : fn.scheduleMinutes * 60_000
    : undefined;
let nextSchedule = scheduleMs === undefined ? Infinity : Date.now() + scheduleMs;

while (!stopping) {
  if (Date.now() >= nextSchedule) {
    await invoke({ source: 'aws.events', 'detail-type': 'Scheduled Event', time: new Date().toISOString() });
    nextSchedule = Date.now() + scheduleMs!;
  }
  for (const queue of queues) {
    if (stopping) break;
    const messages = await gather(queue);
    if (messages.length === 0) continue;
    const response = await invoke(eventOf(queue, messages));
    // Like a mapping: a failed invocation leaves every record; a partial response, the ones it names.
    const failed = new Set(
      response ? response.batchItemFailures.map((f) => f.itemIdentifier) : messages.map((m) => m.MessageId),
    );
    const done = messages.filter((m) => !failed.has(m.MessageId));
    for (let i = 0; i < done.length; i += 10) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: done.slice(i, i + 10).map((m, k) => ({ Id: String(k), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    if (failed.size > 0) say('records left for redelivery', { queue: queue.key, failed: [...failed] });
  }
}
say('stopped');
process.exit(0);
