-- Up Migration

-- A team's webhook endpoints. The secrets sign with HMAC, so the server must be able to read them: kept in the clear.
CREATE TABLE webhook_subscriptions (
  id uuid PRIMARY KEY,
  team_id uuid NOT NULL REFERENCES teams (id),
  url text NOT NULL,
  description text,
  -- names from the events outbox, or '{*}' for all
  enabled_events text[] NOT NULL CHECK (cardinality(enabled_events) > 0),
  scope_type text CHECK (scope_type IN ('creator', 'video')),
  scope_id uuid,
  secret text NOT NULL,
  -- after a rotation the secret before it keeps signing (a second signature) until it expires
  previous_secret text,
  previous_secret_expires_at timestamptz,
  enabled boolean NOT NULL DEFAULT true,
  disabled_reason text,
  disabled_at timestamptz,
  -- the first failed attempt since the last success; cleared by a success or by re-enabling
  failing_since timestamptz,
  last_success_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CHECK ((scope_type IS NULL) = (scope_id IS NULL)),
  CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))
);
CREATE INDEX webhook_subscriptions_team ON webhook_subscriptions (team_id, created_at DESC, id) WHERE deleted_at IS NULL;

-- Outbox events not yet fanned out to subscriptions. Filled by a trigger in the transaction that writes the event, so
-- none is missed; the relay claims rows with FOR UPDATE SKIP LOCKED and deletes them once every delivery is started.
CREATE TABLE webhook_event_queue (
  event_id uuid PRIMARY KEY REFERENCES events (id),
  team_id uuid NOT NULL,
  queued_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_event_queue_order ON webhook_event_queue (queued_at, event_id);

CREATE FUNCTION webhook_event_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO webhook_event_queue (event_id, team_id) VALUES (NEW.id, NEW.team_id) ON CONFLICT DO NOTHING;
  -- delivered at commit: wakes the relays without waiting for their sweep
  PERFORM pg_notify('webhook_events', NEW.team_id::text);
  RETURN NULL;
END;
$$;
CREATE TRIGGER events_webhook_enqueue AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION webhook_event_enqueue();

-- One event to one subscription; the id (uuid v5 of both) is the webhook-id header, the same on every attempt.
CREATE TABLE webhook_deliveries (
  id uuid PRIMARY KEY,
  subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id),
  team_id uuid NOT NULL REFERENCES teams (id),
  event_id uuid NOT NULL REFERENCES events (id),
  event_type text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed', 'dead_lettered')),
  attempts integer NOT NULL DEFAULT 0,
  last_status_code integer,
  last_error text,
  last_attempt_at timestamptz,
  next_attempt_at timestamptz,
  -- why a delivery ended without success (410 Gone, subscription disabled or deleted, ladder exhausted)
  ended_reason text,
  replays integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, created_at DESC, id);

-- Every attempt, once: a retried activity overwrites its own attempt instead of adding one.
CREATE TABLE webhook_delivery_attempts (
  delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id),
  attempt integer NOT NULL CHECK (attempt > 0),
  -- 0 for the first run, n for the n-th replay
  run integer NOT NULL DEFAULT 0,
  status_code integer,
  latency_ms integer NOT NULL,
  error text,
  attempted_at timestamptz NOT NULL,
  -- the delivery's status after this attempt, and the wait before the next one: a retried activity answers with these
  delivery_status text NOT NULL,
  next_delay_ms bigint,
  PRIMARY KEY (delivery_id, attempt)
);

-- Down Migration

DROP TABLE webhook_delivery_attempts;
DROP TABLE webhook_deliveries;
DROP TRIGGER events_webhook_enqueue ON events;
DROP FUNCTION webhook_event_enqueue();
DROP TABLE webhook_event_queue;
DROP TABLE webhook_subscriptions;
