/**
 * The first run of `npm start`: asks the running ingest service to import the
 * bundled Dresden sample (an ingest.requested message, the way production
 * starts imports), then follows the pipeline in the database until every photo
 * is clustered and every hotspot scored. Later runs find the import done and
 * skip it; an import that was interrupted is requested again and resumes from
 * its checkpoint.
 */
import path from 'node:path';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ingestRequested, type QueueKey } from '@photospots/contracts';
import { FILE_IMPORT_JOB, type Sql } from '@photospots/db';
import { MessagePublisher } from '@photospots/queue';
import { createLogger } from '@photospots/service';
import { count } from './format.ts';

export interface PipelineState {
  /** Rows of the sample read so far (from the import's checkpoint). */
  rowsRead: number;
  importDone: boolean;
  photos: number;
  activeHotspots: number;
  scoredHotspots: number;
  dirtyTiles: number;
  outbox: number;
  queued: number;
}

/** Nothing left to do: the import finished and every change went through processing and scoring. */
export function isSettled(s: PipelineState): boolean {
  return (
    s.importDone &&
    s.dirtyTiles === 0 &&
    s.outbox === 0 &&
    s.queued === 0 &&
    s.activeHotspots > 0 &&
    s.scoredHotspots === s.activeHotspots
  );
}

export function describeProgress(s: PipelineState): string {
  return `rows read ${count(s.rowsRead)} · photos stored ${count(s.photos)} · hotspots built ${count(s.activeHotspots)} · scored ${count(s.scoredHotspots)}`;
}

async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = out.Attributes ?? {};
  return (
    Number(a.ApproximateNumberOfMessages ?? 0) +
    Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(a.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

export class SampleImport {
  readonly #sql: Sql;
  readonly #sqs: SQSClient;
  readonly #queueUrls: Record<QueueKey, string>;
  readonly #sampleCsv: string;

  constructor(deps: { sql: Sql; sqs: SQSClient; queueUrls: Record<QueueKey, string>; sampleCsv: string }) {
    this.#sql = deps.sql;
    this.#sqs = deps.sqs;
    this.#queueUrls = deps.queueUrls;
    this.#sampleCsv = deps.sampleCsv;
  }

  /**
   * The sample's import checkpoint. Matched by file name, so a moved
   * checkout (a different absolute path) still counts as imported.
   */
  async checkpoint(): Promise<{ done: boolean; rowsRead: number } | undefined> {
    const [row] = await this.#sql<{ done: boolean; rowsRead: number | null }[]>`
      select done, (state #>> '{counters,rowsRead}')::int as "rowsRead"
      from ingest_checkpoints
      where job = ${FILE_IMPORT_JOB} and (key = ${this.#sampleCsv} or key like ${`%/${path.basename(this.#sampleCsv)}`})
      order by done desc, updated_at desc limit 1`;
    return row ? { done: row.done, rowsRead: row.rowsRead ?? 0 } : undefined;
  }

  async state(): Promise<PipelineState> {
    const checkpoint = await this.checkpoint();
    const [row] = await this.#sql<Omit<PipelineState, 'rowsRead' | 'importDone' | 'queued'>[]>`
      select (select count(*) from photos)::int as photos,
             (select count(*) from hotspots where status = 'active')::int as "activeHotspots",
             (select count(*) from hotspots where status = 'active' and scored_at >= updated_at)::int as "scoredHotspots",
             (select count(*) from dirty_tiles)::int as "dirtyTiles",
             (select count(*) from outbox)::int as outbox`;
    let queued = 0;
    for (const url of Object.values(this.#queueUrls)) queued += await queueDepth(this.#sqs, url);
    return { ...row!, rowsRead: checkpoint?.rowsRead ?? 0, importDone: checkpoint?.done ?? false, queued };
  }

  /** Sends ingest.requested for the sample unless one is already waiting in the ingest queue. */
  async request(): Promise<boolean> {
    if ((await queueDepth(this.#sqs, this.#queueUrls.ingest)) > 0) return false;
    const publisher = new MessagePublisher({
      sqs: this.#sqs,
      queueUrls: this.#queueUrls,
      producer: 'cli',
      log: createLogger('launcher', 'silent'),
    });
    await publisher.publish(ingestRequested, { kind: 'file-import', location: this.#sampleCsv, format: 'lbsn-csv' });
    return true;
  }

  /**
   * Polls the pipeline until it settles; reports every state to `onProgress`.
   * Resolves with the last state, settled or not when `timeoutMs` ran out.
   */
  async waitUntilSettled(options: {
    timeoutMs: number;
    signal: AbortSignal;
    onProgress: (s: PipelineState) => void;
  }): Promise<PipelineState> {
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      options.signal.throwIfAborted();
      const s = await this.state();
      options.onProgress(s);
      if (isSettled(s) || Date.now() > deadline) return s;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
