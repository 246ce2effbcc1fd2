-- Up Migration

-- On-demand paid work for a tracked creator: post collections and audience refreshes. Each row is one saga run by
-- its own child workflow (`collection:<id>`, `audience:<id>`); its ledger entries carry the job id as resource_id.
CREATE TABLE paid_jobs (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('post_collection', 'audience_refresh')),
  team_id uuid NOT NULL REFERENCES teams (id),
  tracking_account_id uuid NOT NULL REFERENCES tracked_creators (id),
  -- pending: accepted, its workflow has not reserved yet (a collection asked for at POST /creators)
  status text NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'failed')),
  depth text CHECK (depth IN ('standard', 'deep', 'full')),
  max_videos integer,
  videos_collected integer NOT NULL DEFAULT 0,
  credits_reserved integer NOT NULL,
  -- what the job finally cost: the reservation when captured, 0 when refunded or not reserved
  credits_used integer,
  error text,
  error_message text,
  snapshot_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  completed_at timestamptz,
  CHECK ((kind = 'post_collection') = (depth IS NOT NULL))
);
-- one running job of a kind per creator, whatever races the API and the workflow lose
CREATE UNIQUE INDEX paid_jobs_one_active ON paid_jobs (tracking_account_id, kind)
  WHERE status IN ('pending', 'processing');
CREATE INDEX paid_jobs_by_creator ON paid_jobs (tracking_account_id, kind, created_at DESC);

CREATE TABLE audience_snapshots (
  id uuid PRIMARY KEY,
  job_id uuid NOT NULL UNIQUE REFERENCES paid_jobs (id),
  team_id uuid NOT NULL REFERENCES teams (id),
  tracking_account_id uuid NOT NULL REFERENCES tracked_creators (id),
  snapshot_at timestamptz NOT NULL,
  sample_size integer NOT NULL,
  age_distribution jsonb,
  gender_distribution jsonb,
  language_distribution jsonb,
  country_distribution jsonb,
  city_distribution jsonb,
  confidence_per_signal jsonb NOT NULL,
  confidence_level text NOT NULL CHECK (confidence_level IN ('high', 'medium', 'low')),
  data_source text NOT NULL,
  signal_breakdown jsonb NOT NULL,
  evidence_summary text NOT NULL,
  model_version text NOT NULL
);
CREATE INDEX audience_snapshots_latest ON audience_snapshots (tracking_account_id, snapshot_at DESC);

-- Down Migration

DROP TABLE audience_snapshots;
DROP TABLE paid_jobs;
