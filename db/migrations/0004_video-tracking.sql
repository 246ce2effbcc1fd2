-- Up Migration

CREATE TABLE tracked_videos (
  id uuid PRIMARY KEY,
  team_id uuid NOT NULL REFERENCES teams (id),
  tracking_account_id uuid REFERENCES tracked_creators (id),
  platform text NOT NULL CHECK (platform IN ('tiktok', 'youtube', 'instagram')),
  platform_video_id text NOT NULL,
  url text NOT NULL,
  title text,
  description text,
  author_handle text,
  author_name text,
  thumbnail_url text,
  published_at timestamptz,
  duration_seconds integer,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'stopped')),
  pause_reason text,
  scrape_cadence text NOT NULL,
  adaptive_interval_seconds integer,
  enrichment_status text NOT NULL DEFAULT 'pending' CHECK (enrichment_status IN ('pending', 'ready', 'failed')),
  latest_views bigint,
  latest_likes bigint,
  latest_comments bigint,
  latest_shares bigint,
  latest_bookmarks bigint,
  growth_rate double precision,
  true_vpd double precision,
  accel double precision,
  lifetime_vpd double precision,
  -- trajectory flags as of the last cycle; a false -> true change records its event once
  is_breakout boolean NOT NULL DEFAULT false,
  is_accelerating boolean NOT NULL DEFAULT false,
  is_peaking boolean NOT NULL DEFAULT false,
  cycles_completed integer NOT NULL DEFAULT 0,
  cycles_failed integer NOT NULL DEFAULT 0,
  consecutive_failures integer NOT NULL DEFAULT 0,
  cycle_in_progress integer,
  cycle_started_at timestamptz,
  last_failure jsonb,
  last_scraped_at timestamptz,
  next_scrape_at timestamptz,
  state_version integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE UNIQUE INDEX tracked_videos_one_live ON tracked_videos (team_id, platform, platform_video_id)
  WHERE deleted_at IS NULL;
CREATE INDEX tracked_videos_team_list ON tracked_videos (team_id, created_at DESC, id) WHERE deleted_at IS NULL;

CREATE TABLE video_snapshots (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tracking_video_id uuid NOT NULL REFERENCES tracked_videos (id),
  cycle integer NOT NULL,
  views bigint,
  likes bigint,
  comments bigint,
  shares bigint,
  bookmarks bigint,
  delta_views bigint,
  delta_likes bigint,
  delta_comments bigint,
  delta_shares bigint,
  delta_bookmarks bigint,
  snapshot_at timestamptz NOT NULL,
  UNIQUE (tracking_video_id, cycle)
);
CREATE INDEX video_snapshots_series ON video_snapshots (tracking_video_id, snapshot_at);

CREATE TABLE video_reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tracking_video_id uuid NOT NULL REFERENCES tracked_videos (id),
  cycle integer NOT NULL,
  analysis jsonb NOT NULL,
  model_used text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tracking_video_id, cycle)
);

-- Down Migration

DROP TABLE video_reports;
DROP TABLE video_snapshots;
DROP TABLE tracked_videos;
