-- Up Migration

-- The relay claims queued events with a short lease instead of holding a transaction open while it starts delivery
-- workflows: a claimed row is skipped by other relays until the lease runs out, then taken again (a crashed relay's
-- events are finished by the next pass; every step after the claim is safe to repeat).
ALTER TABLE webhook_event_queue ADD COLUMN claimed_until timestamptz;

-- Down Migration

ALTER TABLE webhook_event_queue DROP COLUMN claimed_until;
