-- Keyword search over hotspot labels and tags, accents and umlauts folded (brühl → bruhl, ß → ss).
-- unaccent() is only STABLE (its dictionary could change), so generated columns and indexes use an
-- IMMUTABLE wrapper with the function and dictionary named explicitly, in the schema the extension is in
-- (public on plain Postgres and PGlite, extensions on Supabase), so it does not depend on anyone's search_path.
-- Only extensions PGlite also ships are used. Databases that applied this file when it named public outright keep
-- that function, the same where unaccent is in public: drizzle does not re-run or re-check applied migrations.
DO $do$
DECLARE
  target text := CASE WHEN 'extensions' = ANY (current_schemas(false)) THEN ' SCHEMA extensions' ELSE '' END;
BEGIN
  EXECUTE 'CREATE EXTENSION IF NOT EXISTS unaccent' || target;
END $do$;--> statement-breakpoint
DO $do$
DECLARE
  unaccent_schema text;
BEGIN
  SELECT n.nspname INTO STRICT unaccent_schema
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'unaccent';
  EXECUTE format(
    $sql$CREATE OR REPLACE FUNCTION public.photospots_fold(value text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
      AS $fold$ SELECT lower(%1$I.unaccent(%2$L::regdictionary, value)) $fold$ $sql$,
    unaccent_schema, format('%I.unaccent', unaccent_schema));
END $do$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.photospots_search_text(label text, tags text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT public.photospots_fold(coalesce(label, '') || ' ' || coalesce(array_to_string(tags, ' '), '')) $$;--> statement-breakpoint
ALTER TABLE "hotspots" ADD COLUMN "search_text" text GENERATED ALWAYS AS (public.photospots_search_text(label, top_tags)) STORED;--> statement-breakpoint
ALTER TABLE "hotspots" ADD COLUMN "search_vector" tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, public.photospots_search_text(label, top_tags))) STORED;--> statement-breakpoint
CREATE INDEX "hotspots_search_vector_gin" ON "hotspots" USING gin ("search_vector") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "hotspots_search_text_trgm" ON "hotspots" USING gin ("search_text" gin_trgm_ops) WHERE status = 'active';--> statement-breakpoint
-- Every change to hotspots is announced for the query API's in-process index: NOTIFY (delivered at commit, in
-- commit order, duplicates within a transaction collapsed) and a version sequence, which readers poll where
-- notifications do not reach them (PGlite behind its socket server). Sequences take no locks and ignore rollbacks.
CREATE SEQUENCE IF NOT EXISTS public.photospots_hotspots_version;--> statement-breakpoint
CREATE OR REPLACE FUNCTION public.photospots_notify_hotspots_changed() RETURNS trigger
  LANGUAGE plpgsql
  AS $$ BEGIN
    PERFORM nextval('public.photospots_hotspots_version');
    PERFORM pg_notify('photospots_hotspots_changed', '');
    RETURN NULL;
  END $$;--> statement-breakpoint
CREATE TRIGGER "hotspots_changed_notify" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "hotspots"
  FOR EACH STATEMENT EXECUTE FUNCTION public.photospots_notify_hotspots_changed();
