ALTER TABLE "hotspots" ADD COLUMN "capped_user_days" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hotspots" ADD COLUMN "best_views" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hotspots" ADD COLUMN "user_last_photo_at" timestamp with time zone[] DEFAULT '{}'::timestamptz[] NOT NULL;--> statement-breakpoint
-- Hotspots stored before processing wrote these: the same aggregates from their members, once. A photo's time
-- is its taken date, else its upload time, each only when no placeholder (photoTimeSql); days are UTC days.
WITH "member" AS (
  SELECT hp."hotspot_id", p."owner_id", p."views",
         CASE WHEN p."taken_at" >= '1902-01-01T00:00:00Z'
                   AND NOT (p."taken_at" >= '1969-12-31T00:00:00Z' AND p."taken_at" < '1970-01-02T00:00:00Z')
                   AND p."taken_at" <= now() + interval '1 day' THEN p."taken_at"
              WHEN p."uploaded_at" >= '1902-01-01T00:00:00Z'
                   AND NOT (p."uploaded_at" >= '1969-12-31T00:00:00Z' AND p."uploaded_at" < '1970-01-02T00:00:00Z')
                   AND p."uploaded_at" <= now() + interval '1 day' THEN p."uploaded_at" END AS "at"
  FROM "hotspot_photos" hp JOIN "photos" p ON p."id" = hp."photo_id"
), "per_user" AS (
  SELECT "hotspot_id", max("views") AS "best", least(count(DISTINCT ("at" AT TIME ZONE 'UTC')::date), 5) AS "days",
         max("at") AS "last_at"
  FROM "member" GROUP BY "hotspot_id", "owner_id"
), "basis" AS (
  SELECT "hotspot_id", sum("days")::int AS "days", coalesce(sum("best"), 0)::bigint AS "views",
         coalesce(array_agg("last_at" ORDER BY "last_at") FILTER (WHERE "last_at" IS NOT NULL), '{}') AS "last"
  FROM "per_user" GROUP BY "hotspot_id"
)
UPDATE "hotspots" h SET "capped_user_days" = b."days", "best_views" = b."views", "user_last_photo_at" = b."last"
FROM "basis" b WHERE h."id" = b."hotspot_id";
