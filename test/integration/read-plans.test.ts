import type { Pool, QueryConfig } from 'pg';
import { createPool } from '../../db/pool';
import { CREATOR_TABLES, findCreator, listCreators, ownedCreatorSnapshots } from '../../db/creators';
import { writeTrackingState } from '../../db/tracked';
import type { Queryable } from '../../db/transaction';
import { listVideos, listVideoSnapshots, ownedVideoSnapshots } from '../../db/videos';
import { testDatabaseUrl } from '../helpers/env';
import { newTeam } from '../helpers/teams';

/**
 * The API's reads stay on their indexes: EXPLAIN (FORMAT JSON) of the exact statements the db/ functions send (caught
 * on their way to Postgres, parameters included) over a few thousand seeded rows, analyzed. And the list `total`, read
 * from the counts the triggers of migration 0011 keep, agrees with counting the rows through inserts, stops and
 * deletes.
 */

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const CREATORS = 3000;

describe('read plans', () => {
  let pool: Pool;
  let teamId: string;
  let otherTeamId: string;
  let creatorId: string;
  let videoId: string;

  /** Every node of the plan of each statement `work` sends. */
  async function plansOf(work: (db: Queryable) => Promise<unknown>): Promise<PlanNode[][]> {
    const sent: { text: string; params?: unknown[] }[] = [];
    // a statement arrives as text and parameters, or as a (prepared) query config
    const recording = {
      query: (text: string | QueryConfig, params?: unknown[]) => {
        sent.push(typeof text === 'string' ? { text, params } : { text: text.text, params: text.values });
        return pool.query(text as string, params);
      },
    };
    await work(recording as unknown as Queryable);
    const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];
    return Promise.all(
      sent.map(async ({ text, params }) => {
        const explained = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
          `EXPLAIN (FORMAT JSON) ${text}`,
          params,
        );
        return flatten((explained.rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan);
      }),
    );
  }

  const on = (plan: PlanNode[], relation: string) => plan.filter((n) => n['Relation Name'] === relation);
  const kinds = (plan: PlanNode[]) =>
    plan.map((n) => `${n['Node Type']} ${n['Index Name'] ?? n['Relation Name'] ?? ''}`);

  async function seed(team: string, tag: string, count: number, stopped = false): Promise<void> {
    await pool.query(
      `INSERT INTO tracked_creators (id, team_id, platform, platform_handle, display_name, scrape_cadence, status,
         created_at, deleted_at)
       SELECT gen_random_uuid(), $1, (ARRAY['tiktok', 'youtube', 'instagram'])[1 + i % 3], $2 || '.' || i,
         'Creator ' || i, 'daily', CASE WHEN $4 THEN 'stopped' ELSE 'active' END,
         now() - (i / 2) * interval '1 minute', CASE WHEN $4 THEN now() END
       FROM generate_series(1, $3::int) i`,
      [team, tag, count, stopped],
    );
    await pool.query(
      `INSERT INTO tracked_videos (id, team_id, platform, platform_video_id, url, title, scrape_cadence, created_at)
       SELECT gen_random_uuid(), $1, 'tiktok', $2 || i, 'https://www.tiktok.com/@x/video/' || i, 'Video ' || i,
         'daily', now() - i * interval '1 minute'
       FROM generate_series(1, $3::int) i`,
      [team, tag, stopped ? 0 : count],
    );
  }

  beforeAll(async () => {
    pool = createPool(testDatabaseUrl(), 4);
    teamId = (await newTeam(pool, 0)).teamId;
    otherTeamId = (await newTeam(pool, 0)).teamId;
    await seed(teamId, 'plans', CREATORS);
    await seed(teamId, 'plans.stopped', CREATORS / 10, true);
    await seed(otherTeamId, 'plans.other', CREATORS);
    // 20 daily snapshots for half the creators, a year for one
    await pool.query(
      `INSERT INTO creator_snapshots (tracking_account_id, cycle, followers, snapshot_at)
       SELECT c.id, s, 1000 + s, now() - (n.count - s) * interval '1 day'
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS r FROM tracked_creators WHERE team_id IN ($1, $2)) c,
         LATERAL (SELECT CASE WHEN c.r = 1 THEN 365 ELSE 20 END AS count) n, generate_series(1, n.count) s
       WHERE c.r % 2 = 1`,
      [teamId, otherTeamId],
    );
    await pool.query(
      `INSERT INTO video_snapshots (tracking_video_id, cycle, views, snapshot_at)
       SELECT v.id, s, 1000 * s, now() - (n.count - s) * interval '1 hour'
       FROM (SELECT id, row_number() OVER (ORDER BY id) AS r FROM tracked_videos WHERE team_id IN ($1, $2)) v,
         LATERAL (SELECT CASE WHEN v.r = 1 THEN 200 ELSE 20 END AS count) n, generate_series(1, n.count) s
       WHERE v.r % 2 = 1`,
      [teamId, otherTeamId],
    );
    creatorId = (
      await pool.query<{ id: string }>(
        `SELECT tracking_account_id AS id FROM creator_snapshots GROUP BY 1 HAVING count(*) = 365 LIMIT 1`,
      )
    ).rows[0]?.id as string;
    videoId = (
      await pool.query<{ id: string }>(
        `SELECT tracking_video_id AS id FROM video_snapshots GROUP BY 1 HAVING count(*) = 200 LIMIT 1`,
      )
    ).rows[0]?.id as string;
    // as autovacuum would leave them: statistics, and the visibility map an index-only scan relies on
    await pool.query('VACUUM ANALYZE tracked_creators, tracked_videos, creator_snapshots, video_snapshots');
  });

  afterAll(async () => {
    await pool.end();
  });

  it('reads the first page of a list off the list index in one statement, counting nothing', async () => {
    const [plan, ...more] = await plansOf((db) => listCreators(db, teamId, { page: 1, limit: 50 }));
    expect(more).toHaveLength(0);
    expect(on(plan as PlanNode[], 'tracked_creators').map((n) => `${n['Node Type']} ${n['Index Name']}`)).toEqual([
      'Index Scan tracked_creators_team_list',
    ]);
    expect(kinds(plan as PlanNode[])).not.toContainEqual(expect.stringMatching(/^(Sort|Seq Scan tracked_creators)/));

    const [videos] = await plansOf((db) => listVideos(db, teamId, { page: 1, limit: 50 }));
    expect(on(videos as PlanNode[], 'tracked_videos').map((n) => `${n['Node Type']} ${n['Index Name']}`)).toEqual([
      'Index Scan tracked_videos_team_list',
    ]);
  });

  it('skips to a later page on the list index alone and reads only that page’s rows, by key', async () => {
    const [plan] = await plansOf((db) => listCreators(db, teamId, { page: 30, limit: 50 }));
    expect(kinds(plan as PlanNode[])).toEqual(
      expect.arrayContaining([
        'Index Only Scan tracked_creators_team_list',
        expect.stringMatching(/^(Bitmap )?Index Scan tracked_creators_pkey$/),
      ]),
    );
    const [videos] = await plansOf((db) => listVideos(db, teamId, { page: 30, limit: 50 }));
    expect(kinds(videos as PlanNode[])).toEqual(
      expect.arrayContaining([
        'Index Only Scan tracked_videos_team_list',
        expect.stringMatching(/^(Bitmap )?Index Scan tracked_videos_pkey$/),
      ]),
    );
    // a platform is not in the list index: the planner may pick another index for the skipped entries, never a scan
    // of the table
    const [filtered] = await plansOf((db) => listCreators(db, teamId, { page: 12, limit: 20, platform: 'youtube' }));
    for (const p of [plan, videos, filtered]) {
      expect(kinds(p as PlanNode[])).not.toContainEqual(expect.stringMatching(/^Seq Scan tracked_(creators|videos)$/));
    }
  });

  it('reads snapshots newest first off the (row, snapshot_at, cycle) index and sorts nothing', async () => {
    const windows = [
      { limit: 365 },
      { limit: 30 },
      { limit: 30, start: new Date(Date.now() - 90 * 86_400_000), end: new Date(Date.now() - 30 * 86_400_000) },
    ];
    for (const window of windows) {
      // the API's read: the team's row by key and its snapshots, in one statement
      const [plan, ...more] = await plansOf((db) => ownedCreatorSnapshots(db, teamId, creatorId, window));
      expect(more).toHaveLength(0);
      expect(kinds(plan as PlanNode[])).toEqual(
        expect.arrayContaining(['Index Scan tracked_creators_pkey', 'Limit ', 'Index Scan creator_snapshots_recent']),
      );
      const [videos] = await plansOf((db) => ownedVideoSnapshots(db, teamId, videoId, window));
      expect(kinds(videos as PlanNode[])).toEqual(
        expect.arrayContaining(['Index Scan tracked_videos_pkey', 'Limit ', 'Index Scan video_snapshots_recent']),
      );
      // the trajectory's read
      const [trajectory] = await plansOf((db) => listVideoSnapshots(db, videoId, window));
      expect(kinds(trajectory as PlanNode[])).toEqual(['Limit ', 'Index Scan video_snapshots_recent']);
      for (const p of [plan, videos]) {
        expect(kinds(p as PlanNode[])).not.toContainEqual(expect.stringMatching(/^(Sort|Incremental Sort|Seq Scan)/));
      }
    }
  });

  it('answers the snapshots of another team’s row as not found, and an empty history as an empty array', async () => {
    const { rows: owners } = await pool.query<{ team_id: string }>(
      'SELECT team_id FROM tracked_creators WHERE id = $1',
      [creatorId],
    );
    const owner = owners[0]?.team_id as string;
    const stranger = owner === teamId ? otherTeamId : teamId;
    expect(await ownedCreatorSnapshots(pool, stranger, creatorId, { limit: 30 })).toBeUndefined();
    // the most recent three, oldest first
    const items = JSON.parse((await ownedCreatorSnapshots(pool, owner, creatorId, { limit: 3 })) as string);
    expect(items.map((s: { followers: number }) => s.followers)).toEqual([1363, 1364, 1365]);
    const { rows } = await pool.query<{ id: string }>(
      `SELECT id FROM tracked_creators c WHERE team_id = $1
          AND NOT EXISTS (SELECT 1 FROM creator_snapshots WHERE tracking_account_id = c.id) LIMIT 1`,
      [teamId],
    );
    expect(await ownedCreatorSnapshots(pool, teamId, rows[0]?.id as string, { limit: 30 })).toBe('[]');
  });

  it('finds a team’s creator by primary key', async () => {
    const [plan] = await plansOf((db) => findCreator(db, teamId, creatorId));
    expect(kinds(plan as PlanNode[])).toEqual(['Index Scan tracked_creators_pkey']);
  });

  it('keeps the list total equal to a count through inserts, stops, deletes and filters', async () => {
    const counted = async (team: string, platform?: string) =>
      (
        await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM tracked_creators
            WHERE team_id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR platform = $2)`,
          [team, platform ?? null],
        )
      ).rows[0]?.n;
    const total = async (team: string, opts: { platform?: string; search?: string; page?: number } = {}) =>
      (await listCreators(pool, team, { page: 1, limit: 20, ...opts })).total;

    expect(await total(teamId)).toBe(CREATORS);
    expect(await total(otherTeamId)).toBe(CREATORS);
    expect(await total(teamId, { platform: 'youtube' })).toBe(await counted(teamId, 'youtube'));
    expect(await total(teamId, { page: 1000 })).toBe(CREATORS);
    expect((await listVideos(pool, teamId, { page: 1, limit: 20 })).total).toBe(CREATORS);

    // stopped through the workflow's own write, twice (the second write moves nothing)
    const { rows: stopping } = await pool.query<{ id: string }>(
      `SELECT id FROM tracked_creators WHERE team_id = $1 AND deleted_at IS NULL ORDER BY id LIMIT 10`,
      [teamId],
    );
    for (const sequence of [1, 2]) {
      for (const { id } of stopping) {
        await writeTrackingState(pool, CREATOR_TABLES, id, {
          status: 'stopped',
          pauseReason: null,
          cadence: 'daily',
          nextScrapeAt: null,
          consecutiveFailures: 0,
          sequence,
        });
      }
    }
    expect(await total(teamId)).toBe(CREATORS - 10);

    // tracked and stopped in one transaction, and a row deleted outright
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO tracked_creators (id, team_id, platform, platform_handle, scrape_cadence)
         VALUES (gen_random_uuid(), $1, 'tiktok', 'plans.brief', 'daily')`,
        [teamId],
      );
      await client.query(`UPDATE tracked_creators SET deleted_at = now() WHERE platform_handle = 'plans.brief'`);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await pool.query(
      `DELETE FROM tracked_creators WHERE id = (SELECT id FROM tracked_creators WHERE team_id = $1
         AND deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM creator_snapshots s WHERE s.tracking_account_id = tracked_creators.id)
         LIMIT 1)`,
      [teamId],
    );
    expect(await total(teamId)).toBe(CREATORS - 11);
    expect(await total(teamId)).toBe(await counted(teamId));
    for (const platform of ['tiktok', 'youtube', 'instagram']) {
      expect(await total(teamId, { platform })).toBe(await counted(teamId, platform));
    }
    expect(await total(otherTeamId)).toBe(CREATORS);

    // a search counts its matches: creator 1, 10-19, 100-199, 1000-1999 of the team, less any stopped above
    const matches = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tracked_creators
        WHERE team_id = $1 AND deleted_at IS NULL AND platform_handle ILIKE '%plans.1%'`,
      [teamId],
    );
    expect(await total(teamId, { search: 'plans.1' })).toBe(matches.rows[0]?.n);
  });
});
