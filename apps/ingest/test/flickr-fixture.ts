import { Writable } from 'node:stream';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AnyContract, MessageOf } from '@photospots/contracts';
import type { Queryable } from '@photospots/db';
import { createLogger, type Logger } from '@photospots/service';
import type { FakeFlickr, TestEnv } from '@photospots/test-harness';
import { loadIngestConfig } from '../src/config.ts';

/** The licence ids harvested by default (Creative Commons and CC0). */
export const CC_LICENCES = ['1', '2', '3', '4', '5', '6', '9', '11', '12', '13', '14', '15', '16'];

/** The generated population's upload years. */
export const SINCE = new Date('2008-01-01T00:00:00Z');
export const UNTIL = new Date('2020-12-31T23:59:59Z');
export const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** Retries in milliseconds, not seconds. */
export const FAST_RETRY = { maxAttempts: 8, baseMs: 5, capMs: 50 };

/** Ingest config pointing at the fake Flickr, with the rate limit off unless a test sets one. */
export function flickrConfig(env: TestEnv, flickr: FakeFlickr, extra: Record<string, string> = {}) {
  return loadIngestConfig(
    env.serviceEnv({ FLICKR_API_KEY: flickr.apiKey, FLICKR_API_URL: flickr.url, FLICKR_RATE_PER_HOUR: '0', ...extra }),
  );
}

/** A service logger (same redaction as production) whose output the test can read. */
export function capturingLogger(level = 'debug'): { log: Logger; text(): string } {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  return { log: createLogger('ingest-test', level, sink), text: () => out };
}

export async function storedFlickrIds(sql: Queryable): Promise<string[]> {
  const rows = await sql<
    { source_id: string }[]
  >`select source_id from photos where source = 'flickr' order by source_id`;
  return rows.map((r) => r.source_id);
}

/** Every message waiting on a queue (received, left to expire: the test owns the queue). */
export async function receiveAll<C extends AnyContract>(
  sqs: SQSClient,
  url: string,
  _contract: C,
): Promise<MessageOf<C>[]> {
  const out: MessageOf<C>[] = [];
  for (;;) {
    const r = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60 }),
    );
    if (!r.Messages?.length) return out;
    out.push(...r.Messages.map((m) => JSON.parse(m.Body!) as MessageOf<C>));
  }
}

/** "bbox@min-max#page" of every search call, to spot a page asked for twice. */
export function callKeys(flickr: FakeFlickr, from = 0): string[] {
  return flickr.calls
    .slice(from)
    .filter((c) => !c.fault)
    .map((c) => `${c.params.bbox}@${c.params.min_upload_date}-${c.params.max_upload_date}#${c.params.page}`);
}
