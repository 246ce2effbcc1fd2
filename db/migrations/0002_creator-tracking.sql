-- Up Migration

-- The read model of each creator workflow. The workflow owns the schedule; its activities keep this row current.
CREATE TABLE tracked_creators (
  id uuid PRIMARY KEY,
  team_id uuid NOT NULL REFERENCES teams (id),
  platform text NOT NULL CHECK (platform IN ('tiktok', 'youtube', 'instagram')),
  platform_handle text NOT NULL,
  platform_user_id text,
  display_name text,
  avatar_url text,
  profile_url text,
  bio text,
  is_verified boolean,
  category text,
  content_tags text[] NOT NULL DEFAULT '{}',
  profile_metadata jsonb,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'stopped')),
  pause_reason text,
  scrape_cadence text NOT NULL,
  enrichment_status text NOT NULL DEFAULT 'pending' CHECK (enrichment_status IN ('pending', 'ready', 'failed')),
  latest_followers bigint,
  latest_following bigint,
  latest_total_videos bigint,
  latest_total_likes bigint,
  latest_total_views bigint,
  latest_subscribers bigint,
  growth_rate double precision,
  followers_gained bigint,
  cycles_completed integer NOT NULL DEFAULT 0,
  cycles_failed integer NOT NULL DEFAULT 0,
  consecutive_failures integer NOT NULL DEFAULT 0,
  -- the cycle now running (set with its reservation, cleared when it settles); null when idle
  cycle_in_progress integer,
  cycle_started_at timestamptz,
  last_failure jsonb,
  last_scraped_at timestamptz,
  next_scrape_at timestamptz,
  -- the workflow's state version that last wrote status/cadence/next_scrape_at; older writes are ignored
  state_version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
-- one live tracking per creator per team; a stopped one may be tracked again
CREATE UNIQUE INDEX tracked_creators_one_live ON tracked_creators (team_id, platform, lower(platform_handle))
  WHERE deleted_at IS NULL;
CREATE INDEX tracked_creators_team_list ON tracked_creators (team_id, created_at DESC, id) WHERE deleted_at IS NULL;

CREATE TABLE creator_snapshots (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tracking_account_id uuid NOT NULL REFERENCES tracked_creators (id),
  cycle integer NOT NULL,
  followers bigint,
  following bigint,
  total_videos bigint,
  total_views bigint,
  total_likes bigint,
  collected_post_count integer,
  subscribers bigint,
  delta_followers bigint,
  delta_following bigint,
  delta_total_videos bigint,
  delta_total_views bigint,
  delta_total_likes bigint,
  snapshot_at timestamptz NOT NULL,
  -- a retried activity finds its cycle's snapshot instead of writing a second one
  UNIQUE (tracking_account_id, cycle)
);
CREATE INDEX creator_snapshots_series ON creator_snapshots (tracking_account_id, snapshot_at);

CREATE TABLE creator_posts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tracking_account_id uuid NOT NULL REFERENCES tracked_creators (id),
  platform text NOT NULL,
  platform_video_id text NOT NULL,
  url text NOT NULL,
  title text,
  description text,
  thumbnail_url text,
  published_at timestamptz NOT NULL,
  duration_seconds integer,
  views bigint,
  likes bigint,
  comments bigint,
  shares bigint,
  bookmarks bigint,
  hashtags text[] NOT NULL DEFAULT '{}',
  is_duet boolean,
  is_stitch boolean,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tracking_account_id, platform_video_id)
);
CREATE INDEX creator_posts_by_date ON creator_posts (tracking_account_id, published_at DESC);

CREATE TABLE creator_reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tracking_account_id uuid NOT NULL REFERENCES tracked_creators (id),
  cycle integer NOT NULL,
  analysis jsonb NOT NULL,
  model_used text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tracking_account_id, cycle)
);

-- each video is flagged as an outlier once
CREATE TABLE creator_outliers (
  tracking_account_id uuid NOT NULL REFERENCES tracked_creators (id),
  platform_video_id text NOT NULL,
  url text NOT NULL,
  views bigint NOT NULL,
  median_views double precision NOT NULL,
  outlier_ratio double precision NOT NULL,
  weighted_score double precision NOT NULL,
  cycle integer NOT NULL,
  detected_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tracking_account_id, platform_video_id)
);

-- every cycle's outcome, failures typed (blocked, private, deleted, rate_limited, empty, unavailable, ...)
CREATE TABLE tracking_cycles (
  resource_type text NOT NULL,
  resource_id uuid NOT NULL,
  cycle integer NOT NULL,
  status text NOT NULL CHECK (status IN ('completed', 'failed', 'skipped')),
  failure_kind text,
  failure_message text,
  started_at timestamptz,
  finished_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (resource_type, resource_id, cycle)
);

-- The events outbox: written in the same transaction as the state each event reports; delivery reads it later.
CREATE TABLE events (
  id uuid PRIMARY KEY,
  team_id uuid NOT NULL REFERENCES teams (id),
  type text NOT NULL,
  resource_type text NOT NULL,
  resource_id uuid NOT NULL,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_team_created ON events (team_id, created_at, id);

-- Down Migration

DROP TABLE events;
DROP TABLE tracking_cycles;
DROP TABLE creator_outliers;
DROP TABLE creator_reports;
DROP TABLE creator_posts;
DROP TABLE creator_snapshots;
DROP TABLE tracked_creators;
