-- Up Migration

CREATE TABLE teams (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  -- the available prepaid balance in cents; only the ledger trigger below moves it
  balance_cents bigint NOT NULL DEFAULT 0 CONSTRAINT balance_never_negative CHECK (balance_cents >= 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  team_id uuid NOT NULL REFERENCES teams (id),
  -- SHA-256 of the key, hex; the key itself is shown once and never stored
  key_hash text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  -- the first characters of the key, so a human can tell keys apart
  key_prefix text NOT NULL,
  name text NOT NULL DEFAULT 'default',
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX api_keys_team_idx ON api_keys (team_id);

CREATE TYPE ledger_kind AS ENUM ('topup', 'reserve', 'capture', 'refund');

-- Append-only. amount_cents is the signed movement of the balance: topup and refund add, reserve subtracts, capture
-- moves nothing (it turns a reservation into a charge). The idempotency key is made by the caller from the workflow
-- id, cycle and step, so a retried activity finds its own row instead of writing a second one.
CREATE TABLE credit_ledger (
  id bigserial PRIMARY KEY,
  team_id uuid NOT NULL REFERENCES teams (id),
  kind ledger_kind NOT NULL,
  amount_cents bigint NOT NULL,
  idempotency_key text NOT NULL CONSTRAINT credit_ledger_idempotency_key UNIQUE,
  -- for capture and refund: the idempotency key of the reservation they settle
  settles text REFERENCES credit_ledger (idempotency_key),
  operation text NOT NULL,
  resource_type text,
  resource_id uuid,
  description text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT amount_sign CHECK (
    (kind = 'topup' AND amount_cents > 0) OR
    (kind = 'reserve' AND amount_cents < 0) OR
    (kind = 'capture' AND amount_cents = 0) OR
    (kind = 'refund' AND amount_cents > 0)
  ),
  CONSTRAINT settlement_names_reservation CHECK ((kind IN ('capture', 'refund')) = (settles IS NOT NULL))
);
-- a reservation is settled exactly once: captured or refunded, never both, never twice
CREATE UNIQUE INDEX credit_ledger_one_settlement ON credit_ledger (settles) WHERE settles IS NOT NULL;
CREATE INDEX credit_ledger_team_created_idx ON credit_ledger (team_id, created_at DESC, id DESC);
CREATE INDEX credit_ledger_resource_idx ON credit_ledger (resource_id) WHERE resource_id IS NOT NULL;

CREATE FUNCTION credit_ledger_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- the CHECK on teams.balance_cents turns an overdraft into an error that aborts the insert
  UPDATE teams SET balance_cents = balance_cents + NEW.amount_cents WHERE id = NEW.team_id;
  RETURN NEW;
END;
$$;
CREATE TRIGGER credit_ledger_apply AFTER INSERT ON credit_ledger FOR EACH ROW EXECUTE FUNCTION credit_ledger_apply();

CREATE FUNCTION credit_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'credit_ledger is append-only';
END;
$$;
CREATE TRIGGER credit_ledger_append_only BEFORE UPDATE OR DELETE ON credit_ledger
  FOR EACH ROW EXECUTE FUNCTION credit_ledger_append_only();

-- One row per health round trip: written by an activity, read back by the API.
CREATE TABLE health_probes (
  run_id text PRIMARY KEY,
  written_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration

DROP TABLE health_probes;
DROP TRIGGER credit_ledger_append_only ON credit_ledger;
DROP FUNCTION credit_ledger_append_only();
DROP TRIGGER credit_ledger_apply ON credit_ledger;
DROP FUNCTION credit_ledger_apply();
DROP TABLE credit_ledger;
DROP TYPE ledger_kind;
DROP TABLE api_keys;
DROP TABLE teams;
