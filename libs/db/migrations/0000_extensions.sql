-- PostGIS for geography types and spatial indexes; pg_trgm for fuzzy search.
CREATE EXTENSION IF NOT EXISTS postgis;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pg_trgm;
