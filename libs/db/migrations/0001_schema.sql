CREATE TABLE "dirty_tiles" (
	"tile" integer PRIMARY KEY NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"dirtied_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "favorites" (
	"user_id" text NOT NULL,
	"hotspot_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "favorites_user_id_hotspot_id_pk" PRIMARY KEY("user_id","hotspot_id")
);
--> statement-breakpoint
CREATE TABLE "hotspot_photos" (
	"hotspot_id" bigint NOT NULL,
	"photo_id" bigint NOT NULL,
	CONSTRAINT "hotspot_photos_hotspot_id_photo_id_pk" PRIMARY KEY("hotspot_id","photo_id")
);
--> statement-breakpoint
CREATE TABLE "hotspots" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL,
	"centroid" geography(Point,4326) GENERATED ALWAYS AS ((st_setsrid(st_makepoint(lng, lat), 4326)::geography)) STORED NOT NULL,
	"tile" integer NOT NULL,
	"hull" geography(Polygon,4326),
	"radius_m" real NOT NULL,
	"photo_count" integer NOT NULL,
	"user_count" integer NOT NULL,
	"user_days" integer NOT NULL,
	"view_count" bigint DEFAULT 0 NOT NULL,
	"peak_density" real DEFAULT 0 NOT NULL,
	"label" text,
	"top_tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"month_histogram" integer[],
	"hour_histogram" integer[],
	"first_photo_at" timestamp with time zone,
	"last_photo_at" timestamp with time zone,
	"score" double precision DEFAULT 0 NOT NULL,
	"score_components" jsonb,
	"scored_at" timestamp with time zone,
	"retired_at" timestamp with time zone,
	"successor_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ingest_checkpoints" (
	"job" text NOT NULL,
	"key" text NOT NULL,
	"done" boolean DEFAULT false NOT NULL,
	"state" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ingest_checkpoints_job_key_pk" PRIMARY KEY("job","key")
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"queue" text NOT NULL,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "photos" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"source_id" text NOT NULL,
	"owner_id" text NOT NULL,
	"owner_name" text,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL,
	"geog" geography(Point,4326) GENERATED ALWAYS AS ((st_setsrid(st_makepoint(lng, lat), 4326)::geography)) STORED NOT NULL,
	"tile" integer NOT NULL,
	"taken_at" timestamp with time zone,
	"uploaded_at" timestamp with time zone,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"title" text,
	"views" integer DEFAULT 0 NOT NULL,
	"license" text,
	"image_url" text,
	"thumbnail_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "photos_lat_range" CHECK (lat between -90 and 90),
	CONSTRAINT "photos_lng_range" CHECK (lng between -180 and 180),
	CONSTRAINT "photos_views_nonnegative" CHECK (views >= 0)
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "favorites" ADD CONSTRAINT "favorites_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "favorites" ADD CONSTRAINT "favorites_hotspot_id_hotspots_id_fk" FOREIGN KEY ("hotspot_id") REFERENCES "public"."hotspots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotspot_photos" ADD CONSTRAINT "hotspot_photos_hotspot_id_hotspots_id_fk" FOREIGN KEY ("hotspot_id") REFERENCES "public"."hotspots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotspot_photos" ADD CONSTRAINT "hotspot_photos_photo_id_photos_id_fk" FOREIGN KEY ("photo_id") REFERENCES "public"."photos"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "favorites_hotspot_idx" ON "favorites" USING btree ("hotspot_id");--> statement-breakpoint
CREATE UNIQUE INDEX "hotspot_photos_photo_key" ON "hotspot_photos" USING btree ("photo_id");--> statement-breakpoint
CREATE INDEX "hotspots_centroid_gist" ON "hotspots" USING gist ("centroid") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "hotspots_tile_idx" ON "hotspots" USING btree ("tile") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "hotspots_score_idx" ON "hotspots" USING btree ("score" DESC NULLS LAST,"id") WHERE status = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "photos_source_source_id_key" ON "photos" USING btree ("source","source_id");--> statement-breakpoint
CREATE INDEX "photos_geog_gist" ON "photos" USING gist ("geog");--> statement-breakpoint
CREATE INDEX "photos_tile_idx" ON "photos" USING btree ("tile");