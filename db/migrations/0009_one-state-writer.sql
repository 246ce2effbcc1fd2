-- Up Migration

-- A tracking workflow now writes its status, cadence and schedule from one place, one write at a time, always its
-- current state: no write can overtake a newer one, so the version that ordered competing writes is gone.
ALTER TABLE tracked_creators DROP COLUMN state_version;
ALTER TABLE tracked_videos DROP COLUMN state_version;

-- Down Migration

ALTER TABLE tracked_creators ADD COLUMN state_version integer NOT NULL DEFAULT 0;
ALTER TABLE tracked_videos ADD COLUMN state_version integer NOT NULL DEFAULT 0;
