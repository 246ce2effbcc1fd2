-- Up Migration

-- Tokens a model spent on a report; NULL for reports written by the heuristic analyst.
ALTER TABLE creator_reports ADD COLUMN prompt_tokens integer CHECK (prompt_tokens >= 0),
  ADD COLUMN completion_tokens integer CHECK (completion_tokens >= 0);
ALTER TABLE video_reports ADD COLUMN prompt_tokens integer CHECK (prompt_tokens >= 0),
  ADD COLUMN completion_tokens integer CHECK (completion_tokens >= 0);

-- Down Migration

ALTER TABLE video_reports DROP COLUMN prompt_tokens, DROP COLUMN completion_tokens;
ALTER TABLE creator_reports DROP COLUMN prompt_tokens, DROP COLUMN completion_tokens;
