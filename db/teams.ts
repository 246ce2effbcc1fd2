import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './transaction';

export interface Team {
  id: string;
  name: string;
  balance_cents: number;
  created_at: Date;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new API key: `ct_` and 32 random bytes, base64url. Only its hash is stored. */
export function generateApiKey(): string {
  return `ct_${randomBytes(32).toString('base64url')}`;
}

export async function createTeam(db: Queryable, name: string): Promise<Team> {
  const result = await db.query<Team>('INSERT INTO teams (name) VALUES ($1) RETURNING *', [name]);
  return result.rows[0] as Team;
}

export async function findTeam(db: Queryable, teamId: string): Promise<Team | undefined> {
  const result = await db.query<Team>('SELECT * FROM teams WHERE id = $1', [teamId]);
  return result.rows[0];
}

/** Stores the hash of a fresh key for the team and returns the key itself, the only time it exists in the clear. */
export async function createApiKey(
  db: Queryable,
  teamId: string,
  name = 'default',
): Promise<{ id: string; key: string }> {
  const key = generateApiKey();
  const result = await db.query<{ id: string }>(
    'INSERT INTO api_keys (team_id, key_hash, key_prefix, name) VALUES ($1, $2, $3, $4) RETURNING id',
    [teamId, hashApiKey(key), key.slice(0, 10), name],
  );
  return { id: (result.rows[0] as { id: string }).id, key };
}

/** The team an active key belongs to, or undefined for an unknown or revoked key. */
export const teamForApiKey = (db: Queryable, key: string) => teamForKeyHash(db, hashApiKey(key));

/** `teamForApiKey` for a caller that has hashed the key already (the API's key cache is keyed by the hash). */
export async function teamForKeyHash(
  db: Queryable,
  keyHash: string,
): Promise<{ teamId: string; keyId: string } | undefined> {
  const result = await db.query<{ team_id: string; id: string }>(
    'SELECT team_id, id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
    [keyHash],
  );
  const row = result.rows[0];
  return row ? { teamId: row.team_id, keyId: row.id } : undefined;
}

/** Revokes an API key (a second revocation keeps the first time); false when no such key exists. */
export async function revokeApiKey(db: Queryable, keyId: string): Promise<boolean> {
  const result = await db.query(
    'UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING team_id',
    [keyId],
  );
  return result.rowCount === 1;
}

/** Every team, oldest first. */
export async function listTeams(db: Queryable): Promise<Team[]> {
  const result = await db.query<Team>('SELECT id, name, balance_cents, created_at FROM teams ORDER BY created_at');
  return result.rows;
}

/** The oldest team with this name. */
export async function teamNamed(db: Queryable, name: string): Promise<Team | undefined> {
  const result = await db.query<Team>('SELECT * FROM teams WHERE name = $1 ORDER BY created_at LIMIT 1', [name]);
  return result.rows[0];
}
