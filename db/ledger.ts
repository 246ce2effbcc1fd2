import type { Queryable } from './transaction';

export class InsufficientCreditsError extends Error {
  constructor(
    readonly requiredCents: number,
    readonly balanceCents: number | null,
  ) {
    super(
      `Insufficient credits: this needs ${requiredCents} credits (cents)` +
        (balanceCents === null ? '' : ` and the balance is ${balanceCents}`),
    );
    this.name = 'InsufficientCreditsError';
  }
}

/** A key reused for a different movement: a bug in the caller, never something a retry can fix. */
export class IdempotencyConflictError extends Error {
  constructor(key: string, detail: string) {
    super(`Idempotency key ${key} already names a different ledger entry: ${detail}`);
    this.name = 'IdempotencyConflictError';
  }
}

export interface LedgerEntry {
  id: number;
  team_id: string;
  kind: 'topup' | 'reserve' | 'capture' | 'refund';
  amount_cents: number;
  idempotency_key: string;
  settles: string | null;
  operation: string;
  resource_type: string | null;
  resource_id: string | null;
  description: string | null;
  created_at: Date;
}

export interface ReserveRequest {
  teamId: string;
  amountCents: number;
  idempotencyKey: string;
  operation: string;
  resourceType?: string;
  resourceId?: string;
  description?: string;
}

const CHECK_VIOLATION = '23514';

async function byKey(db: Queryable, key: string): Promise<LedgerEntry | undefined> {
  const result = await db.query<LedgerEntry>('SELECT * FROM credit_ledger WHERE idempotency_key = $1', [key]);
  return result.rows[0];
}

/** The team's balance in cents (0 for an unknown team). */
export async function teamBalance(db: Queryable, teamId: string): Promise<number> {
  const result = await db.query<{ balance_cents: number }>('SELECT balance_cents FROM teams WHERE id = $1', [teamId]);
  return result.rows[0]?.balance_cents ?? 0;
}

/**
 * Holds `amountCents` of the team's balance under `idempotencyKey`. Running it again (a retried activity, a concurrent
 * duplicate) returns the first entry and moves nothing. The balance CHECK turns an overdraft into
 * InsufficientCreditsError, so no code path can take the balance below zero.
 */
export async function reserve(db: Queryable, req: ReserveRequest): Promise<LedgerEntry> {
  if (!Number.isSafeInteger(req.amountCents) || req.amountCents <= 0) throw new Error('amount must be positive cents');
  let inserted: LedgerEntry | undefined;
  try {
    // the team row is locked first, so concurrent reservations queue and each sees the balance the last one left;
    // NO KEY UPDATE, not UPDATE: it must not conflict with the key-share locks foreign keys to teams take
    const result = await db.query<LedgerEntry>(
      `WITH team AS (SELECT balance_cents FROM teams WHERE id = $1 FOR NO KEY UPDATE)
       INSERT INTO credit_ledger (team_id, kind, amount_cents, idempotency_key, operation, resource_type, resource_id, description)
       SELECT $1, 'reserve', $2, $3, $4, $5, $6, $7 FROM team WHERE team.balance_cents >= -$2::bigint
       ON CONFLICT ON CONSTRAINT credit_ledger_idempotency_key DO NOTHING
       RETURNING *`,
      [
        req.teamId,
        -req.amountCents,
        req.idempotencyKey,
        req.operation,
        req.resourceType ?? null,
        req.resourceId ?? null,
        req.description ?? null,
      ],
    );
    inserted = result.rows[0];
  } catch (err) {
    // the CHECK on teams.balance_cents is the last word; the transaction is aborted, so no balance to quote
    if ((err as { code?: string }).code === CHECK_VIOLATION) throw new InsufficientCreditsError(req.amountCents, null);
    throw err;
  }
  if (inserted) return inserted;
  const existing = await byKey(db, req.idempotencyKey);
  if (!existing) throw new InsufficientCreditsError(req.amountCents, await teamBalance(db, req.teamId));
  if (existing.kind !== 'reserve' || existing.team_id !== req.teamId) {
    throw new IdempotencyConflictError(req.idempotencyKey, `a ${existing.kind} of another team or kind`);
  }
  if (existing.amount_cents !== -req.amountCents) {
    throw new IdempotencyConflictError(
      req.idempotencyKey,
      `reserved ${-existing.amount_cents}, not ${req.amountCents}`,
    );
  }
  return existing;
}

export type SettleOutcome =
  { entry: LedgerEntry; settled: 'now' | 'already' } | { entry: undefined; settled: 'nothing' };

async function settle(
  db: Queryable,
  kind: 'capture' | 'refund',
  reservationKey: string,
  idempotencyKey: string,
  description?: string,
): Promise<SettleOutcome> {
  // the refund returns exactly what was reserved; the capture moves nothing
  const result = await db.query<LedgerEntry>(
    `INSERT INTO credit_ledger (team_id, kind, amount_cents, idempotency_key, settles, operation, resource_type, resource_id, description)
     SELECT team_id, $1::ledger_kind, CASE WHEN $1 = 'refund' THEN -amount_cents ELSE 0 END, $2, idempotency_key,
            operation, resource_type, resource_id, COALESCE($4, description)
       FROM credit_ledger WHERE idempotency_key = $3 AND kind = 'reserve'
     ON CONFLICT DO NOTHING
     RETURNING *`,
    [kind, idempotencyKey, reservationKey, description ?? null],
  );
  const inserted = result.rows[0];
  if (inserted) return { entry: inserted, settled: 'now' };
  const reservation = await byKey(db, reservationKey);
  if (!reservation) return { entry: undefined, settled: 'nothing' };
  const existing = await db.query<LedgerEntry>('SELECT * FROM credit_ledger WHERE settles = $1', [reservationKey]);
  const settlement = existing.rows[0];
  if (settlement && settlement.kind === kind && settlement.idempotency_key === idempotencyKey) {
    return { entry: settlement, settled: 'already' };
  }
  throw new IdempotencyConflictError(
    idempotencyKey,
    settlement ? `reservation ${reservationKey} was already settled by ${settlement.kind}` : 'conflicting key',
  );
}

/** Turns a reservation into a charge, once. A reservation that was refunded cannot be captured. */
export function capture(db: Queryable, reservationKey: string, idempotencyKey: string): Promise<SettleOutcome> {
  return settle(db, 'capture', reservationKey, idempotencyKey);
}

/**
 * Gives a reservation back, once. Refunding a reservation that never happened settles nothing, so compensation can
 * run unconditionally after a failure at any step.
 */
export function refund(
  db: Queryable,
  reservationKey: string,
  idempotencyKey: string,
  description?: string,
): Promise<SettleOutcome> {
  return settle(db, 'refund', reservationKey, idempotencyKey, description);
}
