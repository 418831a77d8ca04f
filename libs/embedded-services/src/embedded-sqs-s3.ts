/**
 * The embedded SQS/S3 endpoint of `npm start`: fauxqs, in this process,
 * listening on the loopback interface only.
 *
 * fauxqs keeps queues in memory (its own persistence only comes with a
 * server bound to every interface), so a clean stop saves whatever messages
 * are still queued to a file and the next start sends them again. An unclean
 * stop loses them; the launcher then recovers from the database
 * (tools/start/recovery.ts).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { resolveQueueUrl } from '@photospots/queue';

export interface EmbeddedSqsS3 {
  endpoint: string;
  /** Writes every message still in a queue (ready, delayed or in flight) to `file`; returns how many. */
  saveQueuedMessages(queueNames: readonly string[], file: string): Promise<number>;
  stop(): Promise<void>;
}

interface InspectedQueue {
  messages: { ready: { body: string }[]; delayed: { body: string }[]; inflight: { message: { body: string } }[] };
}

/** Starts fauxqs on 127.0.0.1:`port` (0 = any free port). */
export async function startEmbeddedSqsS3(port = 0): Promise<EmbeddedSqsS3> {
  // Loaded here, not at the top: importing this lib (the test harness does, for its preload) stays cheap.
  const { buildApp } = await import('fauxqs');
  const app = buildApp({ logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  const endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    endpoint,
    saveQueuedMessages: async (queueNames, file) => {
      const saved: Record<string, string[]> = {};
      let count = 0;
      for (const name of queueNames) {
        // fauxqs's inspection endpoint reads a queue without changing it.
        const res = await app.inject({ method: 'GET', url: `/_fauxqs/queues/${encodeURIComponent(name)}` });
        if (res.statusCode !== 200) continue;
        const { messages } = res.json() as InspectedQueue;
        const bodies = [
          ...messages.ready.map((m) => m.body),
          ...messages.delayed.map((m) => m.body),
          ...messages.inflight.map((m) => m.message.body),
        ];
        if (bodies.length > 0) saved[name] = bodies;
        count += bodies.length;
      }
      if (count > 0) writeFileSync(file, JSON.stringify(saved));
      else rmSync(file, { force: true });
      return count;
    },
    stop: () => app.close(),
  };
}

/** Sends the messages a previous clean stop saved back to their queues, then deletes the file; returns how many. */
export async function restoreQueuedMessages(sqs: SQSClient, file: string): Promise<number> {
  if (!existsSync(file)) return 0;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>;
  let count = 0;
  for (const [name, bodies] of Object.entries(saved)) {
    const url = await resolveQueueUrl(sqs, name);
    for (let i = 0; i < bodies.length; i += 10) {
      const entries = bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body }));
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
      if (out.Failed?.length)
        throw new Error(`could not restore ${out.Failed.length} message(s) to ${name}: ${out.Failed[0]!.Message}`);
      count += entries.length;
    }
  }
  rmSync(file, { force: true });
  return count;
}
