-- Photos are read by work tile and clustered in memory; no query used their geography column or its GiST
-- index, which halved the insert rate of an import. Both go (dropping a column is a catalog change, not a rewrite).
DROP INDEX "photos_geog_gist";--> statement-breakpoint
ALTER TABLE "photos" DROP COLUMN "geog";