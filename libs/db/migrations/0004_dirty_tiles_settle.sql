-- A dirty tile waits until its writes settle (a bulk import re-dirties it with every batch), but never longer
-- than a bound counted from when it first became dirty: that moment is kept while it is dirtied again.
ALTER TABLE "dirty_tiles" ADD COLUMN "first_dirtied_at" timestamp with time zone DEFAULT now() NOT NULL;
