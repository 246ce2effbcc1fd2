import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { findTeam } from '../db/teams';
import { auth } from './auth';
import { ApiError } from './errors';
import { isoDate, pageQuery, pagination, parsePart } from './validation';

export const usageQuery = pageQuery(100, 50).extend({
  start_date: isoDate.optional(),
  end_date: isoDate.optional(),
  resource_id: z.uuid({ error: 'must be a UUID' }).optional(),
  resource_type: z.enum(['creator', 'video']).optional(),
});

interface UsageRow {
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

function chargeStatus(settledBy: UsageRow['settled_by']): 'captured' | 'refunded' | 'pending' {
  if (settledBy === 'capture') return 'captured';
  return settledBy === 'refund' ? 'refunded' : 'pending';
}

/**
 * Usage is every charge (a reservation, shown with the credits it took) and every refund (a negative-cost row).
 * Top-ups are balance movements, not usage: `GET /v1/account` totals them.
 */
export function accountRouter(pool: Pool, rateLimitPerMinute: number): Router {
  const router = Router();

  router.get('/v1/account', async (_req, res) => {
    const { teamId } = auth(res);
    const team = await findTeam(pool, teamId);
    if (!team) throw new ApiError(401, 'unauthorized', 'Invalid or revoked API key');
    const totals = await pool.query<{ charged: number; refunded: number; topped_up: number; pending: number }>(
      `SELECT
         COALESCE(sum(-amount_cents) FILTER (WHERE kind = 'reserve'), 0)::bigint AS charged,
         COALESCE(sum(amount_cents) FILTER (WHERE kind = 'refund'), 0)::bigint AS refunded,
         COALESCE(sum(amount_cents) FILTER (WHERE kind = 'topup'), 0)::bigint AS topped_up,
         COALESCE(sum(-amount_cents) FILTER (WHERE kind = 'reserve' AND NOT EXISTS (
           SELECT 1 FROM credit_ledger s WHERE s.settles = credit_ledger.idempotency_key)), 0)::bigint AS pending
       FROM credit_ledger WHERE team_id = $1`,
      [teamId],
    );
    const t = totals.rows[0] ?? { charged: 0, refunded: 0, topped_up: 0, pending: 0 };
    res.json({
      data: {
        team: { id: team.id, name: team.name, created_at: team.created_at.toISOString() },
        credit_unit: 'cent',
        balance: team.balance_cents,
        usage: {
          charged: t.charged,
          refunded: t.refunded,
          net: t.charged - t.refunded,
          pending: t.pending,
        },
        topped_up: t.topped_up,
        limits: { rate_per_min: rateLimitPerMinute },
      },
    });
  });

  router.get('/v1/usage', async (req, res) => {
    const { teamId } = auth(res);
    const query = parsePart('query', usageQuery, req.query);
    const where = [`l.team_id = $1`, `l.kind IN ('reserve', 'refund')`];
    const params: unknown[] = [teamId];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.start_date) add('l.created_at >= ?', query.start_date);
    if (query.end_date) add('l.created_at <= ?', query.end_date);
    if (query.resource_id) add('l.resource_id = ?', query.resource_id);
    if (query.resource_type) add('l.resource_type = ?', query.resource_type);
    const total = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM credit_ledger l WHERE ${where.join(' AND ')}`,
      params,
    );
    const rows = await pool.query<UsageRow>(
      `SELECT l.id, l.kind, l.amount_cents, l.operation, l.resource_type, l.resource_id, l.description, l.created_at,
              (SELECT s.kind::text FROM credit_ledger s WHERE s.settles = l.idempotency_key) AS settled_by
         FROM credit_ledger l WHERE ${where.join(' AND ')}
        ORDER BY l.created_at DESC, l.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, (query.page - 1) * query.limit],
    );
    res.json({
      data: rows.rows.map((row) => ({
        id: String(row.id),
        type: row.kind === 'reserve' ? 'charge' : 'refund',
        operation: row.operation,
        // credits in cents: a charge took them from the balance (positive cost), a refund gave them back (negative)
        cost: -row.amount_cents,
        status: row.kind === 'refund' ? 'refunded' : chargeStatus(row.settled_by),
        resource_type: row.resource_type,
        resource_id: row.resource_id,
        description: row.description,
        created_at: row.created_at.toISOString(),
      })),
      pagination: pagination(query.page, query.limit, total.rows[0]?.n ?? 0),
    });
  });

  return router;
}
