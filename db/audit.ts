import type { Queryable } from './transaction';

/** One thing the ledger and the read model disagree about. `check` names the rule, `subject` what broke it. */
export interface Finding {
  check: string;
  teamId: string | null;
  subject: string;
  detail: string;
}

export interface AuditScope {
  /** only these teams (suites sharing a database audit their own); every team when absent */
  teamIds?: readonly string[];
  /**
   * How long a reservation may stay unsettled while its cycle or job still runs. A cycle's two platform steps may
   * each take three 10-minute attempts and a full collection three 15-minute ones, so anything older than that is
   * stuck.
   */
  graceMinutes?: number;
}

export const DEFAULT_GRACE_MINUTES = 90;

// Ledger keys are `<workflowId>:<cycle>:<step>` for tracking cycles (workflow `creator:<uuid>` or `video:<uuid>`),
// `<workflowId>:<step>` for paid jobs (workflow `collection:<uuid>` or `audience:<uuid>`), and for satellite jobs
// (workflow `satellite:<uuid>`) `<workflowId>:<step>` for the base price and `<workflowId>:surcharge:<step>` for a
// sound lookup's trend surcharge.
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const CYCLE_RESERVATION = `^(creator|video):(${UUID}):([0-9]+):reserve$`;
const JOB_RESERVATION = `^(collection|audience):(${UUID}):reserve$`;
const SATELLITE_RESERVATION = `^satellite:(${UUID}):(surcharge:)?reserve$`;

const teams = (scope: AuditScope): string[] | null => (scope.teamIds ? [...scope.teamIds] : null);

/** The cycle reservations with the entity they belong to, their cycle, and how (if at all) they were settled. */
const CYCLE_LEDGER = `
  SELECT r.team_id, r.idempotency_key, r.created_at,
         (regexp_match(r.idempotency_key, '${CYCLE_RESERVATION}'))[1] AS resource_type,
         (regexp_match(r.idempotency_key, '${CYCLE_RESERVATION}'))[2]::uuid AS resource_id,
         (regexp_match(r.idempotency_key, '${CYCLE_RESERVATION}'))[3]::int AS cycle,
         s.kind AS settled_by
    FROM credit_ledger r LEFT JOIN credit_ledger s ON s.settles = r.idempotency_key
   WHERE r.kind = 'reserve' AND r.idempotency_key ~ '${CYCLE_RESERVATION}'
     AND ($1::uuid[] IS NULL OR r.team_id = ANY($1))`;

/** Every tracked creator and video as one relation, with the tables holding its snapshots. */
const ENTITIES = `
  SELECT 'creator' AS resource_type, id, team_id, status, cycle_in_progress, cycles_completed, cycles_failed
    FROM tracked_creators WHERE $1::uuid[] IS NULL OR team_id = ANY($1)
  UNION ALL
  SELECT 'video', id, team_id, status, cycle_in_progress, cycles_completed, cycles_failed
    FROM tracked_videos WHERE $1::uuid[] IS NULL OR team_id = ANY($1)`;

const SNAPSHOTS = `
  SELECT 'creator' AS resource_type, tracking_account_id AS resource_id, cycle FROM creator_snapshots
  UNION ALL
  SELECT 'video', tracking_video_id, cycle FROM video_snapshots`;

async function rows<T extends object>(db: Queryable, sql: string, scope: AuditScope, extra: unknown[] = []) {
  return (await db.query<T>(sql, [teams(scope), ...extra])).rows;
}

/**
 * Reservations nothing settled: older than the grace period, or whose cycle or job is no longer running (the
 * read model clears `cycle_in_progress` and ends a job in the same transaction as the settlement).
 */
export async function unsettledReservations(db: Queryable, scope: AuditScope = {}): Promise<Finding[]> {
  const found = await rows<{ team_id: string; idempotency_key: string; age_s: number; why: string }>(
    db,
    `WITH open AS (
       SELECT r.* FROM credit_ledger r
        WHERE r.kind = 'reserve' AND ($1::uuid[] IS NULL OR r.team_id = ANY($1))
          AND NOT EXISTS (SELECT 1 FROM credit_ledger s WHERE s.settles = r.idempotency_key)
     ), tagged AS (
       SELECT o.*,
              (regexp_match(o.idempotency_key, '${CYCLE_RESERVATION}')) AS cyc,
              (regexp_match(o.idempotency_key, '${JOB_RESERVATION}')) AS job,
              (regexp_match(o.idempotency_key, '${SATELLITE_RESERVATION}')) AS sat
         FROM open o
     )
     SELECT t.team_id, t.idempotency_key, extract(epoch FROM now() - t.created_at)::int AS age_s,
            CASE
              WHEN t.created_at < now() - make_interval(mins => $2) THEN 'older than the grace period'
              WHEN t.cyc IS NOT NULL AND e.id IS NULL THEN 'its ' || t.cyc[1] || ' does not exist'
              WHEN t.cyc IS NOT NULL AND e.cycle_in_progress IS DISTINCT FROM t.cyc[3]::int
                THEN 'its ' || t.cyc[1] || ' is not running cycle ' || t.cyc[3]
                     || ' (cycle_in_progress ' || coalesce(e.cycle_in_progress::text, 'null') || ')'
              WHEN t.job IS NOT NULL AND j.id IS NULL THEN 'its job does not exist'
              WHEN t.job IS NOT NULL AND j.status NOT IN ('pending', 'processing') THEN 'its job is ' || j.status
              WHEN t.sat IS NOT NULL AND sj.id IS NULL THEN 'its satellite job does not exist'
              WHEN t.sat IS NOT NULL AND sj.status <> 'processing' THEN 'its satellite job is ' || sj.status
            END AS why
       FROM tagged t
       LEFT JOIN (${ENTITIES}) e ON t.cyc IS NOT NULL AND e.resource_type = t.cyc[1] AND e.id = t.cyc[2]::uuid
       LEFT JOIN paid_jobs j ON t.job IS NOT NULL AND j.id = t.job[2]::uuid
       LEFT JOIN satellite_jobs sj ON t.sat IS NOT NULL AND sj.id = t.sat[1]::uuid
      ORDER BY t.id`,
    scope,
    [scope.graceMinutes ?? DEFAULT_GRACE_MINUTES],
  );
  return found
    .filter((r) => r.why !== null)
    .map((r) => ({
      check: 'unsettled_reservation',
      teamId: r.team_id,
      subject: r.idempotency_key,
      detail: `unsettled after ${r.age_s} s: ${r.why}`,
    }));
}

/**
 * Settlements that break the ledger's rules: a reservation settled more than once (the unique index forbids it; an
 * index dropped or rebuilt wrongly would not), a settlement of something that is not a reservation or of another
 * team's, and a refund that does not return exactly what was reserved.
 */
export async function badSettlements(db: Queryable, scope: AuditScope = {}): Promise<Finding[]> {
  const found = await rows<{ team_id: string; settles: string; detail: string }>(
    db,
    `SELECT s.team_id, s.settles, 'settled ' || count(*) || ' times: ' || string_agg(s.kind::text, ', ' ORDER BY s.id)
              AS detail
       FROM credit_ledger s
      WHERE s.settles IS NOT NULL AND ($1::uuid[] IS NULL OR s.team_id = ANY($1))
      GROUP BY s.team_id, s.settles HAVING count(*) > 1
     UNION ALL
     SELECT s.team_id, s.settles,
            CASE
              WHEN r.kind <> 'reserve' THEN s.kind || ' ' || s.idempotency_key || ' settles a ' || r.kind
              WHEN r.team_id <> s.team_id THEN s.kind || ' ' || s.idempotency_key || ' settles another team''s reservation'
              ELSE 'refund ' || s.idempotency_key || ' returns ' || s.amount_cents || ', reserved ' || -r.amount_cents
            END
       FROM credit_ledger s JOIN credit_ledger r ON r.idempotency_key = s.settles
      WHERE ($1::uuid[] IS NULL OR s.team_id = ANY($1))
        AND (r.kind <> 'reserve' OR r.team_id <> s.team_id
             OR (s.kind = 'refund' AND s.amount_cents <> -r.amount_cents))`,
    scope,
  );
  return found.map((r) => ({ check: 'bad_settlement', teamId: r.team_id, subject: r.settles, detail: r.detail }));
}

/** Teams whose stored balance is not the sum of their ledger (only the ledger trigger may move a balance). */
export async function balanceMismatches(db: Queryable, scope: AuditScope = {}): Promise<Finding[]> {
  const found = await rows<{ id: string; balance_cents: number; ledger_cents: number }>(
    db,
    `SELECT t.id, t.balance_cents, coalesce(l.total, 0)::bigint AS ledger_cents
       FROM teams t
       LEFT JOIN (SELECT team_id, sum(amount_cents) AS total FROM credit_ledger GROUP BY team_id) l ON l.team_id = t.id
      WHERE ($1::uuid[] IS NULL OR t.id = ANY($1)) AND t.balance_cents <> coalesce(l.total, 0)`,
    scope,
  );
  return found.map((r) => ({
    check: 'balance_mismatch',
    teamId: r.id,
    subject: `team ${r.id}`,
    detail: `balance ${r.balance_cents} but the ledger sums to ${r.ledger_cents}`,
  }));
}

/**
 * Cycles whose traces disagree. A completed cycle is one transaction writing the capture, the `tracking_cycles` row,
 * the snapshot and the `tracking.cycle.completed` event; a failed one the refund and its `tracking_cycles` row. So
 * each trace implies the others, and the read model's counters count the `tracking_cycles` rows.
 */
export async function cycleDisagreements(db: Queryable, scope: AuditScope = {}): Promise<Finding[]> {
  const found = await rows<{ team_id: string; resource_type: string; resource_id: string; detail: string }>(
    db,
    `WITH ledger AS (${CYCLE_LEDGER}),
     entities AS (${ENTITIES}),
     cycles AS (
       SELECT c.* FROM tracking_cycles c JOIN entities e ON e.resource_type = c.resource_type AND e.id = c.resource_id
     ),
     snaps AS (
       SELECT s.* FROM (${SNAPSHOTS}) s JOIN entities e ON e.resource_type = s.resource_type AND e.id = s.resource_id
     ),
     completed_events AS (
       SELECT ev.resource_type, ev.resource_id, (ev.data->>'cycle')::int AS cycle
         FROM events ev
        WHERE ev.type = 'tracking.cycle.completed' AND ($1::uuid[] IS NULL OR ev.team_id = ANY($1))
     ),
     keyed AS (
       SELECT resource_type, resource_id, cycle FROM ledger
       UNION SELECT resource_type, resource_id, cycle FROM cycles
       UNION SELECT resource_type, resource_id, cycle FROM snaps
       UNION SELECT resource_type, resource_id, cycle FROM completed_events
     ),
     joined AS (
       SELECT k.*, l.settled_by, l.idempotency_key IS NOT NULL AS reserved, c.status AS cycle_status,
              s.cycle IS NOT NULL AS has_snapshot, ce.cycle IS NOT NULL AS has_event
         FROM keyed k
         LEFT JOIN ledger l USING (resource_type, resource_id, cycle)
         LEFT JOIN cycles c USING (resource_type, resource_id, cycle)
         LEFT JOIN snaps s USING (resource_type, resource_id, cycle)
         LEFT JOIN (SELECT DISTINCT * FROM completed_events) ce USING (resource_type, resource_id, cycle)
     )
     SELECT e.team_id, j.resource_type, j.resource_id::text,
            'cycle ' || j.cycle || ': ' || concat_ws('; ',
              CASE WHEN j.settled_by = 'capture' AND j.cycle_status IS DISTINCT FROM 'completed'
                   THEN 'captured but recorded as ' || coalesce(j.cycle_status, 'nothing') END,
              CASE WHEN j.settled_by = 'capture' AND NOT j.has_snapshot THEN 'captured without a snapshot' END,
              CASE WHEN j.settled_by = 'capture' AND NOT j.has_event
                   THEN 'captured without its tracking.cycle.completed event' END,
              CASE WHEN j.settled_by = 'refund' AND j.cycle_status IS DISTINCT FROM 'failed'
                   THEN 'refunded but recorded as ' || coalesce(j.cycle_status, 'nothing') END,
              CASE WHEN j.cycle_status = 'completed' AND j.settled_by IS DISTINCT FROM 'capture'
                   THEN 'completed but ' || CASE WHEN j.reserved THEN coalesce(j.settled_by::text || 'ed', 'not settled')
                                                 ELSE 'never reserved' END END,
              CASE WHEN j.cycle_status = 'failed' AND j.reserved AND j.settled_by IS DISTINCT FROM 'refund'
                   THEN 'failed but ' || coalesce(j.settled_by::text || 'd', 'not refunded') END,
              CASE WHEN j.has_snapshot AND j.settled_by IS DISTINCT FROM 'capture' THEN 'a snapshot without a capture' END,
              CASE WHEN j.has_event AND j.settled_by IS DISTINCT FROM 'capture'
                   THEN 'a tracking.cycle.completed event without a capture' END
            ) AS detail
       FROM joined j JOIN entities e ON e.resource_type = j.resource_type AND e.id = j.resource_id
      WHERE (j.settled_by = 'capture' AND (j.cycle_status IS DISTINCT FROM 'completed' OR NOT j.has_snapshot
                                           OR NOT j.has_event))
         OR (j.settled_by = 'refund' AND j.cycle_status IS DISTINCT FROM 'failed')
         OR (j.cycle_status = 'completed' AND j.settled_by IS DISTINCT FROM 'capture')
         OR (j.cycle_status = 'failed' AND j.reserved AND j.settled_by IS DISTINCT FROM 'refund')
         OR ((j.has_snapshot OR j.has_event) AND j.settled_by IS DISTINCT FROM 'capture')
     UNION ALL
     SELECT e.team_id, e.resource_type, e.id::text,
            concat_ws('; ',
              CASE WHEN e.cycles_completed <> n.completed
                   THEN 'cycles_completed ' || e.cycles_completed || ' but ' || n.completed || ' completed cycles' END,
              CASE WHEN e.cycles_failed <> n.failed
                   THEN 'cycles_failed ' || e.cycles_failed || ' but ' || n.failed || ' failed cycles' END,
              CASE WHEN e.cycle_in_progress IS NOT NULL AND NOT EXISTS (
                     SELECT 1 FROM ledger l WHERE l.resource_type = e.resource_type AND l.resource_id = e.id
                        AND l.cycle = e.cycle_in_progress AND l.settled_by IS NULL)
                   THEN 'cycle_in_progress ' || e.cycle_in_progress || ' has no open reservation' END)
       FROM entities e
       CROSS JOIN LATERAL (
         SELECT count(*) FILTER (WHERE c.status = 'completed') AS completed,
                count(*) FILTER (WHERE c.status = 'failed') AS failed
           FROM cycles c WHERE c.resource_type = e.resource_type AND c.resource_id = e.id
       ) n
      WHERE e.cycles_completed <> n.completed OR e.cycles_failed <> n.failed
         OR (e.cycle_in_progress IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM ledger l WHERE l.resource_type = e.resource_type AND l.resource_id = e.id
                  AND l.cycle = e.cycle_in_progress AND l.settled_by IS NULL))`,
    scope,
  );
  return found.map((r) => ({
    check: 'cycle_disagreement',
    teamId: r.team_id,
    subject: `${r.resource_type} ${r.resource_id}`,
    detail: r.detail,
  }));
}

/**
 * Paid jobs whose status disagrees with their ledger: captureJob and compensateJob settle and end the job in one
 * transaction, so a completed job was captured, a captured job charged its reservation, and a refunded job failed
 * free of charge, except an audience snapshot on the profile_only rung, which completes and is refunded.
 */
export async function jobDisagreements(db: Queryable, scope: AuditScope = {}): Promise<Finding[]> {
  const found = await rows<{ team_id: string; id: string; detail: string }>(
    db,
    `WITH jobs AS (
       SELECT j.*, s.kind AS settled_by, r.idempotency_key IS NOT NULL AS reserved
         FROM paid_jobs j
         LEFT JOIN credit_ledger r
           ON r.kind = 'reserve'
          AND r.idempotency_key = (CASE j.kind WHEN 'post_collection' THEN 'collection' ELSE 'audience' END)
                                  || ':' || j.id || ':reserve'
         LEFT JOIN credit_ledger s ON s.settles = r.idempotency_key
        WHERE $1::uuid[] IS NULL OR j.team_id = ANY($1)
     ), judged AS (
       -- a profile_only audience snapshot completes and is refunded, as documented: not a disagreement
       SELECT *, (kind = 'audience_refresh' AND status = 'completed' AND settled_by = 'refund' AND credits_used = 0)
                 AS profile_only
         FROM jobs
     )
     SELECT team_id, id::text, concat_ws('; ',
              CASE WHEN status = 'completed' AND settled_by IS DISTINCT FROM 'capture' AND NOT profile_only
                   THEN 'completed but ' || coalesce(settled_by::text || 'ed', CASE WHEN reserved THEN 'not settled'
                                                                                ELSE 'never reserved' END) END,
              CASE WHEN settled_by = 'capture' AND status NOT IN ('completed', 'failed')
                   THEN 'captured but still ' || status END,
              CASE WHEN settled_by = 'capture' AND credits_used IS DISTINCT FROM credits_reserved
                   THEN 'captured but credits_used ' || coalesce(credits_used::text, 'null') END,
              CASE WHEN settled_by = 'refund' AND NOT profile_only
                        AND (status <> 'failed' OR credits_used IS DISTINCT FROM 0)
                   THEN 'refunded but ' || status || ' with credits_used ' || coalesce(credits_used::text, 'null') END
            ) AS detail
       FROM judged
      WHERE (status = 'completed' AND settled_by IS DISTINCT FROM 'capture' AND NOT profile_only)
         OR (settled_by = 'capture' AND (status NOT IN ('completed', 'failed')
                                         OR credits_used IS DISTINCT FROM credits_reserved))
         OR (settled_by = 'refund' AND NOT profile_only AND (status <> 'failed' OR credits_used IS DISTINCT FROM 0))`,
    scope,
  );
  return found.map((r) => ({ check: 'job_disagreement', teamId: r.team_id, subject: `job ${r.id}`, detail: r.detail }));
}

/**
 * Satellite jobs whose status disagrees with their ledger. A job reserves its base price (and a sound lookup with
 * trend analysis its surcharge) with the job row; completeSatelliteJob captures the base, captures or refunds the
 * surcharge and ends the job completed in one transaction, compensateSatelliteJob refunds both and ends it failed. So
 * a completed job has its base captured and credits_used equal to what was captured; a failed one is refunded in full
 * and charged 0; a captured base means a completed job; and what the job says it reserved is what the ledger holds.
 */
export async function satelliteDisagreements(db: Queryable, scope: AuditScope = {}): Promise<Finding[]> {
  const found = await rows<{ team_id: string; id: string; detail: string }>(
    db,
    `WITH legs AS (
       SELECT j.id, r.idempotency_key, -r.amount_cents AS reserved, s.kind AS settled_by
         FROM satellite_jobs j
         JOIN credit_ledger r ON r.kind = 'reserve'
          AND r.idempotency_key IN ('satellite:' || j.id || ':reserve', 'satellite:' || j.id || ':surcharge:reserve')
         LEFT JOIN credit_ledger s ON s.settles = r.idempotency_key
        WHERE $1::uuid[] IS NULL OR j.team_id = ANY($1)
     ), jobs AS (
       SELECT j.*,
              (SELECT l.settled_by FROM legs l
                WHERE l.id = j.id AND l.idempotency_key = 'satellite:' || j.id || ':reserve') AS base_settled_by,
              coalesce((SELECT sum(l.reserved) FROM legs l WHERE l.id = j.id), 0) AS reserved,
              coalesce((SELECT sum(l.reserved) FROM legs l WHERE l.id = j.id AND l.settled_by = 'capture'), 0) AS captured,
              EXISTS (SELECT 1 FROM legs l WHERE l.id = j.id AND l.settled_by IS DISTINCT FROM 'refund') AS unrefunded
         FROM satellite_jobs j
        WHERE $1::uuid[] IS NULL OR j.team_id = ANY($1)
     )
     SELECT team_id, id::text, concat_ws('; ',
              CASE WHEN reserved <> credits_reserved
                   THEN 'records ' || credits_reserved || ' reserved but the ledger holds ' || reserved END,
              CASE WHEN status = 'completed' AND base_settled_by IS DISTINCT FROM 'capture'
                   THEN 'completed but its base price ' || coalesce(base_settled_by::text || 'ed', 'not settled') END,
              CASE WHEN status = 'completed' AND credits_used IS DISTINCT FROM captured
                   THEN 'completed with credits_used ' || coalesce(credits_used::text, 'null') || ' but ' || captured
                        || ' captured' END,
              CASE WHEN status = 'failed' AND (unrefunded OR credits_used IS DISTINCT FROM 0)
                   THEN 'failed but not refunded in full' END,
              CASE WHEN base_settled_by = 'capture' AND status <> 'completed' THEN 'captured but ' || status END
            ) AS detail
       FROM jobs
      WHERE reserved <> credits_reserved
         OR (status = 'completed' AND (base_settled_by IS DISTINCT FROM 'capture' OR credits_used IS DISTINCT FROM captured))
         OR (status = 'failed' AND (unrefunded OR credits_used IS DISTINCT FROM 0))
         OR (base_settled_by = 'capture' AND status <> 'completed')`,
    scope,
  );
  return found.map((r) => ({
    check: 'satellite_disagreement',
    teamId: r.team_id,
    subject: `satellite job ${r.id}`,
    detail: r.detail,
  }));
}

export const ledgerChecks = [
  unsettledReservations,
  badSettlements,
  balanceMismatches,
  cycleDisagreements,
  jobDisagreements,
  satelliteDisagreements,
] as const;

/** Every Postgres check, in order. */
export async function auditLedger(db: Queryable, scope: AuditScope = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const check of ledgerChecks) findings.push(...(await check(db, scope)));
  return findings;
}

/** The tracked creators and videos the read model says have a live workflow (active or paused), for the Temporal check. */
export async function liveTrackedEntities(
  db: Queryable,
  scope: AuditScope = {},
): Promise<
  {
    resource_type: 'creator' | 'video';
    id: string;
    team_id: string;
    status: string;
    cycle_in_progress: number | null;
    /** a paid job of the creator is still running: its workflow awaits it, stopped or not */
    job_running: boolean;
    updated_at: Date;
  }[]
> {
  return rows(
    db,
    `SELECT 'creator' AS resource_type, id, team_id, status, cycle_in_progress, updated_at,
            EXISTS (SELECT 1 FROM paid_jobs j WHERE j.tracking_account_id = c.id
                       AND j.status IN ('pending', 'processing')) AS job_running
       FROM tracked_creators c
      WHERE ($1::uuid[] IS NULL OR team_id = ANY($1))
     UNION ALL
     SELECT 'video', id, team_id, status, cycle_in_progress, updated_at, false FROM tracked_videos
      WHERE ($1::uuid[] IS NULL OR team_id = ANY($1))`,
    scope,
  );
}

/** The headline figures a fault run reports next to its findings. */
export async function auditFigures(db: Queryable, scope: AuditScope = {}) {
  const [figures] = await rows<{
    cycles_completed: number;
    cycles_failed: number;
    deliveries: number;
    deliveries_succeeded: number;
    open_reservations: number;
  }>(
    db,
    `WITH entities AS (${ENTITIES}),
     cycles AS (
       SELECT c.status FROM tracking_cycles c JOIN entities e ON e.resource_type = c.resource_type AND e.id = c.resource_id
     )
     SELECT
       (SELECT count(*) FROM cycles WHERE status = 'completed')::int AS cycles_completed,
       (SELECT count(*) FROM cycles WHERE status = 'failed')::int AS cycles_failed,
       (SELECT count(*) FROM webhook_deliveries d WHERE $1::uuid[] IS NULL OR d.team_id = ANY($1))::int AS deliveries,
       (SELECT count(*) FROM webhook_deliveries d
         WHERE d.status = 'succeeded' AND ($1::uuid[] IS NULL OR d.team_id = ANY($1)))::int AS deliveries_succeeded,
       (SELECT count(*) FROM credit_ledger r WHERE r.kind = 'reserve' AND ($1::uuid[] IS NULL OR r.team_id = ANY($1))
           AND NOT EXISTS (SELECT 1 FROM credit_ledger s WHERE s.settles = r.idempotency_key))::int
         AS open_reservations`,
    scope,
  );
  return figures as NonNullable<typeof figures>;
}
