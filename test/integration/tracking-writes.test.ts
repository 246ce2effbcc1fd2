import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { createPool } from '../../db/pool';
import {
  createTrackingActivities,
  registerTracked,
  reserveCycle,
  stopClosedTracked,
  type SequencedRecord,
} from '../../activities/tracking';
import { testDatabaseUrl } from '../helpers/env';
import { ledgerOf, newTeam } from '../helpers/teams';

/**
 * The read-model writes a tracking workflow makes, against real Postgres: the one writer's sequence keeps a late
 * attempt of an older write from undoing a newer one, and a cycle that has ended takes no reservation afterwards.
 */
describe('tracking writes', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = createPool(testDatabaseUrl(), 5);
  });
  afterAll(async () => {
    await pool.end();
  });

  const record = (sequence: number, over: Partial<SequencedRecord> = {}): SequencedRecord => ({
    status: 'active',
    pauseReason: null,
    cadence: 'daily',
    nextScrapeAt: null,
    consecutiveFailures: 0,
    autoPause: null,
    sequence,
    ...over,
  });

  async function registered(credits: number) {
    const { teamId } = await newTeam(pool, credits);
    const id = randomUUID();
    const ref = { resourceType: 'creator' as const, id, teamId };
    const result = await registerTracked(
      pool,
      {
        ...ref,
        cycle: 1,
        amountCents: 25,
        reservationKey: `creator:${id}:1:reserve`,
        startedAt: new Date().toISOString(),
        record: record(1),
      },
      async (client) => {
        await client.query(
          `INSERT INTO tracked_creators (id, team_id, platform, platform_handle, profile_url, scrape_cadence)
           VALUES ($1, $2, 'tiktok', $3, 'https://www.tiktok.com/@x', 'daily')`,
          [id, teamId, `writes.${id.slice(0, 8)}`],
        );
      },
      { constraint: 'tracked_creators_one_live', find: async () => undefined },
    );
    expect(result).toEqual({ registered: true });
    return ref;
  }

  const row = async (id: string) =>
    (
      await pool.query<{
        status: string;
        scrape_cadence: string;
        state_version: number;
        deleted_at: Date | null;
        cycle_in_progress: number | null;
      }>(
        'SELECT status, scrape_cadence, state_version, deleted_at, cycle_in_progress FROM tracked_creators WHERE id = $1',
        [id],
      )
    ).rows[0];

  /** cycle 2's reservation of 25 for `ref`, as its metrics step asks for it */
  const reserveSecondCycle = (ref: Awaited<ReturnType<typeof registered>>, reservationKey: string) =>
    reserveCycle(pool, { ...ref, cycle: 2, amountCents: 25, reservationKey, startedAt: new Date().toISOString() });

  it('keeps the newest write when an older one commits late', async () => {
    const ref = await registered(100);
    const { saveTrackingState } = createTrackingActivities(pool);
    await saveTrackingState({ ...ref, record: record(3, { status: 'stopped', cadence: 'weekly' }) });
    await saveTrackingState({ ...ref, record: record(2, { status: 'paused', pauseReason: 'manual' }) });
    expect(await row(ref.id)).toMatchObject({ status: 'stopped', scrape_cadence: 'weekly', state_version: 3 });
    expect((await row(ref.id))?.deleted_at).not.toBeNull();
    // the same write again (a retried attempt) still applies
    await saveTrackingState({ ...ref, record: record(3, { status: 'stopped', cadence: 'monthly' }) });
    expect(await row(ref.id)).toMatchObject({ scrape_cadence: 'monthly', state_version: 3 });
  });

  it('reserves nothing for a cycle that has already failed, so a late metrics attempt cannot hold credits', async () => {
    const ref = await registered(100);
    const { failCycle } = createTrackingActivities(pool);
    const keys = { reservationKey: `creator:${ref.id}:2:reserve`, refundKey: `creator:${ref.id}:2:refund` };
    // cycle 2's metrics step never reserved in time; the workflow failed the cycle (refunding nothing)
    await failCycle({
      ...ref,
      ...keys,
      cycle: 2,
      startedAt: new Date().toISOString(),
      failure: { kind: 'timeout', message: 'heartbeat timeout' },
      record: record(2, { consecutiveFailures: 1 }),
    });
    // ... and then the cut-off attempt reaches the database
    await expect(reserveSecondCycle(ref, keys.reservationKey)).rejects.toThrow('cycle 2 has already ended');
    const { entries, balance } = await ledgerOf(pool, ref.teamId);
    expect(entries.filter((e) => e.idempotency_key === keys.reservationKey)).toHaveLength(0);
    expect(balance).toBe(75); // only the first cycle's reservation, still held
  });

  it('reserves nothing on a row the reconciler stopped, so a step outliving its terminated workflow holds no credits', async () => {
    const ref = await registered(100);
    // the workflow was terminated mid-cycle 1: the reconciler refunds that cycle and stops the row
    expect(await stopClosedTracked(pool, { resourceType: 'creator', id: ref.id }, 'terminated')).toBe(true);
    const before = await ledgerOf(pool, ref.teamId);
    expect(before.balance).toBe(100);
    // ... and then an attempt of cycle 2's metrics step (already dispatched, or a retry) reaches the database
    const keys = { reservationKey: `creator:${ref.id}:2:reserve`, refundKey: `creator:${ref.id}:2:refund` };
    await expect(reserveSecondCycle(ref, keys.reservationKey)).rejects.toMatchObject({
      type: 'tracking_stopped',
      nonRetryable: true,
    });
    expect(await row(ref.id)).toMatchObject({ status: 'stopped', cycle_in_progress: null });
    expect(await ledgerOf(pool, ref.teamId)).toEqual(before);
    // a run still alive (a reset) fails that cycle: its refund finds no reservation and writes nothing
    await createTrackingActivities(pool).failCycle({
      ...ref,
      ...keys,
      cycle: 2,
      startedAt: new Date().toISOString(),
      failure: { kind: 'error', message: 'tracking has stopped' },
      record: record(3, { consecutiveFailures: 1 }),
    });
    expect(await ledgerOf(pool, ref.teamId)).toEqual(before);
    expect(await row(ref.id)).toMatchObject({ status: 'stopped', cycle_in_progress: null });
  });

  it('reserves a cycle once however often its metrics step is retried', async () => {
    const ref = await registered(100);
    const input = {
      ...ref,
      cycle: 2,
      amountCents: 25,
      reservationKey: `creator:${ref.id}:2:reserve`,
      startedAt: new Date().toISOString(),
    };
    expect(await reserveCycle(pool, input)).toEqual({ reserved: true });
    expect(await reserveCycle(pool, input)).toEqual({ reserved: true });
    expect((await ledgerOf(pool, ref.teamId)).balance).toBe(50);
  });
});
