import type { Database } from '@photospots/db';
import type { AnswerMemo } from './cache/answer-memo.ts';
import type { ResponseCache } from './cache/response-cache.ts';
import type { QueryApiConfig } from './config.ts';
import type { HotspotFinder } from './hotspots/hotspot-finder.ts';
import type { HotspotMemoryIndex } from './hotspots/hotspot-memory-index.ts';
import type { CursorCodec } from './pagination/cursor-codec.ts';
import type { ThumbnailUrls } from './photos/thumbnail-urls.ts';

/** What the route plugins share; built once in buildApp. */
export interface ApiContext {
  config: QueryApiConfig;
  database: Database;
  finder: HotspotFinder;
  memory: HotspotMemoryIndex | undefined;
  cache: ResponseCache;
  /** Answers from the current in-process snapshot; use only while ctx.memory serves. */
  answers: AnswerMemo;
  cursors: CursorCodec;
  thumbnails: ThumbnailUrls;
  /** Asks the outbox relay to send now (after a favorite changed); a no-op without SQS. */
  flushOutbox(): void;
}
