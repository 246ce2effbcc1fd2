import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { recordEvent } from '../../db/events';
import { createPool } from '../../db/pool';
import { inTransaction } from '../../db/transaction';
import { claimQueuedEvents, releaseQueuedEvents } from '../../db/webhooks';
import { testDatabaseUrl } from '../helpers/env';
import { newTeam } from '../helpers/teams';

/** The relay's claim on queued events, as several relays sharing one queue see it. */
describe('outbox queue leases', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = createPool(testDatabaseUrl(), 2);
  });
  afterAll(() => pool.end());

  async function queuedEvents(n: number): Promise<string> {
    const { teamId } = await newTeam(pool, 0);
    await inTransaction(pool, async (client) => {
      for (let i = 0; i < n; i++) {
        await recordEvent(client, {
          key: `lease-test:${randomUUID()}`,
          teamId,
          type: 'tracking.cycle.completed',
          resourceType: 'creator',
          resourceId: randomUUID(),
          data: {},
        });
      }
    });
    return teamId;
  }

  it('hides claimed events from other relays until the lease runs out or the claim gives them back', async () => {
    const teamId = await queuedEvents(3);
    const first = await claimQueuedEvents(pool, 10, 60_000, [teamId]);
    expect(first).toHaveLength(3);
    expect(await claimQueuedEvents(pool, 10, 60_000, [teamId])).toEqual([]);
    await releaseQueuedEvents(
      pool,
      first.map((e) => e.id),
      first[0]!.claimed_until,
    );
    expect(await claimQueuedEvents(pool, 10, 60_000, [teamId])).toHaveLength(3);
  });

  it('lets a relay whose lease ran out give back nothing another relay has claimed since', async () => {
    const teamId = await queuedEvents(2);
    // relay A's lease is already over when it fails; relay B takes the events over
    const stale = await claimQueuedEvents(pool, 10, -1_000, [teamId]);
    const taken = await claimQueuedEvents(pool, 10, 60_000, [teamId]);
    expect(taken.map((e) => e.id).sort()).toEqual(stale.map((e) => e.id).sort());
    await releaseQueuedEvents(
      pool,
      stale.map((e) => e.id),
      stale[0]!.claimed_until,
    );
    // B still holds them: nobody else can claim them
    expect(await claimQueuedEvents(pool, 10, 60_000, [teamId])).toEqual([]);
  });
});
