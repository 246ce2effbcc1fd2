-- Up Migration

-- The API keeps hot reads (creator and video details, lists, snapshots) in memory and drops a team's copies when its
-- rows change: every write to a table those reads come from notifies `ct_read_model` with the owning team's id, in
-- the writing transaction, so the notice is sent at commit (and not at all on rollback). Postgres folds identical
-- notices of one transaction into one. test/integration/read-cache.test.ts checks, with EXPLAIN of the cached reads,
-- that every table they read carries one of these triggers.

CREATE FUNCTION read_model_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ct_read_model', (CASE TG_OP WHEN 'DELETE' THEN OLD.team_id ELSE NEW.team_id END)::text);
  RETURN NULL;
END $$;

-- snapshots name their tracked row, whose team owns them
CREATE FUNCTION creator_snapshot_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ct_read_model', team_id::text) FROM tracked_creators
    WHERE id = CASE TG_OP WHEN 'DELETE' THEN OLD.tracking_account_id ELSE NEW.tracking_account_id END;
  RETURN NULL;
END $$;

CREATE FUNCTION video_snapshot_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ct_read_model', team_id::text) FROM tracked_videos
    WHERE id = CASE TG_OP WHEN 'DELETE' THEN OLD.tracking_video_id ELSE NEW.tracking_video_id END;
  RETURN NULL;
END $$;

-- TRUNCATE names no rows: every team's copies go
CREATE FUNCTION read_model_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ct_read_model', '*');
  RETURN NULL;
END $$;

CREATE TRIGGER read_model_changed AFTER INSERT OR UPDATE OR DELETE ON tracked_creators
  FOR EACH ROW EXECUTE FUNCTION read_model_changed();
CREATE TRIGGER read_model_changed AFTER INSERT OR UPDATE OR DELETE ON tracked_videos
  FOR EACH ROW EXECUTE FUNCTION read_model_changed();
CREATE TRIGGER read_model_changed AFTER INSERT OR UPDATE OR DELETE ON tracked_live_counts
  FOR EACH ROW EXECUTE FUNCTION read_model_changed();
CREATE TRIGGER read_model_changed AFTER INSERT OR UPDATE OR DELETE ON creator_snapshots
  FOR EACH ROW EXECUTE FUNCTION creator_snapshot_changed();
CREATE TRIGGER read_model_changed AFTER INSERT OR UPDATE OR DELETE ON video_snapshots
  FOR EACH ROW EXECUTE FUNCTION video_snapshot_changed();
CREATE TRIGGER read_model_truncated AFTER TRUNCATE ON tracked_creators
  FOR EACH STATEMENT EXECUTE FUNCTION read_model_truncated();
CREATE TRIGGER read_model_truncated AFTER TRUNCATE ON tracked_videos
  FOR EACH STATEMENT EXECUTE FUNCTION read_model_truncated();
CREATE TRIGGER read_model_truncated AFTER TRUNCATE ON tracked_live_counts
  FOR EACH STATEMENT EXECUTE FUNCTION read_model_truncated();
CREATE TRIGGER read_model_truncated AFTER TRUNCATE ON creator_snapshots
  FOR EACH STATEMENT EXECUTE FUNCTION read_model_truncated();
CREATE TRIGGER read_model_truncated AFTER TRUNCATE ON video_snapshots
  FOR EACH STATEMENT EXECUTE FUNCTION read_model_truncated();

-- Down Migration

DROP TRIGGER read_model_truncated ON video_snapshots;
DROP TRIGGER read_model_truncated ON creator_snapshots;
DROP TRIGGER read_model_truncated ON tracked_live_counts;
DROP TRIGGER read_model_truncated ON tracked_videos;
DROP TRIGGER read_model_truncated ON tracked_creators;
DROP FUNCTION read_model_truncated();
DROP TRIGGER read_model_changed ON video_snapshots;
DROP TRIGGER read_model_changed ON creator_snapshots;
DROP TRIGGER read_model_changed ON tracked_live_counts;
DROP TRIGGER read_model_changed ON tracked_videos;
DROP TRIGGER read_model_changed ON tracked_creators;
DROP FUNCTION video_snapshot_changed();
DROP FUNCTION creator_snapshot_changed();
DROP FUNCTION read_model_changed();
