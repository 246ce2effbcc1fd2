-- Up Migration

-- What a running satellite job fetched, kept in Postgres under the job instead of in its workflow's history: the fetch
-- step stores the videos here and passes only their count on; the completion step reads them, computes the result,
-- moves them to the run (satellite_run_videos) and clears them. `staged_trends` holds a sound lookup's trends block
-- between the trend step and the completion step for the same reason.
CREATE TABLE satellite_job_videos (
  job_id uuid NOT NULL REFERENCES satellite_jobs (id) ON DELETE CASCADE,
  position integer NOT NULL CHECK (position >= 0),
  video jsonb NOT NULL,
  PRIMARY KEY (job_id, position)
);

ALTER TABLE satellite_jobs ADD COLUMN staged_trends jsonb;

-- Down Migration

ALTER TABLE satellite_jobs DROP COLUMN staged_trends;
DROP TABLE satellite_job_videos;
