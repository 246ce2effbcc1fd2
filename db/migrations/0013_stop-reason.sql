-- Up Migration

-- Why tracking stopped (`requested` by DELETE, `cancelled` from the Temporal UI, or `terminated`, `timed_out` or
-- `failed` when the reconciler found the workflow closed without stopping), and the text an operator gave with a
-- manual pause from the Temporal UI. Null on rows stopped before this migration, and while not stopped / not paused.
ALTER TABLE tracked_creators ADD COLUMN stop_reason text, ADD COLUMN pause_note text;
ALTER TABLE tracked_videos ADD COLUMN stop_reason text, ADD COLUMN pause_note text;

-- Down Migration

ALTER TABLE tracked_creators DROP COLUMN stop_reason, DROP COLUMN pause_note;
ALTER TABLE tracked_videos DROP COLUMN stop_reason, DROP COLUMN pause_note;
