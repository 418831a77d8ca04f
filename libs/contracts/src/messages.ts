import { z } from 'zod';
import { defineContract } from './envelope.ts';

const tileKey = z
  .number()
  .int()
  .min(0)
  .max(2 ** 28 - 1);
const hotspotId = z.number().int().positive();

const bboxSchema = z
  .object({
    minLng: z.number().min(-180).max(180),
    minLat: z.number().min(-90).max(90),
    maxLng: z.number().min(-180).max(180),
    maxLat: z.number().min(-90).max(90),
  })
  .refine((b) => b.minLng < b.maxLng && b.minLat < b.maxLat, 'min must be below max');

const instant = z.iso.datetime({ offset: true });

/**
 * A Flickr harvest of photos uploaded in [since, until] (both inclusive, like
 * Flickr's min/max_upload_date). `until` defaults to the time the harvest
 * starts. `incremental` harvests what was uploaded since the last completed
 * harvest of the same bbox (with a small overlap); `since` is then only the
 * start for a bbox never harvested before.
 */
const flickrHarvest = z
  .object({
    kind: z.literal('flickr-harvest'),
    bbox: bboxSchema,
    since: instant.optional(),
    until: instant.optional(),
    incremental: z.boolean().default(false),
  })
  .refine((r) => r.incremental || r.since !== undefined, {
    message: 'since is required unless incremental',
    path: ['since'],
  })
  .refine((r) => !r.since || !r.until || Date.parse(r.since) <= Date.parse(r.until), {
    message: 'since must not be after until',
    path: ['until'],
  });

/**
 * Ask ingest to import a file it can read (a local path or s3://bucket/key), to harvest Flickr, or to
 * harvest incrementally every region harvested before (what the hourly schedule sends; ingest answers
 * with one incremental flickr-harvest request per region, so free tasks share them).
 */
export const ingestRequested = defineContract({
  type: 'ingest.requested',
  schemaVersion: 1,
  queue: 'ingest',
  description:
    'Starts an import: an LBSN CSV file by path or S3 URI, a Flickr harvest of a bbox and upload-date window, or incremental harvests of every region harvested before.',
  payload: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('file-import'),
      /** Local path or s3://bucket/key of an LBSN CSV. */
      location: z.string().min(1).max(2048),
      format: z.literal('lbsn-csv').default('lbsn-csv'),
    }),
    flickrHarvest,
    z.object({ kind: z.literal('flickr-incremental') }),
  ]),
});

/**
 * New or changed photos were stored. Names the work tiles they touched, not
 * every photo: processing re-clusters those areas, so one message per batch
 * carries any number of photos.
 */
const photosIngestedPayload = z.object({
  batchId: z.string().min(1).max(200),
  source: z.string().min(1).max(50),
  photoCount: z.number().int().min(0),
  tiles: z.array(tileKey).min(1).max(20_000),
});

export const photosIngested = defineContract({
  type: 'photos.ingested',
  schemaVersion: 2,
  queue: 'photosIngested',
  description:
    'Photos were inserted or changed in the listed work tiles, which the same transaction marked dirty: the message wakes processing up.',
  payload: photosIngestedPayload,
});

/**
 * What ingest sent before it marked the tiles dirty itself: still accepted (a rolling deployment runs both
 * versions of ingest for a while, and messages wait in the queue), and processing marks the tiles dirty.
 */
export const photosIngestedV1 = defineContract({
  type: 'photos.ingested',
  schemaVersion: 1,
  queue: 'photosIngested',
  description:
    'Photos were inserted or changed in the listed work tiles (version 1: the tiles are not yet marked dirty; processing marks them).',
  payload: photosIngestedPayload,
});

/** Hotspots were created, changed, merged, split or retired by re-clustering. */
export const hotspotsChanged = defineContract({
  type: 'hotspots.changed',
  schemaVersion: 1,
  queue: 'hotspotsChanged',
  description: 'Hotspots were created, changed or retired; scoring rescores them and refreshes Redis.',
  payload: z.object({
    createdIds: z.array(hotspotId).max(50_000),
    changedIds: z.array(hotspotId).max(50_000),
    retiredIds: z.array(hotspotId).max(50_000),
    /** A retired hotspot whose photos now mostly belong to another. */
    merges: z.array(z.object({ retiredId: hotspotId, intoId: hotspotId })).max(50_000),
    /** A new hotspot carved out of an existing one. */
    splits: z.array(z.object({ fromId: hotspotId, newId: hotspotId })).max(50_000),
  }),
});

/** Rescore hotspots even without new photos (recency decays; favorites change). */
export const hotspotsRescoreRequested = defineContract({
  type: 'hotspots.rescore-requested',
  schemaVersion: 1,
  queue: 'hotspotsChanged',
  description: 'Rescores all hotspots, or the listed ones; sent on a schedule and by favorites.',
  payload: z.union([
    z.object({ scope: z.literal('all') }),
    z.object({ scope: z.literal('ids'), hotspotIds: z.array(hotspotId).min(1).max(50_000) }),
  ]),
});

/**
 * Copy these photos' small images into the thumbnail bucket under the given
 * keys. A few dozen photos per message: never one message per photo, and a
 * failing image only holds back its own message.
 */
export const thumbnailsRequested = defineContract({
  type: 'thumbnails.requested',
  schemaVersion: 1,
  queue: 'thumbnails',
  description: "Fetch each photo's small image and store it in the thumbnail bucket under a deterministic key.",
  payload: z.object({
    photos: z
      .array(
        z.object({
          photoId: z.number().int().positive(),
          imageUrl: z.url({ protocol: /^https?$/ }).max(2048),
          /** S3 key in THUMBNAIL_BUCKET; photos.thumbnail_key is set to it once stored. */
          key: z.string().min(1).max(1024),
        }),
      )
      .min(1)
      .max(100),
  }),
});

export { bboxSchema };
