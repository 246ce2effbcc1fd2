import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import {
  auditLedger,
  badSettlements,
  balanceMismatches,
  cycleDisagreements,
  DEFAULT_GRACE_MINUTES,
  jobDisagreements,
  satelliteDisagreements,
  unsettledReservations,
  type Finding,
} from '../../db/audit';
import { connectForAudit, workflowDisagreements } from '../../db/audit-workflows';
import { createSatelliteActivities } from '../../activities/satellite';
import { refund, reserve } from '../../db/ledger';
import { finishSatelliteJob } from '../../db/satellite';
import { heuristicSoundTrendGenerator } from '../../domain/sound-trends';
import { SimulatedProvider } from '../../providers/simulated';
import { surchargeKeys } from '../../workflows/satellite';
import { createPool } from '../../db/pool';
import { inTransaction } from '../../db/transaction';
import { projectRoot } from '../../scripts/temporal-tools';
import { completedCycle, failedCycle, rawReservation, seedCreator } from '../helpers/audit-seed';
import { requireEnv, testDatabaseUrl } from '../helpers/env';
import { newTeam } from '../helpers/teams';

const details = (findings: Finding[]) => findings.map((f) => f.detail);

describe('ledger audit', () => {
  let pool: Pool;
  let temporal: Client;
  beforeAll(async () => {
    pool = createPool(testDatabaseUrl(), 5);
    const client = await connectForAudit({ address: requireEnv('TEMPORAL_ADDRESS') });
    if (!client) throw new Error('the shared Temporal server does not answer');
    temporal = client;
  });
  afterAll(async () => {
    await temporal.connection.close();
    await pool.end();
  });

  /** A team whose creator completed a cycle and failed one: the shape a healthy team has. */
  async function healthyTeam() {
    const { teamId } = await newTeam(pool, 1000);
    const creator = await seedCreator(pool, teamId, 'stopped');
    await completedCycle(pool, teamId, creator, 1);
    await failedCycle(pool, teamId, creator, 2);
    return { teamId, creator };
  }

  it('is clean on a healthy team, a running cycle included, in Postgres and in Temporal', async () => {
    const { teamId } = await healthyTeam();
    const running = await seedCreator(pool, teamId, 'stopped');
    await inTransaction(pool, async (client) => {
      await reserve(client, {
        teamId,
        amountCents: 25,
        idempotencyKey: `${running.workflowId}:1:reserve`,
        operation: 'tracking_cycle',
        resourceType: 'creator',
        resourceId: running.id,
      });
      await client.query('UPDATE tracked_creators SET cycle_in_progress = 1 WHERE id = $1', [running.id]);
    });
    expect(await auditLedger(pool, { teamIds: [teamId] })).toEqual([]);
    expect(await workflowDisagreements(pool, temporal, { teamIds: [teamId] })).toEqual([]);
  });

  it('is clean on an audience refresh that completed on profile_only and was refunded, as documented', async () => {
    const { teamId, creator } = await healthyTeam();
    const jobId = randomUUID();
    const key = `audience:${jobId}:reserve`;
    await inTransaction(pool, async (client) => {
      await client.query(
        `INSERT INTO paid_jobs (id, kind, team_id, tracking_account_id, status, credits_reserved, credits_used)
         VALUES ($1, 'audience_refresh', $2, $3, 'completed', 50, 0)`,
        [jobId, teamId, creator.id],
      );
      await reserve(client, {
        teamId,
        amountCents: 50,
        idempotencyKey: key,
        operation: 'audience_refresh',
        resourceType: 'creator',
        resourceId: creator.id,
      });
      await refund(client, key, `audience:${jobId}:refund`);
    });
    expect(await auditLedger(pool, { teamIds: [teamId] })).toEqual([]);
    // the same refund on a collection that says it completed is a disagreement
    await pool.query(`UPDATE paid_jobs SET kind = 'post_collection', depth = 'standard' WHERE id = $1`, [jobId]);
    expect((await auditLedger(pool, { teamIds: [teamId] })).map((f) => f.check)).toContain('job_disagreement');
  });

  it('finds a reservation left unsettled after its cycle ended, or past the grace period', async () => {
    const { teamId, creator } = await healthyTeam();
    // cycle 3 was reserved but the read model says nothing is running
    await rawReservation(pool, teamId, `${creator.workflowId}:3:reserve`, creator.id);
    // a reservation no cycle or job names, old enough to be stuck
    await rawReservation(pool, teamId, `manual:${randomUUID()}`, creator.id, DEFAULT_GRACE_MINUTES + 5);
    const findings = await unsettledReservations(pool, { teamIds: [teamId] });
    expect(findings.map((f) => f.check)).toEqual(['unsettled_reservation', 'unsettled_reservation']);
    expect(details(findings)).toEqual([
      expect.stringContaining('is not running cycle 3'),
      expect.stringContaining('older than the grace period'),
    ]);
  });

  it('finds a reservation settled twice, a refund of the wrong amount and a settled top-up', async () => {
    const { teamId, creator } = await healthyTeam();
    const key = `${creator.workflowId}:1:reserve`;
    // the unique index forbids a second settlement: drop it inside a transaction that is rolled back, so the check
    // sees the double settlement and no other suite ever does
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL lock_timeout = 5000');
      await client.query('DROP INDEX credit_ledger_one_settlement');
      await client.query(
        `INSERT INTO credit_ledger (team_id, kind, amount_cents, idempotency_key, settles, operation)
         VALUES ($1, 'refund', 3, $2, $3, 'tracking_cycle')`,
        [teamId, `${creator.workflowId}:1:refund`, key],
      );
      const topup = await client.query<{ idempotency_key: string }>(
        `SELECT idempotency_key FROM credit_ledger WHERE team_id = $1 AND kind = 'topup'`,
        [teamId],
      );
      await client.query(
        `INSERT INTO credit_ledger (team_id, kind, amount_cents, idempotency_key, settles, operation)
         VALUES ($1, 'capture', 0, $2, $3, 'top-up')`,
        [teamId, `capture-topup:${randomUUID()}`, topup.rows[0]?.idempotency_key],
      );
      const findings = await badSettlements(client, { teamIds: [teamId] });
      expect(findings.map((f) => f.check)).toEqual(['bad_settlement', 'bad_settlement', 'bad_settlement']);
      expect(details(findings)).toEqual(
        expect.arrayContaining([
          'settled 2 times: capture, refund',
          expect.stringMatching(/settles a topup$/),
          expect.stringMatching(/returns 3, reserved 25$/),
        ]),
      );
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('finds a balance that is not the sum of its ledger', async () => {
    const { teamId } = await healthyTeam();
    expect(await balanceMismatches(pool, { teamIds: [teamId] })).toEqual([]);
    await pool.query('UPDATE teams SET balance_cents = balance_cents + 7 WHERE id = $1', [teamId]);
    const findings = await balanceMismatches(pool, { teamIds: [teamId] });
    expect(details(findings)).toEqual(['balance 982 but the ledger sums to 975']);
  });

  it('finds cycles whose capture, snapshot, event, record and counters disagree', async () => {
    const { teamId, creator } = await healthyTeam();
    await completedCycle(pool, teamId, creator, 3, { snapshot: false });
    await completedCycle(pool, teamId, creator, 4, { event: false });
    await completedCycle(pool, teamId, creator, 5, { cycleRow: false, counter: false });
    await completedCycle(pool, teamId, creator, 6, { counter: false });
    // a snapshot no capture paid for
    await pool.query(
      `INSERT INTO creator_snapshots (tracking_account_id, cycle, followers, snapshot_at) VALUES ($1, 7, 1, now())`,
      [creator.id],
    );
    // the read model says a cycle runs that nothing reserved
    await pool.query('UPDATE tracked_creators SET cycle_in_progress = 8 WHERE id = $1', [creator.id]);
    const findings = await cycleDisagreements(pool, { teamIds: [teamId] });
    expect(findings.every((f) => f.subject === `creator ${creator.id}`)).toBe(true);
    expect(details(findings).sort()).toEqual([
      'cycle 3: captured without a snapshot',
      'cycle 4: captured without its tracking.cycle.completed event',
      'cycle 5: captured but recorded as nothing',
      'cycle 7: a snapshot without a capture',
      'cycles_completed 3 but 4 completed cycles; cycle_in_progress 8 has no open reservation',
    ]);
  });

  it('finds a paid job whose status disagrees with its ledger', async () => {
    const { teamId, creator } = await healthyTeam();
    const jobId = randomUUID();
    await pool.query(
      `INSERT INTO paid_jobs (id, kind, team_id, tracking_account_id, status, depth, credits_reserved, credits_used)
       VALUES ($1, 'post_collection', $2, $3, 'completed', 'standard', 50, 50)`,
      [jobId, teamId, creator.id],
    );
    const findings = await jobDisagreements(pool, { teamIds: [teamId] });
    expect(findings).toEqual([
      { check: 'job_disagreement', teamId, subject: `job ${jobId}`, detail: 'completed but never reserved' },
    ]);
  });

  describe('satellite jobs', () => {
    const steps = () =>
      createSatelliteActivities({ pool, provider: new SimulatedProvider(), trends: heuristicSoundTrendGenerator });

    /** A sound lookup with trend analysis, reserved as the saga reserves it: base and surcharge. */
    async function reservedLookup(teamId: string) {
      const jobId = randomUUID();
      const workflowId = `satellite:${jobId}`;
      const ref = { jobId, teamId, type: 'sound_lookup' as const, platform: 'tiktok' as const };
      const keys = {
        reservationKey: `${workflowId}:reserve`,
        captureKey: `${workflowId}:capture`,
        refundKey: `${workflowId}:refund`,
      };
      const surcharge = surchargeKeys(workflowId);
      const request = {
        submitted: '7570679470014530001',
        musicId: '7570679470014530001',
        trendAnalysis: true,
        maxVideos: 50,
      };
      const reservation = await steps().reserveSatelliteJob({
        ...ref,
        request,
        amountCents: 50,
        reservationKey: keys.reservationKey,
        surcharge: { amountCents: 50, reservationKey: surcharge.reservationKey },
      });
      expect(reservation).toEqual({ reserved: true });
      return { jobId, ref, keys, surcharge, request, runId: randomUUID() };
    }

    const complete = (
      job: Awaited<ReturnType<typeof reservedLookup>>,
      capture: boolean,
      creditsUsed: number,
      trends: 'insufficient_corpus' | 'ok' = 'insufficient_corpus',
    ) =>
      steps().completeSatelliteJob({
        ...job.ref,
        // the workflow's run id: the same on every attempt
        runId: job.runId,
        request: job.request,
        outcome: {
          type: 'sound_lookup',
          sound: {
            platform: 'tiktok',
            music_id: job.request.musicId,
            title: 't',
            author_name: null,
            owner_handle: null,
            album: null,
            duration_seconds: null,
            is_original: false,
            is_commerce: false,
            cover_url: null,
            play_url: null,
            url: 'https://www.tiktok.com/music/t-1',
            video_count: null,
            created_at: null,
          },
          videoCount: 0,
          pagesFetched: 1,
          truncatedByCap: false,
          dataCapturedAt: new Date().toISOString(),
          trends,
        },
        creditsUsed,
        ...job.keys,
        surcharge: { ...job.surcharge, capture },
      });

    it('is clean on satellite jobs settled by the saga’s steps: completed, surcharge refunded, failed, running', async () => {
      const { teamId } = await newTeam(pool, 1000);
      const done = await reservedLookup(teamId);
      await complete(done, false, 50);
      // a retried completion (its first attempt's answer lost) changes nothing, although its stage is gone
      await complete(done, false, 50, 'ok');
      const runs = await pool.query('SELECT id FROM satellite_runs WHERE team_id = $1', [teamId]);
      expect(runs.rows).toEqual([{ id: done.runId }]);
      const failed = await reservedLookup(teamId);
      await steps().compensateSatelliteJob({
        ...failed.ref,
        ...failed.keys,
        surcharge: failed.surcharge,
        error: 'deleted',
        message: 'gone',
      });
      await reservedLookup(teamId);
      expect(await auditLedger(pool, { teamIds: [teamId] })).toEqual([]);
      const kinds = (
        await pool.query(`SELECT kind, idempotency_key FROM credit_ledger WHERE team_id = $1 ORDER BY id`, [teamId])
      ).rows;
      expect(kinds.filter((k) => k.idempotency_key.startsWith(`satellite:${done.jobId}`)).map((k) => k.kind)).toEqual([
        'reserve',
        'reserve',
        'capture',
        'refund',
      ]);
    });

    it('finds a satellite job whose status disagrees with its ledger, and its reservations left open', async () => {
      const { teamId } = await newTeam(pool, 1000);
      // ended failed without its compensation: both reservations stay held
      const abandoned = await reservedLookup(teamId);
      await finishSatelliteJob(pool, abandoned.jobId, { status: 'failed', error: 'error', message: 'lost' });
      // completed claiming the surcharge while the ledger refunded it
      const overcharged = await reservedLookup(teamId);
      await complete(overcharged, false, 100);

      expect(details(await unsettledReservations(pool, { teamIds: [teamId] }))).toEqual([
        expect.stringMatching(/its satellite job is failed$/),
        expect.stringMatching(/its satellite job is failed$/),
      ]);
      const findings = await satelliteDisagreements(pool, { teamIds: [teamId] });
      expect(findings.map((f) => [f.subject, f.detail]).sort()).toEqual(
        [
          [`satellite job ${abandoned.jobId}`, 'failed but not refunded in full'],
          [`satellite job ${overcharged.jobId}`, 'completed with credits_used 100 but 50 captured'],
        ].sort(),
      );
      expect(findings.every((f) => f.check === 'satellite_disagreement' && f.teamId === teamId)).toBe(true);
    });
  });

  it('finds an active creator without a running workflow', async () => {
    const { teamId } = await newTeam(pool, 100);
    const orphan = await seedCreator(pool, teamId, 'active');
    const findings = await workflowDisagreements(pool, temporal, { teamIds: [teamId] });
    expect(findings).toEqual([
      {
        check: 'workflow_disagreement',
        teamId,
        subject: orphan.workflowId,
        detail: 'active in the read model but its workflow is not running',
      },
    ]);
  });

  it('`npm run admin -- audit` prints each finding and exits 1, and 0 when clean', async () => {
    const run = (teamId: string) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', path.join(projectRoot, 'scripts/admin.ts'), 'audit', '--team', teamId],
        {
          cwd: projectRoot,
          env: { ...process.env, DATABASE_URL: testDatabaseUrl() },
          encoding: 'utf8',
        },
      );
    const healthy = await healthyTeam();
    const clean = run(healthy.teamId);
    expect(clean.stdout).toContain('audit clean');
    expect(clean.status).toBe(0);
    await pool.query('UPDATE teams SET balance_cents = balance_cents + 1 WHERE id = $1', [healthy.teamId]);
    const dirty = run(healthy.teamId);
    expect(dirty.stdout).toContain(`balance_mismatch\tteam ${healthy.teamId}\tbalance 976 but the ledger sums to 975`);
    expect(dirty.stdout).toContain('1 finding(s)');
    expect(dirty.status).toBe(1);
  });
});
