import type { Pool } from 'pg';
import { streamRows } from './cursor';
import type { Queryable } from './transaction';
import { creditCents, credits } from '../telemetry/business-metrics';

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
  if (inserted) {
    credits.inc({ kind: 'reserved', operation: req.operation });
    creditCents.inc({ kind: 'reserved', operation: req.operation }, req.amountCents);
    return inserted;
  }
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
  if (inserted) {
    const labels = { kind: kind === 'capture' ? 'captured' : 'refunded', operation: inserted.operation ?? 'unknown' };
    credits.inc(labels);
    // a capture row moves nothing (its reservation already holds the cents); a refund gives them back
    if (kind === 'refund') creditCents.inc(labels, Number(inserted.amount_cents));
    return { entry: inserted, settled: 'now' };
  }
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

/**
 * Gives a reservation back unless it was captured (the work it paid for completed): what compensation and a stop run
 * after a step whose outcome they cannot know. `nothing` when there was no reservation.
 */
export async function refundUnlessCaptured(
  db: Queryable,
  reservationKey: string,
  refundKey: string,
  description: string,
): Promise<'captured' | SettleOutcome['settled']> {
  if ((await settlementKind(db, reservationKey)) === 'capture') return 'captured';
  return (await refund(db, reservationKey, refundKey, description)).settled;
}

/** The reservations of one resource and operation that nothing has settled yet, by key, with when each was made. */
export async function unsettledReservations(
  db: Queryable,
  resource: { resourceType: string; resourceId: string; operation: string },
): Promise<{ idempotency_key: string; created_at: Date }[]> {
  const result = await db.query<{ idempotency_key: string; created_at: Date }>(
    `SELECT r.idempotency_key, r.created_at FROM credit_ledger r
      WHERE r.kind = 'reserve' AND r.resource_type = $1 AND r.resource_id = $2 AND r.operation = $3
        AND NOT EXISTS (SELECT 1 FROM credit_ledger s WHERE s.settles = r.idempotency_key)
      ORDER BY r.id`,
    [resource.resourceType, resource.resourceId, resource.operation],
  );
  return result.rows;
}

/** The kind of the entry that settled a reservation (`capture` or `refund`), if one did. */
export async function settlementKind(db: Queryable, reservationKey: string): Promise<string | undefined> {
  const result = await db.query<{ kind: string }>('SELECT kind FROM credit_ledger WHERE settles = $1', [
    reservationKey,
  ]);
  return result.rows[0]?.kind;
}

// ---- the team's account and usage ----

/** Credits (cents) the team was charged, refunded and topped up with, and what is still reserved and unsettled. */
export interface LedgerTotals {
  charged: number;
  refunded: number;
  topped_up: number;
  pending: number;
}

export async function ledgerTotals(db: Queryable, teamId: string): Promise<LedgerTotals> {
  const totals = await db.query<LedgerTotals>(
    `SELECT
       COALESCE(sum(-amount_cents) FILTER (WHERE kind = 'reserve'), 0)::bigint AS charged,
       COALESCE(sum(amount_cents) FILTER (WHERE kind = 'refund'), 0)::bigint AS refunded,
       COALESCE(sum(amount_cents) FILTER (WHERE kind = 'topup'), 0)::bigint AS topped_up,
       COALESCE(sum(-amount_cents) FILTER (WHERE kind = 'reserve' AND NOT EXISTS (
         SELECT 1 FROM credit_ledger s WHERE s.settles = credit_ledger.idempotency_key)), 0)::bigint AS pending
     FROM credit_ledger WHERE team_id = $1`,
    [teamId],
  );
  return totals.rows[0] ?? { charged: 0, refunded: 0, topped_up: 0, pending: 0 };
}

/** A usage row: a charge (reservation) or a refund, with how the charge was settled, if it was. */
export interface UsageRow {
  id: number;
  kind: 'reserve' | 'refund';
  amount_cents: number;
  operation: string;
  resource_type: string | null;
  resource_id: string | null;
  description: string | null;
  settled_by: 'capture' | 'refund' | null;
  created_at: Date;
}

export interface UsageFilters {
  /** inclusive bounds on when the entry was written */
  startDate?: Date;
  endDate?: Date;
  resourceId?: string;
  resourceType?: string;
}

/** The WHERE of a team's charges and refunds (top-ups are not usage), shared by the page and the download. */
function usageMatching(teamId: string, filters: UsageFilters): { where: string; params: unknown[] } {
  const where = [`l.team_id = $1`, `l.kind IN ('reserve', 'refund')`];
  const params: unknown[] = [teamId];
  const add = (sql: string, value: unknown): void => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filters.startDate) add('l.created_at >= ?', filters.startDate);
  if (filters.endDate) add('l.created_at <= ?', filters.endDate);
  if (filters.resourceId) add('l.resource_id = ?', filters.resourceId);
  if (filters.resourceType) add('l.resource_type = ?', filters.resourceType);
  return { where: where.join(' AND '), params };
}

/** The usage rows matching `where`, newest first, each with how its reservation was settled. */
const usageSelect = (where: string): string =>
  `SELECT l.id, l.kind, l.amount_cents, l.operation, l.resource_type, l.resource_id, l.description, l.created_at,
          (SELECT s.kind::text FROM credit_ledger s WHERE s.settles = l.idempotency_key) AS settled_by
     FROM credit_ledger l WHERE ${where}
    ORDER BY l.created_at DESC, l.id DESC`;

/**
 * One page of the team's charges and refunds (top-ups are not usage), newest first, and how many there are in all.
 * `page` counts from 1.
 */
export async function listUsage(
  db: Queryable,
  teamId: string,
  filters: UsageFilters,
  page: { page: number; limit: number },
): Promise<{ rows: UsageRow[]; total: number }> {
  const { where, params } = usageMatching(teamId, filters);
  const total = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM credit_ledger l WHERE ${where}`, params);
  const rows = await db.query<UsageRow>(
    `${usageSelect(where)} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, page.limit, (page.page - 1) * page.limit],
  );
  return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
}

/** Every charge and refund matching the filters, newest first, streamed (a download). */
export function streamUsage(pool: Pool, teamId: string, filters: UsageFilters): AsyncGenerator<UsageRow> {
  const { where, params } = usageMatching(teamId, filters);
  return streamRows<UsageRow>(pool, usageSelect(where), params);
}

/** Adds prepaid credits once per idempotency key; returns the balance after. */
export async function addCredits(
  db: Queryable,
  teamId: string,
  cents: number,
  idempotencyKey: string,
  description = 'top-up',
): Promise<number> {
  if (!Number.isSafeInteger(cents) || cents <= 0) throw new Error('credits must be a positive whole number of cents');
  await db.query(
    `INSERT INTO credit_ledger (team_id, kind, amount_cents, idempotency_key, operation, description)
     VALUES ($1, 'topup', $2, $3, 'topup', $4)
     ON CONFLICT ON CONSTRAINT credit_ledger_idempotency_key DO NOTHING`,
    [teamId, cents, idempotencyKey, description],
  );
  return teamBalance(db, teamId);
}
