import type { Pool } from 'pg';
import { capture, IdempotencyConflictError, InsufficientCreditsError, refund, reserve } from '../../db/ledger';
import { createPool } from '../../db/pool';
import { testDatabaseUrl } from '../helpers/env';
import { ledgerOf, newTeam } from '../helpers/teams';

describe('credit ledger against real Postgres', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = createPool(testDatabaseUrl(), 20);
  });
  afterAll(async () => {
    await pool.end();
  });

  const reservation = (teamId: string, key: string, amountCents = 25) => ({
    teamId,
    amountCents,
    idempotencyKey: key,
    operation: 'tracking_cycle',
    resourceType: 'creator',
  });

  it('reserves once per idempotency key, whether retried in sequence or raced concurrently', async () => {
    const { teamId } = await newTeam(pool, 1000);
    const first = await reserve(pool, reservation(teamId, `${teamId}:1:reserve`));
    const again = await reserve(pool, reservation(teamId, `${teamId}:1:reserve`));
    expect(again.id).toBe(first.id);
    const raced = await Promise.all(
      Array.from({ length: 10 }, () => reserve(pool, reservation(teamId, `${teamId}:2:reserve`))),
    );
    expect(new Set(raced.map((e) => e.id)).size).toBe(1);
    const { entries, balance } = await ledgerOf(pool, teamId);
    expect(entries.filter((e) => e.kind === 'reserve')).toHaveLength(2);
    expect(balance).toBe(1000 - 50);
  });

  it('refuses a reservation the balance cannot pay and leaves no row', async () => {
    const { teamId } = await newTeam(pool, 20);
    await expect(reserve(pool, reservation(teamId, `${teamId}:1:reserve`))).rejects.toBeInstanceOf(
      InsufficientCreditsError,
    );
    const { entries, balance } = await ledgerOf(pool, teamId);
    expect(entries.map((e) => e.kind)).toEqual(['topup']);
    expect(balance).toBe(20);
  });

  it('never lets concurrent distinct reservations take the balance below zero', async () => {
    const { teamId } = await newTeam(pool, 100);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => reserve(pool, reservation(teamId, `${teamId}:${i}:reserve`))),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(4);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(InsufficientCreditsError);
    expect((await ledgerOf(pool, teamId)).balance).toBe(0);
  });

  it('captures and refunds each reservation at most once, even when raced', async () => {
    const { teamId } = await newTeam(pool, 100);
    const a = `${teamId}:1:reserve`;
    const b = `${teamId}:2:reserve`;
    await reserve(pool, reservation(teamId, a));
    await reserve(pool, reservation(teamId, b));

    const captures = await Promise.all(Array.from({ length: 5 }, () => capture(pool, a, `${teamId}:1:capture`)));
    expect(captures.filter((c) => c.settled === 'now')).toHaveLength(1);
    const refunds = await Promise.all(Array.from({ length: 5 }, () => refund(pool, b, `${teamId}:2:refund`)));
    expect(refunds.filter((r) => r.settled === 'now')).toHaveLength(1);

    await expect(refund(pool, a, `${teamId}:1:refund`)).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(capture(pool, b, `${teamId}:2:capture`)).rejects.toBeInstanceOf(IdempotencyConflictError);

    const { entries, balance } = await ledgerOf(pool, teamId);
    expect(entries.map((e) => [e.kind, e.amount_cents])).toEqual([
      ['topup', 100],
      ['reserve', -25],
      ['reserve', -25],
      ['capture', 0],
      ['refund', 25],
    ]);
    expect(balance).toBe(75);
  });

  it('settles nothing when the reservation never happened, so compensation can always run', async () => {
    const { teamId } = await newTeam(pool, 100);
    expect(await refund(pool, `${teamId}:9:reserve`, `${teamId}:9:refund`)).toEqual({
      entry: undefined,
      settled: 'nothing',
    });
    expect((await ledgerOf(pool, teamId)).entries).toHaveLength(1);
  });

  it('is append-only and the balance constraint holds even for hand-written SQL', async () => {
    const { teamId } = await newTeam(pool, 100);
    await expect(pool.query('UPDATE credit_ledger SET amount_cents = 1 WHERE team_id = $1', [teamId])).rejects.toThrow(
      /append-only/,
    );
    await expect(pool.query('DELETE FROM credit_ledger WHERE team_id = $1', [teamId])).rejects.toThrow(/append-only/);
    await expect(pool.query('UPDATE teams SET balance_cents = -1 WHERE id = $1', [teamId])).rejects.toThrow(
      /balance_never_negative/,
    );
  });
});
