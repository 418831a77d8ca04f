-- Row level security with no policy on every table: a role subject to it sees no rows and changes none. Supabase's
-- REST API reaches the public schema as the roles anon and authenticated, which its default privileges grant ALL
-- on every new table; the services connect as the tables' owner, which row level security does not restrict
-- (not FORCEd). A table a later migration adds needs the same (`.enableRLS()` in schema.ts); libs/db's
-- supabase-roles test fails for any table in public without it.
ALTER TABLE "dirty_tiles" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "favorites" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "hotspot_photos" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "hotspots" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "ingest_checkpoints" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "outbox" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "photos" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "users" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
-- The API roles keep the table privileges row level security filters (SELECT, INSERT, UPDATE, DELETE), so a
-- policy alone could open a table to them later, and lose the rest, which it does not filter: TRUNCATE,
-- REFERENCES, TRIGGER, and every privilege on the sequences (nextval on photospots_hotspots_version would tell
-- every query API that hotspots changed). Where those roles do not exist (plain Postgres, RDS, PGlite)
-- there is nothing to revoke.
DO $$
DECLARE
  api_role text;
BEGIN
  FOR api_role IN SELECT rolname FROM pg_roles WHERE rolname IN ('anon', 'authenticated') LOOP
    EXECUTE format(
      'REVOKE TRUNCATE, REFERENCES, TRIGGER ON TABLE public.dirty_tiles, public.favorites, public.hotspot_photos, '
        'public.hotspots, public.ingest_checkpoints, public.outbox, public.photos, public.users FROM %I',
      api_role);
    EXECUTE format(
      'REVOKE ALL ON SEQUENCE public.hotspots_id_seq, public.photos_id_seq, public.outbox_id_seq, '
        'public.photospots_hotspots_version FROM %I',
      api_role);
    EXECUTE format(
      'REVOKE ALL ON FUNCTION public.photospots_fold(text), public.photospots_search_text(text, text[]), '
        'public.photospots_notify_hotspots_changed() FROM %I',
      api_role);
  END LOOP;
END $$;--> statement-breakpoint
-- Functions are executable by PUBLIC unless revoked, and PostgREST offers every function in an exposed schema its
-- caller may execute as an RPC endpoint. These are run by the services (search queries, the hotspots' generated
-- columns), which connect as the owner; a service connecting as another role would need EXECUTE granted.
REVOKE ALL ON FUNCTION public.photospots_fold(text), public.photospots_search_text(text, text[]),
  public.photospots_notify_hotspots_changed() FROM PUBLIC;
