import { randomUUID } from 'node:crypto';
import { EVENT_DATA } from '../../api/schemas/events';
import { requireEnv } from '../helpers/env';
import { recordHistory } from '../helpers/histories';
import { trackedCreator, untilDone } from '../helpers/creators';
import { apiClient, eventually } from '../helpers/http';
import { stackForSuite } from '../helpers/stack';
import { ledgerOf, newTeam } from '../helpers/teams';

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Follows a `result_path` such as `data.snapshot` into an answer's body. */
const resolve = (body: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown> | null)?.[key], body);

/** The documented client loop (seed 004): poll `poll_url` until `data.finalized`, then read `result_path`. */
async function pollToResult(api: ReturnType<typeof apiClient>, job: { poll_url: string; result_path: string }) {
  const body = await eventually(
    job.poll_url,
    async () => {
      const res = await api.get(job.poll_url);
      expect(res.status).toBe(200);
      return res.body.data.finalized === true ? res.body : undefined;
    },
    60_000,
  );
  return { body, result: resolve(body, job.result_path) };
}

/** Posts, collections, posting cadence and audience snapshots over real HTTP against the real stack. */
describe('creator posts, collections and audience API', () => {
  const suite = stackForSuite();

  const tracked = (credits: number, handle: string, platform = 'tiktok') =>
    trackedCreator(suite.stack, credits, handle, platform);

  describe('posts', () => {
    let c: Awaited<ReturnType<typeof tracked>>;

    beforeAll(async () => {
      c = await tracked(1000, `posts_${randomUUID().slice(0, 6)}`);
      const collect = await c.api.post(`${c.base}/posts/collect`, { depth: 'standard' });
      await untilDone(c.api, collect.body.data.poll_url);
    });

    it('lists posts newest first by default, with pagination', async () => {
      const res = await c.api.get(`${c.base}/posts?limit=20`);
      expect(res.status).toBe(200);
      expect(res.body.data).toHaveLength(20);
      expect(res.body.pagination).toMatchObject({ page: 1, limit: 20, has_prev_page: false, has_next_page: true });
      const dates = res.body.data.map((p: { publish_date: string }) => Date.parse(p.publish_date));
      expect(dates).toEqual([...dates].sort((a, b) => b - a));
      const post = res.body.data[0];
      expect(Object.keys(post).sort()).toEqual(
        [
          'id',
          'tracking_account_id',
          'platform',
          'platform_video_id',
          'url',
          'title',
          'views',
          'likes',
          'comments',
          'shares',
          'bookmarks',
          'is_duet',
          'is_stitch',
          'publish_date',
          'hashtags',
          'collected_at',
        ].sort(),
      );
      expect(post.tracking_account_id).toBe(c.id);
    });

    it('sorts oldest first and by views, and pages without overlap', async () => {
      const asc = await c.api.get(`${c.base}/posts?sort=publish_date_asc&limit=200`);
      const dates = asc.body.data.map((p: { publish_date: string }) => Date.parse(p.publish_date));
      expect(dates).toEqual([...dates].sort((a, b) => a - b));
      const byViews = await c.api.get(`${c.base}/posts?sort=views_desc&limit=200`);
      const views = byViews.body.data.map((p: { views: number }) => p.views);
      expect(views).toEqual([...views].sort((a, b) => b - a));
      const page1 = await c.api.get(`${c.base}/posts?sort=views_desc&limit=7&page=1`);
      const page2 = await c.api.get(`${c.base}/posts?sort=views_desc&limit=7&page=2`);
      const ids = [...page1.body.data, ...page2.body.data].map((p: { id: string }) => p.id);
      expect(new Set(ids).size).toBe(14);
      expect(ids).toEqual(byViews.body.data.slice(0, 14).map((p: { id: string }) => p.id));
    });

    it('filters on publish date, inclusive', async () => {
      const all = (await c.api.get(`${c.base}/posts?sort=publish_date_asc&limit=200`)).body.data;
      const from = all[5].publish_date;
      const to = all[15].publish_date;
      const res = await c.api.get(`${c.base}/posts?start_date=${from}&end_date=${to}&sort=publish_date_asc&limit=200`);
      expect(res.body.data.map((p: { id: string }) => p.id)).toEqual(all.slice(5, 16).map((p: { id: string }) => p.id));
      // a date without a time is the whole of that day
      const day = (to as string).slice(0, 10);
      const byDay = await c.api.get(`${c.base}/posts?end_date=${day}&sort=publish_date_asc&limit=200`);
      const ids = byDay.body.data.map((p: { id: string }) => p.id);
      expect(ids).toEqual(
        all
          .filter((p: { publish_date: string }) => p.publish_date.slice(0, 10) <= day)
          .map((p: { id: string }) => p.id),
      );
      expect(ids).toContain(all[15].id);
    });

    it('returns one post with description and duration', async () => {
      const first = (await c.api.get(`${c.base}/posts?limit=1`)).body.data[0];
      const res = await c.api.get(`${c.base}/posts/${first.id}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ ...first });
      expect(res.body.data).toHaveProperty('description');
      expect(typeof res.body.data.duration_seconds).toBe('number');
      expect((await c.api.get(`${c.base}/posts/${randomUUID()}`)).status).toBe(404);
      expect((await c.api.get(`${c.base}/posts/not-a-uuid`)).status).toBe(400);
    });

    it('refuses bad listing parameters with 400', async () => {
      for (const query of [
        'limit=0',
        'limit=201',
        'page=0',
        'sort=likes_desc',
        'start_date=yesterday',
        'start_date=2026-05-01&end_date=2026-04-01',
      ]) {
        const res = await c.api.get(`${c.base}/posts?${query}`);
        expect([query, res.status, res.body.error?.code]).toEqual([query, 400, 'invalid_request']);
      }
    });

    it('derives the posting cadence from the collected posts', async () => {
      const res = await c.api.get(`${c.base}/posting-cadence`);
      expect(res.status).toBe(200);
      const cadence = res.body.data;
      const total = (await c.api.get(`${c.base}/posts?limit=1`)).body.pagination.total;
      expect(cadence.total_posts).toBe(total);
      expect(Object.keys(cadence.day_of_week_distribution)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
      expect(sum(Object.values(cadence.day_of_week_distribution) as number[])).toBe(total);
      expect(cadence.avg_days_between_posts).toBeGreaterThan(0);
      expect(cadence.posts_per_month).toBeCloseTo((cadence.posts_per_week * 30.436875) / 7, 1);
      expect(Date.parse(cadence.earliest_post_date)).toBeLessThan(Date.parse(cadence.latest_post_date));
    });

    it('hides everything from another team', async () => {
      const other = apiClient(suite.stack.baseUrl, (await newTeam(suite.stack.pool, 100)).key);
      const post = (await c.api.get(`${c.base}/posts?limit=1`)).body.data[0];
      for (const url of [
        `${c.base}/posts`,
        `${c.base}/posts/${post.id}`,
        `${c.base}/posting-cadence`,
        `${c.base}/audience-demographics`,
        `${c.base}/audience-geography`,
      ]) {
        const res = await other.get(url);
        expect([url, res.status]).toEqual([url, 404]);
      }
      expect((await other.post(`${c.base}/posts/collect`, {})).status).toBe(404);
      expect((await other.post(`${c.base}/audience-refresh`, {})).status).toBe(404);
    });
  });

  it('documents the collection depths in the OpenAPI document', async () => {
    const doc = (await apiClient(suite.stack.baseUrl).get('/openapi.json')).body;
    const collect = doc.paths['/v1/tracking/creators/{id}/posts/collect'].post;
    expect(collect.requestBody.content['application/json'].schema.properties.depth.enum).toEqual([
      'standard',
      'deep',
      'full',
    ]);
    const create = doc.paths['/v1/tracking/creators'].post.requestBody.content['application/json'].schema;
    expect(create.properties.collection_depth.enum).toEqual(['standard', 'deep', 'full']);
    // the audience reads answer one shape: `data` is an object (never null) holding finalized and pending_jobs
    for (const half of ['demographics', 'geography']) {
      const ok =
        doc.paths[`/v1/tracking/creators/{id}/audience-${half}`].get.responses['200'].content['application/json']
          .schema;
      expect(ok.properties.data.$ref).toMatch(/AudienceDemographics$|AudienceGeography$/);
      const read = doc.components.schemas[half === 'demographics' ? 'AudienceDemographics' : 'AudienceGeography'];
      expect(read.required).toEqual(expect.arrayContaining(['snapshot', 'is_stale', 'finalized', 'pending_jobs']));
    }
    for (const type of ['audience.snapshot.failed', 'posts.collection.completed', 'posts.collection.failed']) {
      expect(doc.webhooks).toHaveProperty([type]);
    }
  });

  describe('collections', () => {
    it('validates depth and finds only its own collections', async () => {
      const c = await tracked(500, `coll_${randomUUID().slice(0, 6)}`);
      for (const body of [{ depth: 'huge' }, { depth: 3 }, { depth: 'deep', extra: true }]) {
        const res = await c.api.post(`${c.base}/posts/collect`, body);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalid_request');
      }
      expect((await c.api.get(`${c.base}/posts/collect/${randomUUID()}`)).status).toBe(404);
      expect((await c.api.get(`${c.base}/posts/collect/nope`)).status).toBe(400);

      const started = await c.api.post(`${c.base}/posts/collect`, { depth: 'standard' });
      const url = started.body.data.poll_url as string;
      // the started collection lists itself as pending, inside data, with where to poll and what to wait for
      expect(started.body.data.finalized).toBe(false);
      expect(started.body.data.pending_jobs).toEqual([
        expect.objectContaining({
          type: 'post_collection',
          job_id: started.body.data.collection_id,
          poll_url: url,
          result_path: 'data',
          webhook_event: 'posts.collection.completed',
          failure_webhook_event: 'posts.collection.failed',
        }),
      ]);
      const other = apiClient(suite.stack.baseUrl, (await newTeam(suite.stack.pool, 100)).key);
      expect((await other.get(url)).status).toBe(404);
      const done = await untilDone(c.api, url);
      expect(Object.keys(done)).toEqual(
        expect.arrayContaining(['collection_id', 'status', 'depth', 'videos_collected', 'max_videos', 'started_at']),
      );
      expect(done.completed_at).not.toBeNull();
      expect(done).toMatchObject({ finalized: true, pending_jobs: [] });
    });

    it('refuses to collect for a creator whose tracking stopped (409)', async () => {
      const c = await tracked(500, `stop_${randomUUID().slice(0, 6)}`);
      expect((await c.api.delete(c.base)).status).toBe(204);
      const res = await c.api.post(`${c.base}/posts/collect`, {});
      expect(res.status).toBe(409);
      expect((await ledgerOf(suite.stack.pool, c.teamId)).balance).toBe(475);
    });

    it('answers clearly when no posts are collected yet', async () => {
      const c = await tracked(100, `empty_${randomUUID().slice(0, 6)}`);
      const res = await c.api.get(`${c.base}/posting-cadence`);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        total_posts: 0,
        avg_days_between_posts: null,
        posts_per_week: null,
        earliest_post_date: null,
      });
      expect(res.body.data.message).toMatch(/No posts collected yet/);
    });
  });

  describe('audience', () => {
    it('refreshes, serves both halves, answers from the cache for free, and joins a running refresh', async () => {
      const c = await tracked(1000, 'khaby.lame');
      const before = await c.api.get(`${c.base}/audience-demographics`);
      expect(before.status).toBe(200);
      // no snapshot yet: the same object as with one, its result fields null, the async fields inside `data`
      expect(before.body).toEqual({
        data: {
          platform: 'tiktok',
          handle: 'khaby.lame',
          snapshot: null,
          is_stale: null,
          finalized: true,
          pending_jobs: [],
        },
      });

      // two refreshes at once start one job: same id, charged once
      const [a, b] = await Promise.all([
        c.api.post(`${c.base}/audience-refresh`, {}),
        c.api.post(`${c.base}/audience-refresh`, {}),
      ]);
      expect([a.status, b.status]).toEqual([202, 202]);
      expect(a.body.data.job_id).toBe(b.body.data.job_id);
      expect([a.body.data.joined, b.body.data.joined].sort()).toEqual([false, true]);
      expect(a.body.data).toMatchObject({ source: 'job', status: 'processing', credit_unit: 'cent', finalized: false });
      // the joined caller is told where to poll exactly as the starter is
      for (const started of [a, b]) {
        expect(started.body.data.pending_jobs).toEqual([
          expect.objectContaining({
            job_id: a.body.data.job_id,
            poll_url: `${c.base}/audience-refresh/${a.body.data.job_id}`,
            result_path: 'data.snapshot',
          }),
        ]);
      }

      const jobUrl = `${c.base}/audience-refresh/${a.body.data.job_id}`;
      const done = await untilDone(c.api, jobUrl);
      expect(done).toMatchObject({ job_id: a.body.data.job_id, status: 'completed', error: null });
      const snapshot = done.snapshot;
      expect(snapshot.data_source).toBe('comments');
      for (const dist of ['age_distribution', 'gender_distribution', 'language_distribution']) {
        const shares = Object.values(snapshot[dist]) as number[];
        expect(sum(shares)).toBeCloseTo(1, 9);
        expect(shares).toEqual([...shares].sort((x, y) => y - x)); // largest first
      }
      for (const list of ['country_distribution', 'city_distribution']) {
        expect(sum(snapshot[list].map((row: { pct: number }) => row.pct))).toBeCloseTo(1, 9);
      }
      expect(Object.keys(snapshot.confidence_per_signal).sort()).toEqual([
        'age',
        'city',
        'country',
        'gender',
        'language',
      ]);
      expect(snapshot.sample_size).toBeGreaterThan(0);
      expect(snapshot.signal_breakdown.comments).toBe(snapshot.sample_size);

      const demographics = (await c.api.get(`${c.base}/audience-demographics`)).body.data;
      expect(demographics).toMatchObject({
        platform: 'tiktok',
        handle: 'khaby.lame',
        is_stale: false,
        finalized: true,
      });
      expect(demographics.snapshot).toMatchObject({ country_distribution: null, city_distribution: null });
      expect(demographics.snapshot.age_distribution).toEqual(snapshot.age_distribution);
      const geography = (await c.api.get(`${c.base}/audience-geography?freshness_days=7`)).body.data;
      expect(geography.snapshot).toMatchObject({ age_distribution: null, language_distribution: null });
      expect(geography.snapshot.country_distribution).toEqual(snapshot.country_distribution);

      const cached = await c.api.post(`${c.base}/audience-refresh`, { freshness_days: 30 });
      expect(cached.status).toBe(200);
      expect(cached.body.data).toMatchObject({ source: 'cache', job_id: null, credits_used: 0, finalized: true });
      expect(cached.body.data.snapshot.snapshot_id).toBe(snapshot.snapshot_id);

      const forced = await c.api.post(`${c.base}/audience-refresh`, { force: true });
      expect(forced.status).toBe(202);
      expect(forced.body.data.job_id).not.toBe(a.body.data.job_id);
      const pending = (await c.api.get(`${c.base}/audience-geography`)).body.data;
      if (!pending.finalized) {
        expect(pending.pending_jobs[0]).toMatchObject({
          type: 'audience_geography',
          job_id: forced.body.data.job_id,
          webhook_event: 'audience.snapshot.completed',
        });
      }
      await untilDone(c.api, `${c.base}/audience-refresh/${forced.body.data.job_id}`);
      recordHistory(requireEnv('TEMPORAL_ADDRESS'), `creator:${c.id}`, 'creator-audience');
      recordHistory(requireEnv('TEMPORAL_ADDRESS'), `audience:${a.body.data.job_id}`, 'audience-refresh');

      const usage = (await c.api.get('/v1/usage?limit=100')).body.data;
      const audience = usage.filter((row: { operation: string }) => row.operation === 'audience_refresh');
      expect(audience).toHaveLength(2);
      expect((await ledgerOf(suite.stack.pool, c.teamId)).balance).toBe(1000 - 25 - 50 - 50);
      const event = await suite.stack.pool.query(
        `SELECT data FROM events WHERE type = 'audience.snapshot.completed' AND resource_id = $1`,
        [c.id],
      );
      expect(event.rowCount).toBe(2);
    });

    it('keeps finalized and pending_jobs inside data: a read before any snapshot leads to the result', async () => {
      const c = await tracked(1000, `async_${randomUUID().slice(0, 6)}`);
      const handle = (await c.api.get(c.base)).body.data.platform_handle as string;
      // the platform asks for a pause once, so the refresh is still running while the reads below happen
      suite.provider.setFault('tiktok', handle, { kind: 'rate_limited', retryAfterSeconds: 8, times: 1 });
      const started = await c.api.post(`${c.base}/audience-refresh`, {});
      expect(started.status).toBe(202);
      const jobId = started.body.data.job_id as string;
      const pollUrl = `${c.base}/audience-refresh/${jobId}`;
      const expectedJob = {
        status: 'processing',
        job_id: jobId,
        poll_url: pollUrl,
        result_path: 'data.snapshot',
        webhook_event: 'audience.snapshot.completed',
        failure_webhook_event: 'audience.snapshot.failed',
        retry_after_seconds: expect.any(Number),
      };
      expect(started.body.data.pending_jobs).toEqual([
        { ...expectedJob, type: 'audience_demographics', started_at: expect.any(String) },
      ]);

      // a second request joins the running refresh: it is not charged, and it lists the job it joined as pending
      const joined = await c.api.post(`${c.base}/audience-refresh`, {});
      expect(joined.status).toBe(202);
      expect(joined.body.data).toMatchObject({ job_id: jobId, joined: true, credits_used: 0, finalized: false });
      expect(joined.body.data.pending_jobs).toEqual([expect.objectContaining(expectedJob)]);

      // the reads before any snapshot: an object, not null, with the running refresh pending inside it
      for (const half of ['demographics', 'geography'] as const) {
        const read = await c.api.get(`${c.base}/audience-${half}`);
        expect(read.status).toBe(200);
        expect(Object.keys(read.body)).toEqual(['data']);
        expect(read.body.data).toMatchObject({ platform: 'tiktok', handle, snapshot: null, is_stale: null });
        expect(read.body.data.finalized).toBe(false);
        expect(read.body.data.pending_jobs).toEqual([
          expect.objectContaining({ ...expectedJob, type: `audience_${half}` }),
        ]);
      }
      // the job itself answers with the same async fields while it runs
      const running = (await c.api.get(pollUrl)).body.data;
      expect(running).toMatchObject({ status: 'processing', snapshot: null, finalized: false });
      expect(running.pending_jobs).toEqual([expect.objectContaining(expectedJob)]);

      // the documented loop: poll poll_url until data.finalized, then read result_path there
      const read = (await c.api.get(`${c.base}/audience-demographics`)).body.data.pending_jobs[0];
      const { body, result } = await pollToResult(c.api, read);
      expect(body.data).toMatchObject({ status: 'completed', pending_jobs: [] });
      const snapshot = result as { snapshot_id: string; sample_size: number };
      expect(snapshot).toMatchObject({ snapshot_id: expect.any(String), sample_size: expect.any(Number) });
      // and the reads now hold that snapshot at the same path, finalized
      const after = (await c.api.get(`${c.base}/audience-demographics`)).body;
      expect(after.data).toMatchObject({ finalized: true, pending_jobs: [], is_stale: false });
      expect((resolve(after, read.result_path) as { snapshot_id: string }).snapshot_id).toBe(snapshot.snapshot_id);

      const events = await suite.stack.pool.query<{ type: string; data: { job_id: string } }>(
        `SELECT type, data FROM events WHERE resource_id = $1 AND type LIKE 'audience.%'`,
        [c.id],
      );
      expect(events.rows.map((e) => [e.type, e.data.job_id])).toEqual([['audience.snapshot.completed', jobId]]);
      expect((await ledgerOf(suite.stack.pool, c.teamId)).balance).toBe(1000 - 25 - 50);
    });

    it('validates its parameters and finds only known jobs', async () => {
      const c = await tracked(100, `aud_${randomUUID().slice(0, 6)}`);
      for (const body of [{ freshness_days: -1 }, { freshness_days: 'soon' }, { force: 'yes' }, { other: 1 }]) {
        const res = await c.api.post(`${c.base}/audience-refresh`, body);
        expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      }
      expect((await c.api.get(`${c.base}/audience-demographics?freshness_days=x`)).status).toBe(400);
      expect((await c.api.get(`${c.base}/audience-refresh/${randomUUID()}`)).status).toBe(404);
      expect((await ledgerOf(suite.stack.pool, c.teamId)).balance).toBe(75);
    });

    it('refuses a refresh the balance cannot pay with 402', async () => {
      const c = await tracked(25 + 40, `poor_${randomUUID().slice(0, 6)}`);
      const res = await c.api.post(`${c.base}/audience-refresh`, {});
      expect(res.status).toBe(402);
      expect((await ledgerOf(suite.stack.pool, c.teamId)).balance).toBe(40);
    });

    it('refunds a profile-only hint and an INSUFFICIENT_SAMPLE failure, and keeps the charge on a platform error', async () => {
      // silent_ creators have posts nobody comments on, but a declared profile: the ladder ends at profile_only
      const hinted = await tracked(200, `silent_${randomUUID().slice(0, 6)}`, 'instagram');
      const hint = await hinted.api.post(`${hinted.base}/audience-refresh`, {});
      const hintDone = await untilDone(hinted.api, `${hinted.base}/audience-refresh/${hint.body.data.job_id}`);
      expect(hintDone).toMatchObject({ status: 'completed', credits_used: 0 });
      expect(hintDone.snapshot).toMatchObject({ data_source: 'profile_only', confidence_level: 'low' });
      const hintUsage = (await hinted.api.get('/v1/usage?limit=100')).body.data.filter(
        (row: { operation: string }) => row.operation === 'audience_refresh',
      );
      expect(hintUsage.map((row: { status: string }) => row.status)).toContain('refunded');
      expect((await ledgerOf(suite.stack.pool, hinted.teamId)).balance).toBe(175);

      // empty_quiet… creators have no posts and declare nothing: INSUFFICIENT_SAMPLE, refunded
      const nothing = await tracked(200, `empty_quiet${randomUUID().slice(0, 6)}`, 'tiktok');
      const none = await nothing.api.post(`${nothing.base}/audience-refresh`, {});
      const noneDone = await untilDone(nothing.api, `${nothing.base}/audience-refresh/${none.body.data.job_id}`);
      expect(noneDone).toMatchObject({
        status: 'failed',
        error: 'INSUFFICIENT_SAMPLE',
        snapshot: null,
        credits_used: 0,
      });
      const refunds = (await nothing.api.get('/v1/usage?limit=100')).body.data.filter(
        (row: { operation: string; cost: number }) => row.operation === 'audience_refresh' && row.cost < 0,
      );
      expect(refunds.map((row: { cost: number }) => row.cost)).toEqual([-50]);
      expect((await ledgerOf(suite.stack.pool, nothing.teamId)).balance).toBe(175);
      expect(noneDone).toMatchObject({ finalized: true, pending_jobs: [] });

      // a platform error after the reservation: failed, and (as documented) not refunded
      const broken = await tracked(200, `broken_${randomUUID().slice(0, 6)}`, 'youtube');
      const handle = (await broken.api.get(broken.base)).body.data.platform_handle as string;
      suite.provider.setFault('youtube', handle, { kind: 'blocked' });
      const failed = await broken.api.post(`${broken.base}/audience-refresh`, {});
      const failedDone = await untilDone(broken.api, `${broken.base}/audience-refresh/${failed.body.data.job_id}`);
      expect(failedDone).toMatchObject({ status: 'failed', error: 'blocked', snapshot: null, credits_used: 50 });
      expect((await ledgerOf(suite.stack.pool, broken.teamId)).balance).toBe(125);

      // every end records one event: the snapshot made, or the failure, with the documented payload
      const endEvents = async (creatorId: string) =>
        (
          await suite.stack.pool.query<{ type: 'audience.snapshot.completed' | 'audience.snapshot.failed'; data: any }>(
            `SELECT type, data FROM events WHERE resource_id = $1 AND type LIKE 'audience.%' ORDER BY created_at`,
            [creatorId],
          )
        ).rows;
      const expectEnd = async (
        c: { id: string; base: string },
        type: 'audience.snapshot.completed' | 'audience.snapshot.failed',
        jobId: string,
        data: Record<string, unknown>,
      ) => {
        const events = await endEvents(c.id);
        expect(events.map((e) => e.type)).toEqual([type]);
        const event = events[0] as (typeof events)[number];
        expect(event.data).toMatchObject({
          job_id: jobId,
          creator_id: c.id,
          credit_unit: 'cent',
          url: `${c.base}/audience-refresh/${jobId}`,
          ...data,
        });
        const checked = EVENT_DATA[type].safeParse(event.data);
        if (!checked.success) throw new Error(`${type}: ${checked.error.message}`);
      };
      await expectEnd(hinted, 'audience.snapshot.completed', hint.body.data.job_id, {
        status: 'completed',
        credits_used: 0,
        snapshot: expect.objectContaining({ data_source: 'profile_only' }),
      });
      await expectEnd(nothing, 'audience.snapshot.failed', none.body.data.job_id, {
        status: 'failed',
        error: 'INSUFFICIENT_SAMPLE',
        error_message: noneDone.error_message,
        snapshot: null,
        credits_used: 0,
      });
      await expectEnd(broken, 'audience.snapshot.failed', failed.body.data.job_id, {
        status: 'failed',
        error: 'blocked',
        error_message: expect.any(String),
        snapshot: null,
        credits_used: 50,
      });
    });
  });
});
