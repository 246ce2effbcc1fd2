import type { Pool } from 'pg';
import { z } from 'zod';
import { ledgerTotals, listUsage, streamUsage, type UsageFilters, type UsageRow } from '../db/ledger';
import { findTeam } from '../db/teams';
import { auth } from './auth';
import { mapped } from './download';
import { ApiError } from './errors';
import { dataOf, pageOf, route, type Route } from './route';
import { refuseInvertedRange } from './tracking';
import { dateRange, pageQuery, pagination, uuidString } from './validation';

export const usageQuery = pageQuery(100, 50).extend({
  ...dateRange,
  resource_id: uuidString.optional(),
  resource_type: z.enum(['creator', 'video']).optional(),
});

/** The ledger filters of a usage query, shared by the page and the download. */
const usageFilters = (query: z.output<typeof usageQuery>): UsageFilters => ({
  startDate: query.start_date,
  endDate: query.end_date,
  resourceId: query.resource_id,
  resourceType: query.resource_type,
});

const credits = z.number().int().describe('credits, in cents');

export const accountSchema = z
  .object({
    team: z.object({ id: z.uuid(), name: z.string(), created_at: z.iso.datetime() }),
    credit_unit: z.literal('cent'),
    balance: credits,
    usage: z.object({
      charged: credits.describe('every reservation ever made'),
      refunded: credits,
      net: credits.describe('charged − refunded'),
      pending: credits.describe('reserved and not yet captured or refunded'),
    }),
    topped_up: credits,
    limits: z.object({ rate_per_min: z.number().int() }),
  })
  .meta({ id: 'Account' });

export const usageItemSchema = z
  .object({
    id: z.string(),
    type: z.enum(['charge', 'refund']),
    operation: z.string(),
    cost: z.number().int().describe('credits in cents: positive for a charge, negative for a refund'),
    status: z.enum(['captured', 'refunded', 'pending']),
    resource_type: z.string().nullable(),
    resource_id: z.string().nullable(),
    description: z.string().nullable(),
    created_at: z.iso.datetime(),
  })
  .meta({ id: 'UsageItem' });

function chargeStatus(settledBy: UsageRow['settled_by']): 'captured' | 'refunded' | 'pending' {
  if (settledBy === 'capture') return 'captured';
  return settledBy === 'refund' ? 'refunded' : 'pending';
}

const usageItem = (row: UsageRow): z.output<typeof usageItemSchema> => ({
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
});

const EXAMPLE_TEAM = '0b6f3a52-3f6e-4d0b-9a51-2f3c1d7e8a90';
const EXAMPLE_CREATOR = '7c1e2d4a-5b6f-4a8e-9c0d-1e2f3a4b5c6d';

/**
 * Usage is every charge (a reservation, shown with the credits it took) and every refund (a negative-cost row).
 * Top-ups are balance movements, not usage: `GET /v1/account` totals them.
 */
export function accountRoutes(pool: Pool, rateLimitPerMinute: number): Route[] {
  return [
    route({
      method: 'get',
      path: '/v1/account',
      operationId: 'getAccount',
      tag: 'Account',
      summary: 'Balance, usage totals and limits of the key’s team',
      responses: {
        200: {
          description: 'The team’s account',
          schema: dataOf(accountSchema),
          example: {
            data: {
              team: { id: EXAMPLE_TEAM, name: 'Acme research', created_at: '2026-11-02T09:00:00.000Z' },
              credit_unit: 'cent',
              balance: 9_150,
              usage: { charged: 900, refunded: 50, net: 850, pending: 25 },
              topped_up: 10_000,
              limits: { rate_per_min: 300 },
            },
          },
        },
      },
      handler: async ({ res }) => {
        const { teamId } = auth(res);
        const team = await findTeam(pool, teamId);
        if (!team) throw new ApiError(401, 'unauthorized', 'Invalid or revoked API key');
        const t = await ledgerTotals(pool, teamId);
        return {
          status: 200,
          body: {
            data: {
              team: { id: team.id, name: team.name, created_at: team.created_at.toISOString() },
              credit_unit: 'cent',
              balance: team.balance_cents,
              usage: { charged: t.charged, refunded: t.refunded, net: t.charged - t.refunded, pending: t.pending },
              topped_up: t.topped_up,
              limits: { rate_per_min: rateLimitPerMinute },
            },
          },
        };
      },
    }),
    route({
      method: 'get',
      path: '/v1/usage',
      operationId: 'listUsage',
      tag: 'Account',
      summary: 'Charges and refunds, newest first',
      request: { query: usageQuery },
      responses: {
        200: {
          description: 'A page of ledger movements with `pagination`',
          schema: pageOf(usageItemSchema),
          example: {
            data: [
              {
                id: '412',
                type: 'charge',
                operation: 'tracking_cycle',
                cost: 25,
                status: 'captured',
                resource_type: 'creator',
                resource_id: EXAMPLE_CREATOR,
                description: 'creator tracking cycle 3',
                created_at: '2026-11-30T12:00:00.000Z',
              },
            ],
            pagination: { page: 1, limit: 50, total: 1, total_pages: 1, has_next_page: false, has_prev_page: false },
          },
        },
      },
      handler: async ({ query, res }) => {
        const { teamId } = auth(res);
        refuseInvertedRange(query);
        const { rows, total } = await listUsage(pool, teamId, usageFilters(query), query);
        return {
          status: 200,
          body: { data: rows.map(usageItem), pagination: pagination(query.page, query.limit, total) },
        };
      },
      download: {
        item: usageItemSchema,
        filename: () => 'usage',
        rows: async ({ query, res }) => {
          refuseInvertedRange(query);
          return mapped(streamUsage(pool, auth(res).teamId, usageFilters(query)), usageItem);
        },
      },
    }),
  ];
}
