-- PostGIS for geography types and spatial indexes; pg_trgm for fuzzy search. Where the search_path has a schema
-- named extensions (Supabase's), they go there, which keeps their tables (spatial_ref_sys) out of the public
-- schema an API may expose; elsewhere into the default schema. Where a platform installed them already (its
-- users not being superusers) nothing happens. Later migrations and the services name their objects unqualified,
-- found through the search_path. Databases that applied this before it chose the schema keep what they have:
-- drizzle does not re-run or re-check applied migrations.
DO $do$
DECLARE
  target text := CASE WHEN 'extensions' = ANY (current_schemas(false)) THEN ' SCHEMA extensions' ELSE '' END;
BEGIN
  EXECUTE 'CREATE EXTENSION IF NOT EXISTS postgis' || target;
  EXECUTE 'CREATE EXTENSION IF NOT EXISTS pg_trgm' || target;
END $do$;
