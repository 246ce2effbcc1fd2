-- Up Migration

-- Satellite: one-shot paid analyses (video outlier now, TikTok sound lookup next). A job is one `satellite:<id>`
-- workflow (reserve → fetch → analyse → persist → capture, refunded on failure); a completed job leaves a run, kept
-- for good and re-readable for free. Ledger entries carry the job id as resource_id (resource_type 'satellite_job').

-- The durable result of a completed job. `result` is the envelope the status poll shows; the videos it rests on are
-- rows of satellite_run_videos, read page by page.
CREATE TABLE satellite_runs (
  id uuid PRIMARY KEY,
  team_id uuid NOT NULL REFERENCES teams (id),
  type text NOT NULL CHECK (type IN ('video_outlier', 'sound_lookup')),
  platform text NOT NULL CHECK (platform IN ('tiktok', 'youtube', 'instagram')),
  input jsonb NOT NULL,
  result jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- the target of the jobs' composite key: a job can only point at a run of its own team, type and platform
  UNIQUE (id, team_id, type, platform)
);
CREATE INDEX satellite_runs_team ON satellite_runs (team_id, created_at DESC, id DESC);

CREATE TABLE satellite_run_videos (
  run_id uuid NOT NULL REFERENCES satellite_runs (id),
  position integer NOT NULL CHECK (position >= 0),
  video jsonb NOT NULL,
  PRIMARY KEY (run_id, position)
);

CREATE TABLE satellite_jobs (
  id uuid PRIMARY KEY,
  team_id uuid NOT NULL REFERENCES teams (id),
  type text NOT NULL CHECK (type IN ('video_outlier', 'sound_lookup')),
  platform text NOT NULL CHECK (platform IN ('tiktok', 'youtube', 'instagram')),
  input jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('processing', 'completed', 'failed')),
  error text,
  error_message text,
  run_id uuid UNIQUE,
  credits_reserved integer NOT NULL CHECK (credits_reserved > 0),
  -- what the job finally cost: null while it runs, 0 when it failed (refunded)
  credits_used integer CHECK (credits_used BETWEEN 0 AND credits_reserved),
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  FOREIGN KEY (run_id, team_id, type, platform) REFERENCES satellite_runs (id, team_id, type, platform),
  -- a completed job has its run, and only a completed one
  CHECK ((status = 'completed') = (run_id IS NOT NULL)),
  -- a failed job says why, and only a failed one
  CHECK ((status = 'failed') = (error IS NOT NULL AND error_message IS NOT NULL)),
  CHECK ((status = 'processing') = (completed_at IS NULL)),
  CHECK ((status = 'processing') = (credits_used IS NULL)),
  CHECK (status <> 'failed' OR credits_used = 0)
);
CREATE INDEX satellite_jobs_team ON satellite_jobs (team_id, created_at DESC);

-- Down Migration

DROP TABLE satellite_jobs;
DROP TABLE satellite_run_videos;
DROP TABLE satellite_runs;
