import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { ledgerTotals, listUsage, type UsageRow } from '../db/ledger';
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
    const t = await ledgerTotals(pool, teamId);
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
    const { rows, total } = await listUsage(
      pool,
      teamId,
      {
        startDate: query.start_date,
        endDate: query.end_date,
        resourceId: query.resource_id,
        resourceType: query.resource_type,
      },
      query,
    );
    res.json({
      data: rows.map((row) => ({
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
      pagination: pagination(query.page, query.limit, total),
    });
  });

  return router;
}
