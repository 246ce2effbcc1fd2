import type { Pool } from 'pg';
import { randomUUID } from 'node:crypto';
import { createApiKey, createTeam } from '../../db/teams';
import { addCredits } from '../../db/ledger';
import { apiClient } from './http';
import type { Stack } from './stack';

/** A fresh team with `credits` cents and an API key, so suites sharing one database never see each other. */
export async function newTeam(pool: Pool, credits: number): Promise<{ teamId: string; key: string; keyId: string }> {
  const team = await createTeam(pool, `test team ${randomUUID().slice(0, 8)}`);
  if (credits > 0) await addCredits(pool, team.id, credits, `test:${team.id}:initial`);
  const { id, key } = await createApiKey(pool, team.id, 'test');
  return { teamId: team.id, key, keyId: id };
}

/** A fresh team (`newTeam`) with a client for the stack's API that sends its key. */
export async function teamClient(stack: Pick<Stack, 'pool' | 'baseUrl'>, credits = 10_000) {
  const team = await newTeam(stack.pool, credits);
  return { ...team, api: apiClient(stack.baseUrl, team.key) };
}

export async function ledgerOf(pool: Pool, teamId: string) {
  const rows = await pool.query<{
    kind: string;
    amount_cents: number;
    idempotency_key: string;
    settles: string | null;
  }>('SELECT kind, amount_cents, idempotency_key, settles FROM credit_ledger WHERE team_id = $1 ORDER BY id', [teamId]);
  const balance = await pool.query<{ balance_cents: number }>('SELECT balance_cents FROM teams WHERE id = $1', [
    teamId,
  ]);
  return { entries: rows.rows, balance: balance.rows[0]?.balance_cents };
}
