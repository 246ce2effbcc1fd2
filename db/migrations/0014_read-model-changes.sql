-- Up Migration

-- The API keeps hot reads (creator and video details, lists, snapshots) in memory and drops a team's copies when its
-- rows change: every write to a table those reads come from notifies `ct_read_model` with the owning team's id, in
-- the writing transaction, so the notice is sent at commit (and not at all on rollback). Postgres folds identical
-- notices of one transaction into one. test/integration/read-cache.test.ts checks, with EXPLAIN of the cached reads,
-- that every table they read carries one of these triggers.
--
-- Writes that fire no row trigger reach the cache only when its copies expire (READ_CACHE_TTL_MS): a later migration
-- that rewrites these tables' values (an UPDATE with triggers disabled, ALTER COLUMN ... USING) ends with
-- `SELECT pg_notify('ct_read_model', '*')`, as a restore with --disable-triggers should.

CREATE FUNCTION read_model_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('ct_read_model', OLD.team_id::text);
  END IF;
  -- an update that moves a row notifies both teams (Postgres folds the two into one when they are the same)
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('ct_read_model', NEW.team_id::text);
  END IF;
  RETURN NULL;
END $$;

-- snapshots name their tracked row, whose team owns them (the old and the new row's, should a snapshot move)
CREATE FUNCTION creator_snapshot_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ct_read_model', team_id::text) FROM tracked_creators
    WHERE id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.tracking_account_id END,
                 CASE WHEN TG_OP <> 'DELETE' THEN NEW.tracking_account_id END);
  RETURN NULL;
END $$;

CREATE FUNCTION video_snapshot_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ct_read_model', team_id::text) FROM tracked_videos
    WHERE id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.tracking_video_id END,
                 CASE WHEN TG_OP <> 'DELETE' THEN NEW.tracking_video_id END);
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
