import { z } from 'zod';
import { defineContract } from './envelope.ts';

const tileKey = z.number().int().min(0).max(2 ** 28 - 1);
const hotspotId = z.number().int().positive();

const bboxSchema = z
  .object({
    minLng: z.number().min(-180).max(180),
    minLat: z.number().min(-90).max(90),
    maxLng: z.number().min(-180).max(180),
    maxLat: z.number().min(-90).max(90),
  })
  .refine((b) => b.minLng < b.maxLng && b.minLat < b.maxLat, 'min must be below max');

/** Ask ingest to import a file it can read (a local path or s3://bucket/key). */
export const ingestRequested = defineContract({
  type: 'ingest.requested',
  schemaVersion: 1,
  queue: 'ingest',
  description: 'Starts an import: an LBSN CSV file by path or S3 URI.',
  payload: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('file-import'),
      /** Local path or s3://bucket/key of an LBSN CSV. */
      location: z.string().min(1).max(2048),
      format: z.literal('lbsn-csv').default('lbsn-csv'),
    }),
  ]),
});

/**
 * New or changed photos were stored. Names the work tiles they touched, not
 * every photo: processing re-clusters those areas, so one message per batch
 * carries any number of photos.
 */
export const photosIngested = defineContract({
  type: 'photos.ingested',
  schemaVersion: 1,
  queue: 'photosIngested',
  description: 'Photos were inserted or changed in the listed work tiles.',
  payload: z.object({
    batchId: z.string().min(1).max(200),
    source: z.string().min(1).max(50),
    photoCount: z.number().int().min(0),
    tiles: z.array(tileKey).min(1).max(20_000),
  }),
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

export { bboxSchema };
