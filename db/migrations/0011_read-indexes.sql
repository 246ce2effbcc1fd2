-- Up Migration

-- `GET .../snapshots` reads the most recent snapshots newest first, ties on the time broken by cycle: with the cycle in
-- the index the read is a backward index scan that stops at the limit, with no sort. It replaces the two-column
-- index, which every other snapshot query (trailing window, latest) can use through its leading columns.
CREATE INDEX creator_snapshots_recent ON creator_snapshots (tracking_account_id, snapshot_at, cycle);
DROP INDEX creator_snapshots_series;
CREATE INDEX video_snapshots_recent ON video_snapshots (tracking_video_id, snapshot_at, cycle);
DROP INDEX video_snapshots_series;

-- Live (not stopped) tracked rows per team and platform, kept by the triggers below in the same transaction as each
-- insert, stop or delete: the `total` of `GET /v1/tracking/creators` and `/videos` is a lookup here instead of a count
-- of the team's index entries on every page (10,000 creators: 1.5 to 2 ms of Postgres CPU per request). A search still
-- counts its matches. The triggers are deferred to commit, so a transaction locks its team's count row last and only
-- while it commits: registrations of one team do not queue on it, and it takes no part in the order in which a
-- transaction locks other rows (the team's `teams` row for the ledger, the tracked row).
CREATE TABLE tracked_live_counts (
  resource_table text NOT NULL CHECK (resource_table IN ('tracked_creators', 'tracked_videos')),
  team_id uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  platform text NOT NULL,
  live integer NOT NULL,
  PRIMARY KEY (resource_table, team_id, platform)
);

CREATE FUNCTION tracked_live_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL THEN
    UPDATE tracked_live_counts SET live = live - 1
     WHERE resource_table = TG_TABLE_NAME AND team_id = OLD.team_id AND platform = OLD.platform;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.deleted_at IS NULL THEN
    INSERT INTO tracked_live_counts (resource_table, team_id, platform, live)
    VALUES (TG_TABLE_NAME, NEW.team_id, NEW.platform, 1)
    ON CONFLICT (resource_table, team_id, platform) DO UPDATE SET live = tracked_live_counts.live + 1;
  END IF;
  RETURN NULL;
END;
$$;

CREATE FUNCTION tracked_live_counts_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM tracked_live_counts WHERE resource_table = TG_TABLE_NAME;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER tracked_creators_live_count AFTER INSERT OR DELETE ON tracked_creators
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tracked_live_counts_apply();
-- a state write sets deleted_at every time; only a change of liveness, team or platform moves a count
CREATE CONSTRAINT TRIGGER tracked_creators_live_count_update
  AFTER UPDATE OF team_id, platform, deleted_at ON tracked_creators
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN ((OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) OR OLD.team_id <> NEW.team_id OR OLD.platform <> NEW.platform)
  EXECUTE FUNCTION tracked_live_counts_apply();
CREATE TRIGGER tracked_creators_live_count_truncate AFTER TRUNCATE ON tracked_creators
  FOR EACH STATEMENT EXECUTE FUNCTION tracked_live_counts_reset();

CREATE CONSTRAINT TRIGGER tracked_videos_live_count AFTER INSERT OR DELETE ON tracked_videos
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tracked_live_counts_apply();
CREATE CONSTRAINT TRIGGER tracked_videos_live_count_update
  AFTER UPDATE OF team_id, platform, deleted_at ON tracked_videos
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN ((OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) OR OLD.team_id <> NEW.team_id OR OLD.platform <> NEW.platform)
  EXECUTE FUNCTION tracked_live_counts_apply();
CREATE TRIGGER tracked_videos_live_count_truncate AFTER TRUNCATE ON tracked_videos
  FOR EACH STATEMENT EXECUTE FUNCTION tracked_live_counts_reset();

-- the rows already there (CREATE TRIGGER holds off writes until this transaction commits, so none is missed)
INSERT INTO tracked_live_counts (resource_table, team_id, platform, live)
SELECT 'tracked_creators', team_id, platform, count(*) FROM tracked_creators WHERE deleted_at IS NULL
 GROUP BY team_id, platform;
INSERT INTO tracked_live_counts (resource_table, team_id, platform, live)
SELECT 'tracked_videos', team_id, platform, count(*) FROM tracked_videos WHERE deleted_at IS NULL
 GROUP BY team_id, platform;

-- Down Migration

DROP TRIGGER tracked_videos_live_count_truncate ON tracked_videos;
DROP TRIGGER tracked_videos_live_count_update ON tracked_videos;
DROP TRIGGER tracked_videos_live_count ON tracked_videos;
DROP TRIGGER tracked_creators_live_count_truncate ON tracked_creators;
DROP TRIGGER tracked_creators_live_count_update ON tracked_creators;
DROP TRIGGER tracked_creators_live_count ON tracked_creators;
DROP FUNCTION tracked_live_counts_reset();
DROP FUNCTION tracked_live_counts_apply();
DROP TABLE tracked_live_counts;
CREATE INDEX video_snapshots_series ON video_snapshots (tracking_video_id, snapshot_at);
DROP INDEX video_snapshots_recent;
CREATE INDEX creator_snapshots_series ON creator_snapshots (tracking_account_id, snapshot_at);
DROP INDEX creator_snapshots_recent;
