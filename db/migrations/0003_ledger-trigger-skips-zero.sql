-- Up Migration

-- A capture moves no credits: leave the team row alone instead of writing (and locking) it for a +0.
CREATE OR REPLACE FUNCTION credit_ledger_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.amount_cents <> 0 THEN
    UPDATE teams SET balance_cents = balance_cents + NEW.amount_cents WHERE id = NEW.team_id;
  END IF;
  RETURN NEW;
END;
$$;

-- Down Migration

CREATE OR REPLACE FUNCTION credit_ledger_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE teams SET balance_cents = balance_cents + NEW.amount_cents WHERE id = NEW.team_id;
  RETURN NEW;
END;
$$;
