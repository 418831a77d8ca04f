-- Memberships are written by re-clustering from photos read in the same snapshot, and photos are never deleted;
-- checking (and row-locking) the photo of every membership took two thirds of the time writing them took.
ALTER TABLE "hotspot_photos" DROP CONSTRAINT "hotspot_photos_photo_id_photos_id_fk";
