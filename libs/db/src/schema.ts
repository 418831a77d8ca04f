/**
 * The tables, in drizzle-orm's schema language: drizzle-kit generates the migrations from this file
 * (libs/db/migrations), and row types can be derived from it (`typeof favorites.$inferSelect`). Queries are
 * SQL through postgres.js, not drizzle's query builder: the hot paths need what a builder does not express
 * (COPY, PostGIS, CTEs over temp tables, advisory locks), and one way of writing queries is easier to read
 * than two.
 *
 * Every table has row level security enabled and no policy: the services connect as the tables' owner, whom
 * it does not restrict, while roles that reach the public schema through an HTTP API (Supabase's anon and
 * authenticated) see no rows and change none.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/** PostGIS geography point (WGS84); read it back through lat/lng columns. */
const geographyPoint = customType<{ data: string; driverData: string }>({
  dataType: () => 'geography(Point,4326)',
});

/** Full-text search vector. */
const tsvector = customType<{ data: string; driverData: string }>({
  dataType: () => 'tsvector',
});

/** PostGIS geography polygon (WGS84). */
const geographyPolygon = customType<{ data: string; driverData: string }>({
  dataType: () => 'geography(Polygon,4326)',
});

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
};

/** Geotagged photos from every source; (source, source_id) is the natural key. */
export const photos = pgTable(
  'photos',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    source: text('source').notNull(),
    sourceId: text('source_id').notNull(),
    /** Opaque owner id: a hash for sources that expose one (LBSN), else the source's id. */
    ownerId: text('owner_id').notNull(),
    /** Public display name for CC BY attribution, when the source provides it. */
    ownerName: text('owner_name'),
    /**
     * Position (WGS84). No geography column or spatial index: every reader selects photos by work tile
     * and clusters them in memory; a GiST index nobody queried slowed every import's inserts.
     */
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    /** Work tile (slippy tile at zoom 14) of the point; processing dirties and rebuilds tiles. */
    tile: integer('tile').notNull(),
    takenAt: timestamp('taken_at', { withTimezone: true, mode: 'date' }),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true, mode: 'date' }),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    title: text('title'),
    views: integer('views').notNull().default(0),
    license: text('license'),
    /** Where the source serves a small image (Flickr url_q); thumbnails are copied from it. */
    imageUrl: text('image_url'),
    /** S3 key of our copy of the thumbnail, once stored. */
    thumbnailKey: text('thumbnail_key'),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('photos_source_source_id_key').on(t.source, t.sourceId),
    index('photos_tile_idx').on(t.tile),
    check('photos_lat_range', sql`lat between -90 and 90`),
    check('photos_lng_range', sql`lng between -180 and 180`),
    check('photos_views_nonnegative', sql`views >= 0`),
  ],
).enableRLS();

/** Places many people photograph. Ids are stable across re-clustering. */
export const hotspots = pgTable(
  'hotspots',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    status: text('status', { enum: ['active', 'retired'] })
      .notNull()
      .default('active'),
    /** Mode of photographer positions: where the hotspot is. */
    lat: doublePrecision('lat').notNull(),
    lng: doublePrecision('lng').notNull(),
    centroid: geographyPoint('centroid')
      .notNull()
      .generatedAlwaysAs(sql`(st_setsrid(st_makepoint(lng, lat), 4326)::geography)`),
    /** Work tile of the density peak: the area whose re-clustering owns this hotspot. */
    tile: integer('tile').notNull(),
    hull: geographyPolygon('hull'),
    radiusM: real('radius_m').notNull(),
    photoCount: integer('photo_count').notNull(),
    userCount: integer('user_count').notNull(),
    userDays: integer('user_days').notNull(),
    viewCount: bigint('view_count', { mode: 'number' }).notNull().default(0),
    /**
     * What scoring needs of the members, written by processing with them (so scoring never reads the
     * members back): user-days with each photographer counting at most 5 days, the sum over photographers
     * of their best photo's views, and each photographer's latest photo here (those whose photos have a time).
     */
    cappedUserDays: integer('capped_user_days').notNull().default(0),
    bestViews: bigint('best_views', { mode: 'number' }).notNull().default(0),
    userLastPhotoAt: timestamp('user_last_photo_at', { withTimezone: true, mode: 'date' })
      .array()
      .notNull()
      .default(sql`'{}'::timestamptz[]`),
    peakDensity: real('peak_density').notNull().default(0),
    label: text('label'),
    topTags: text('top_tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Photos per calendar month (12) and hour of day (24, null when times are unknown). */
    monthHistogram: integer('month_histogram').array(),
    hourHistogram: integer('hour_histogram').array(),
    firstPhotoAt: timestamp('first_photo_at', { withTimezone: true, mode: 'date' }),
    lastPhotoAt: timestamp('last_photo_at', { withTimezone: true, mode: 'date' }),
    score: doublePrecision('score').notNull().default(0),
    scoreComponents: jsonb('score_components').$type<Record<string, number>>(),
    scoredAt: timestamp('scored_at', { withTimezone: true, mode: 'date' }),
    retiredAt: timestamp('retired_at', { withTimezone: true, mode: 'date' }),
    /** For a merged hotspot, the one that took over its photos (favorites follow it). */
    successorId: bigint('successor_id', { mode: 'number' }),
    /** Label and tags, lower-cased with accents folded (brühl → bruhl, ß → ss): what trigram search matches. */
    searchText: text('search_text').generatedAlwaysAs(sql`public.photospots_search_text(label, top_tags)`),
    /** Full-text vector of search_text ('simple' config: place names are not stemmed). */
    searchVector: tsvector('search_vector').generatedAlwaysAs(
      sql`to_tsvector('simple'::regconfig, public.photospots_search_text(label, top_tags))`,
    ),
    ...timestamps,
  },
  (t) => [
    index('hotspots_centroid_gist')
      .using('gist', t.centroid)
      .where(sql`status = 'active'`),
    index('hotspots_tile_idx')
      .on(t.tile)
      .where(sql`status = 'active'`),
    index('hotspots_score_idx')
      .on(t.score.desc(), t.id)
      .where(sql`status = 'active'`),
    index('hotspots_search_vector_gin')
      .using('gin', t.searchVector)
      .where(sql`status = 'active'`),
    index('hotspots_search_text_trgm')
      .using('gin', sql`${t.searchText} gin_trgm_ops`)
      .where(sql`status = 'active'`),
  ],
).enableRLS();

/** Which photos make up which hotspot (a photo belongs to at most one active hotspot). */
export const hotspotPhotos = pgTable(
  'hotspot_photos',
  {
    hotspotId: bigint('hotspot_id', { mode: 'number' })
      .notNull()
      .references(() => hotspots.id, { onDelete: 'cascade' }),
    /**
     * A photo of the hotspot. No foreign key: re-clustering writes memberships only for photos it read in
     * the same snapshot, and photos are never deleted (a takedown would delete the photo's membership and
     * dirty its tile); the key's check and row lock on every photo were most of the cost of writing them.
     */
    photoId: bigint('photo_id', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.hotspotId, t.photoId] }), uniqueIndex('hotspot_photos_photo_key').on(t.photoId)],
).enableRLS();

/** App users, created on first sight of a verified token's subject. */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
}).enableRLS();

export const favorites = pgTable(
  'favorites',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    hotspotId: bigint('hotspot_id', { mode: 'number' })
      .notNull()
      .references(() => hotspots.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.hotspotId] }), index('favorites_hotspot_idx').on(t.hotspotId)],
).enableRLS();

/** Progress of long ingest jobs (file imports, harvest leaf queries), so a restart resumes. */
export const ingestCheckpoints = pgTable(
  'ingest_checkpoints',
  {
    job: text('job').notNull(),
    key: text('key').notNull(),
    done: boolean('done').notNull().default(false),
    state: jsonb('state')
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.job, t.key] })],
).enableRLS();

/** Work tiles whose photos changed since they were last clustered. */
export const dirtyTiles = pgTable('dirty_tiles', {
  tile: integer('tile').primaryKey(),
  /** Bumped on every new dirtying, so a rebuild only clears what it saw. */
  version: integer('version').notNull().default(1),
  dirtiedAt: timestamp('dirtied_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  /**
   * When the tile became dirty (kept while it is dirtied again): a tile still being written to waits for
   * the writes to settle, but never longer than a bound counted from here.
   */
  firstDirtiedAt: timestamp('first_dirtied_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
}).enableRLS();

/** Transactional outbox: messages committed with the data they announce, relayed to SQS after commit. */
export const outbox = pgTable('outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  queue: text('queue').notNull(),
  body: jsonb('body').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
}).enableRLS();

export const hotspotStatus = { active: 'active', retired: 'retired' } as const;
