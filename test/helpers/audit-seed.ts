import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { recordEvent } from '../../db/events';
import { capture, refund, reserve } from '../../db/ledger';
import { inTransaction } from '../../db/transaction';

const CYCLE_COST = 25;

/**
 * Writes a tracked creator's rows by hand, the way the cycle activities would, so the audit suite can then break
 * exactly one of them. Returns the creator id and its workflow id (the ledger keys' prefix).
 */
export async function seedCreator(pool: Pool, teamId: string, status = 'active') {
  const id = randomUUID();
  await pool.query(
    `INSERT INTO tracked_creators (id, team_id, platform, platform_handle, scrape_cadence, status, updated_at)
     VALUES ($1, $2, 'tiktok', $3, 'daily', $4, now() - interval '5 minutes')`,
    [id, teamId, `audit-${id.slice(0, 8)}`, status],
  );
  return { id, workflowId: `creator:${id}` };
}

export type CycleParts = { snapshot?: boolean; event?: boolean; cycleRow?: boolean; counter?: boolean };

/** A cycle's reservation under the key the workflow would use; returns that key. */
async function reserveCycle(
  client: PoolClient,
  teamId: string,
  creator: { id: string; workflowId: string },
  cycle: number,
): Promise<string> {
  const key = `${creator.workflowId}:${cycle}:reserve`;
  await reserve(client, {
    teamId,
    amountCents: CYCLE_COST,
    idempotencyKey: key,
    operation: 'tracking_cycle',
    resourceType: 'creator',
    resourceId: creator.id,
  });
  return key;
}

/** A completed cycle: reservation, capture, `tracking_cycles`, snapshot, event and counter, each one omittable. */
export async function completedCycle(
  pool: Pool,
  teamId: string,
  creator: { id: string; workflowId: string },
  cycle: number,
  parts: CycleParts = {},
): Promise<void> {
  const { snapshot = true, event = true, cycleRow = true, counter = true } = parts;
  await inTransaction(pool, async (client) => {
    const key = await reserveCycle(client, teamId, creator, cycle);
    await capture(client, key, `${creator.workflowId}:${cycle}:capture`);
    if (cycleRow) {
      await client.query(
        `INSERT INTO tracking_cycles (resource_type, resource_id, cycle, status, started_at)
         VALUES ('creator', $1, $2, 'completed', now())`,
        [creator.id, cycle],
      );
    }
    if (snapshot) {
      await client.query(
        `INSERT INTO creator_snapshots (tracking_account_id, cycle, followers, snapshot_at) VALUES ($1, $2, 100, now())`,
        [creator.id, cycle],
      );
    }
    if (event) {
      await recordEvent(client, {
        key: `creator:${creator.id}:cycle:${cycle}:completed`,
        teamId,
        type: 'tracking.cycle.completed',
        resourceType: 'creator',
        resourceId: creator.id,
        data: { resource_type: 'creator', cycle },
      });
    }
    if (counter) {
      await client.query('UPDATE tracked_creators SET cycles_completed = cycles_completed + 1 WHERE id = $1', [
        creator.id,
      ]);
    }
  });
}

/** A failed cycle: reservation, refund, its `tracking_cycles` row and counter. */
export async function failedCycle(
  pool: Pool,
  teamId: string,
  creator: { id: string; workflowId: string },
  cycle: number,
): Promise<void> {
  await inTransaction(pool, async (client) => {
    const key = await reserveCycle(client, teamId, creator, cycle);
    await refund(client, key, `${creator.workflowId}:${cycle}:refund`);
    await client.query(
      `INSERT INTO tracking_cycles (resource_type, resource_id, cycle, status, failure_kind, started_at)
       VALUES ('creator', $1, $2, 'failed', 'unavailable', now())`,
      [creator.id, cycle],
    );
    await client.query('UPDATE tracked_creators SET cycles_failed = cycles_failed + 1 WHERE id = $1', [creator.id]);
  });
}

/** A reservation written straight into the ledger, `ageMinutes` old (the ledger takes an explicit created_at). */
export async function rawReservation(
  pool: Pool,
  teamId: string,
  key: string,
  resourceId: string,
  ageMinutes = 0,
): Promise<void> {
  await pool.query(
    `INSERT INTO credit_ledger (team_id, kind, amount_cents, idempotency_key, operation, resource_type, resource_id,
                                created_at)
     VALUES ($1, 'reserve', -${CYCLE_COST}, $2, 'tracking_cycle', 'creator', $3, now() - make_interval(mins => $4))`,
    [teamId, key, resourceId, ageMinutes],
  );
}
