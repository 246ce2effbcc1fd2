import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createSatelliteActivities } from '../../activities/satellite';
import type { Platform, Post } from '../../domain/platform';
import { outlierAnalysis, performanceLabel } from '../../domain/satellite-stats';
import { heuristicSoundTrendGenerator } from '../../domain/sound-trends';
import type { SatelliteOutcome } from '../../workflows/satellite';
import { requireEnv } from '../helpers/env';
import { recordHistory } from '../helpers/histories';
import { ISO, satelliteKit } from '../helpers/satellite';
import { stackForSuite } from '../helpers/stack';
import { ledgerOf, teamClient } from '../helpers/teams';

const START = '/v1/satellite/video-outlier';
const statusPath = (jobId: string) => `/v1/satellite/video-outlier/status/${jobId}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The video outlier analysis and the durable satellite runs over real HTTP, against the real worker, Temporal and
 * Postgres with the simulated provider: the seed's own client loop, the saga's ledger rows, the event, the limits.
 */
describe('satellite video outlier analysis', () => {
  const suite = stackForSuite();

  const newHandle = (prefix = 'sat') => `${prefix}_${randomUUID().slice(0, 8)}`;

  /** A video of a simulated creator, from among their most recent ones. */
  async function videoOf(platform: Platform, handle: string, index = 2): Promise<Post> {
    const page = await suite.provider.listPosts(platform, handle, { limit: index + 1 });
    const post = page.posts[index];
    if (!post) throw new Error(`@${handle} has fewer than ${index + 1} posts`);
    return post;
  }

  const { untilEnded, satelliteLedger, eventsOf, completedEvent, failedStatus, startedJob } = satelliteKit(
    suite,
    'video_outlier',
  );

  const jobRows = async (teamId: string) =>
    (await suite.stack.pool.query('SELECT id, status FROM satellite_jobs WHERE team_id = $1', [teamId])).rows;

  it('runs the seed’s polling loop to a completed analysis with every documented field, charged once', async () => {
    const { api, teamId } = await teamClient(suite.stack, 1000);
    const handle = newHandle();
    const target = await videoOf('tiktok', handle);

    // 1. start the job
    const started = await api.post(START, { url: target.url, platform: 'tiktok' });
    expect(started.status).toBe(202);
    const jobId = started.body.data.job_id as string;
    expect(started.body.data).toEqual(startedJob(jobId, 25));
    expect(started.headers.get('x-ratelimit-limit')).toBe('5');
    expect(started.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(Number(started.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    expect(started.headers.get('retry-after')).toBeNull();
    // the promise is backed: the 25 credits are held as the 202 leaves
    expect(await satelliteLedger(teamId)).toEqual([['reserve', -25, `satellite:${jobId}:reserve`]]);

    // 2. poll every 2 s, up to 90 s, exactly as the seed's client does
    let job: any;
    for (let i = 0; i < 45; i++) {
      await sleep(2000);
      const { body } = await api.get(statusPath(jobId));
      job = body.data;
      if (job.status === 'completed') break;
      if (job.status === 'failed') throw new Error(job.error);
    }
    expect(job.status).toBe('completed');
    expect(job).toEqual({
      job_id: jobId,
      status: 'completed',
      run_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      result: { video: expect.any(Object), creator: expect.any(Object), analysis: expect.any(Object) },
      credits_used: 25,
      credit_unit: 'cent',
      created_at: expect.stringMatching(ISO),
      completed_at: expect.stringMatching(ISO),
      finalized: true,
      pending_jobs: [],
    });

    const { video, creator, analysis } = job.result;
    expect(video).toEqual({
      platform_video_id: target.platform_video_id,
      url: target.url,
      title: expect.any(String),
      views: expect.any(Number),
      likes: expect.any(Number),
      comments: expect.any(Number),
      shares: expect.any(Number),
      publishDate: target.published_at,
      thumbnail_url: expect.any(String),
      duration_seconds: expect.any(Number),
    });
    expect(creator).toEqual({
      username: handle,
      platform: 'tiktok',
      profile: {
        followers: expect.any(Number),
        following: expect.any(Number),
        avatar_url: expect.any(String),
        url: `https://www.tiktok.com/@${handle}`,
        // the creator's bio as the platform gives it (a few simulated creators have none: null, not "")
        description: (await suite.provider.getProfile('tiktok', handle)).bio,
        is_verified: expect.any(Boolean),
        total_videos: expect.any(Number),
        total_likes: expect.any(Number),
        // TikTok shows no profile-level view count: null, not a sum over a sample
        total_views: null,
        total_posts: creator.profile.total_videos,
      },
    });
    expect(analysis).toEqual({
      videos_analyzed: Math.min(100, creator.profile.total_videos),
      median_views: expect.any(Number),
      avg_views: expect.any(Number),
      outlier_score: expect.any(Number),
      percentile: expect.any(Number),
      std_deviation: expect.any(Number),
      z_score: expect.any(Number),
      performance_label: performanceLabel(analysis.outlier_score),
    });
    expect(analysis.percentile).toBeGreaterThanOrEqual(0);
    expect(analysis.percentile).toBeLessThanOrEqual(100);

    // the run keeps the videos the analysis rests on: recomputing from them gives the same numbers
    const runId = job.run_id as string;
    const videos = await api.get(`/v1/satellite/runs/${runId}/videos?limit=100`);
    expect(videos.status).toBe(200);
    expect(videos.body.pagination).toEqual({
      limit: 100,
      offset: 0,
      total: analysis.videos_analyzed,
      has_more: false,
    });
    const listed = videos.body.data as { position: number; platform_video_id: string; views: number }[];
    expect(listed.map((v) => v.position)).toEqual(listed.map((_, i) => i));
    // the target is one of the creator's most recent videos, so it is among them, as the seed analyses it
    expect(listed.map((v) => v.platform_video_id)).toContain(target.platform_video_id);
    expect(
      outlierAnalysis(
        listed.map((v) => v.views),
        video.views,
      ),
    ).toEqual(analysis);

    // charged once: reserved at the start, captured at the end
    expect(await satelliteLedger(teamId)).toEqual([
      ['reserve', -25, `satellite:${jobId}:reserve`],
      ['capture', 0, `satellite:${jobId}:capture`],
    ]);
    expect((await ledgerOf(suite.stack.pool, teamId)).balance).toBe(1000 - 25);

    // one event, in the transaction that completed the job
    const events = await eventsOf(jobId);
    expect(events).toEqual([
      {
        type: 'satellite.lookup.completed',
        resource_type: 'satellite_job',
        data: completedEvent(jobId, runId, 25),
      },
    ]);

    // the durable run: the same result, with what was asked
    const run = await api.get(`/v1/satellite/runs/${runId}`);
    expect(run.status).toBe(200);
    expect(run.body.data).toEqual({
      run_id: runId,
      job_id: jobId,
      platform: 'tiktok',
      video_count: analysis.videos_analyzed,
      created_at: expect.stringMatching(ISO),
      type: 'video_outlier',
      status: 'completed',
      input: { url: target.url, platform: 'tiktok', platform_video_id: target.platform_video_id, handle },
      result: job.result,
    });
    recordHistory(requireEnv('TEMPORAL_ADDRESS'), `satellite:${jobId}`, 'satellite-video-outlier');
  });

  it('takes the creator of a URL that does not name one from `handle`, with null for what a platform hides', async () => {
    const { api, teamId } = await teamClient(suite.stack, 1000);
    const youtuber = newHandle('yt');
    const instagrammer = newHandle('ig');
    const yt = await videoOf('youtube', youtuber, 0);
    const ig = await videoOf('instagram', instagrammer, 0);

    // neither URL names its creator: 400 without `handle`, nothing charged
    for (const [url, platform] of [
      [yt.url, 'youtube'],
      [ig.url, 'instagram'],
    ] as const) {
      const refused = await api.post(START, { url, platform });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'invalid_request', details: [{ path: 'url' }] });
      expect(refused.body.error.message).toMatch(/creator cannot be resolved.*handle/);
    }
    expect(await satelliteLedger(teamId)).toEqual([]);

    const [ytStart, igStart] = await Promise.all([
      api.post(START, { url: yt.url, platform: 'youtube', handle: youtuber }),
      // a username in the URL path names the creator; `handle` may repeat it
      api.post(START, {
        url: `https://www.instagram.com/${instagrammer}/reel/${ig.platform_video_id}/`,
        platform: 'instagram',
        handle: `@${instagrammer.toUpperCase()}`,
      }),
    ]);
    expect([ytStart.status, igStart.status]).toEqual([202, 202]);
    const [ytDone, igDone] = await Promise.all([
      untilEnded(api, ytStart.body.data.job_id),
      untilEnded(api, igStart.body.data.job_id),
    ]);

    expect(ytDone.status).toBe('completed');
    expect(ytDone.result.video).toMatchObject({ url: `https://www.youtube.com/watch?v=${yt.platform_video_id}` });
    expect(ytDone.result.video.title).toEqual(expect.any(String));
    expect(ytDone.result.creator.username).toBe(youtuber);
    expect(ytDone.result.creator.profile).toMatchObject({
      url: `https://www.youtube.com/@${youtuber}`,
      total_views: expect.any(Number),
      total_likes: null,
      total_videos: expect.any(Number),
    });

    expect(igDone.status).toBe('completed');
    expect(igDone.result.video.url).toBe(`https://www.instagram.com/reel/${ig.platform_video_id}/`);
    expect(igDone.result.creator.profile).toMatchObject({
      // Instagram counts photos among its posts: a post count, not a video count
      total_videos: null,
      total_posts: expect.any(Number),
      total_likes: null,
      total_views: null,
    });
    const igRun = await api.get(`/v1/satellite/runs/${igDone.run_id}`);
    expect(igRun.body.data.input).toEqual({
      url: `https://www.instagram.com/${instagrammer}/reel/${ig.platform_video_id}/`,
      platform: 'instagram',
      platform_video_id: ig.platform_video_id,
      handle: instagrammer,
    });
    expect((await ledgerOf(suite.stack.pool, teamId)).balance).toBe(1000 - 50);
  });

  it('fails a job the platform refuses with a typed error and refunds it exactly', async () => {
    const { api, teamId } = await teamClient(suite.stack, 100);
    const handle = newHandle();
    const target = await videoOf('tiktok', handle);
    suite.provider.setFault('tiktok', target.platform_video_id, { kind: 'deleted' });

    const started = await api.post(START, { url: target.url, platform: 'tiktok' });
    expect(started.status).toBe(202);
    const jobId = started.body.data.job_id as string;
    const ended = await untilEnded(api, jobId);
    expect(ended).toEqual(failedStatus(jobId, 'deleted'));
    expect(await satelliteLedger(teamId)).toEqual([
      ['reserve', -25, `satellite:${jobId}:reserve`],
      ['refund', 25, `satellite:${jobId}:refund`],
    ]);
    expect((await ledgerOf(suite.stack.pool, teamId)).balance).toBe(100);
    expect((await eventsOf(jobId)).map((e) => e.data)).toEqual([
      {
        type: 'video_outlier',
        job_id: jobId,
        platform: 'tiktok',
        url: statusPath(jobId),
        credit_unit: 'cent',
        status: 'failed',
        run_id: null,
        run_url: null,
        error: 'deleted',
        error_message: ended.error_message,
        credits_used: 0,
      },
    ]);
    // a failed job leaves no run
    expect((await api.get('/v1/satellite/runs')).body.pagination.total).toBe(0);
  });

  it('fails as `empty`, refunded, when the creator has no video to compare with', async () => {
    const { api, teamId } = await teamClient(suite.stack, 100);
    const handle = newHandle('empty');
    const started = await api.post(START, {
      url: `https://www.tiktok.com/@${handle}/video/7212345678901234567`,
      platform: 'tiktok',
    });
    expect(started.status).toBe(202);
    const ended = await untilEnded(api, started.body.data.job_id);
    expect(ended).toMatchObject({ status: 'failed', error: 'empty', credits_used: 0 });
    expect((await satelliteLedger(teamId)).map(([kind]) => kind)).toEqual(['reserve', 'refund']);
    expect((await ledgerOf(suite.stack.pool, teamId)).balance).toBe(100);
  });

  it('answers 400 for what the URL cannot be, checked before anything is charged', async () => {
    const { api, teamId } = await teamClient(suite.stack, 1000);
    const tiktok = 'https://www.tiktok.com/@khaby.lame/video/7350123456789012345';
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ url: 'https://example.com/watch?v=abc', platform: 'tiktok' }, 'url', /Not a TikTok, YouTube or Instagram URL/],
      [{ url: 'not a url at all', platform: 'youtube' }, 'url', /Invalid url/],
      [{ url: 'https://www.tiktok.com/@khaby.lame', platform: 'tiktok' }, 'url', /Not a TikTok video URL/],
      [{ url: tiktok, platform: 'youtube' }, 'url', /the url is a tiktok video but platform is youtube/],
      [{ url: tiktok, platform: 'tiktok', handle: 'someone.else' }, 'handle', /names the creator @khaby\.lame/],
      [
        { url: 'https://youtu.be/dQw4w9WgXcQ', platform: 'youtube', handle: 'a b' },
        'handle',
        /not a valid YouTube handle/,
      ],
      [{ url: tiktok, platform: 'vine' }, 'platform', /platform/],
      [{ platform: 'tiktok' }, 'url', /url/],
      [{ url: tiktok, platform: 'tiktok', extra: 1 }, '', /extra/],
    ];
    for (const [body, path, message] of cases) {
      const res = await api.post(START, body);
      expect({ body, status: res.status, code: res.body.error.code }).toEqual({
        body,
        status: 400,
        code: 'invalid_request',
      });
      expect(res.body.error.message).toMatch(message);
      if (path) expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    }
    expect(await satelliteLedger(teamId)).toEqual([]);
    expect(await jobRows(teamId)).toEqual([]);
    // none of them used up the start budget: five accepted starts still fit in the minute
    const handle = newHandle();
    const target = await videoOf('tiktok', handle);
    const ok = await api.post(START, { url: target.url, platform: 'tiktok' });
    expect(ok.status).toBe(202);
    expect(ok.headers.get('x-ratelimit-remaining')).toBe('4');
    await untilEnded(api, ok.body.data.job_id);
  });

  it('answers 402 when the balance cannot pay 25, and holds the credits before every 202 under a race', async () => {
    const poor = await teamClient(suite.stack, 24);
    const url = (await videoOf('tiktok', newHandle())).url;
    const refused = await poor.api.post(START, { url, platform: 'tiktok' });
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe('payment_required');
    expect(await satelliteLedger(poor.teamId)).toEqual([]);
    expect(await jobRows(poor.teamId)).toEqual([]);

    // 50 credits and three racing starts: every one passes the quick balance check, the reservations decide
    const racing = await teamClient(suite.stack, 50);
    const answers = await Promise.all([0, 1, 2].map(() => racing.api.post(START, { url, platform: 'tiktok' })));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 202, 402]);
    const reserved = (await satelliteLedger(racing.teamId)).filter(([kind]) => kind === 'reserve');
    expect(reserved).toHaveLength(2);
    // the refused one left nothing behind: no job, no event, nothing charged
    const accepted = answers.filter((a) => a.status === 202).map((a) => a.body.data.job_id as string);
    expect((await jobRows(racing.teamId)).map((r) => r.id).sort()).toEqual([...accepted].sort());
    for (const id of accepted) expect((await untilEnded(racing.api, id)).status).toBe('completed');
    expect((await ledgerOf(suite.stack.pool, racing.teamId)).balance).toBe(0);
  });

  it('limits starts to 5 a minute per team: the 6th is a 429 with Retry-After; polling is not limited', async () => {
    const { api } = await teamClient(suite.stack, 1000);
    const target = await videoOf('tiktok', newHandle());
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api.post(START, { url: target.url, platform: 'tiktok' });
      expect(res.status).toBe(202);
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(4 - i));
      ids.push(res.body.data.job_id);
    }
    const sixth = await api.post(START, { url: target.url, platform: 'tiktok' });
    expect(sixth.status).toBe(429);
    expect(sixth.body.error).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(sixth.body.error.message).toMatch(/5 video outlier analyses per minute/);
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(sixth.headers.get('x-ratelimit-limit')).toBe('5');
    expect(sixth.headers.get('x-ratelimit-remaining')).toBe('0');

    for (const id of ids) expect((await untilEnded(api, id)).status).toBe('completed');
    for (let i = 0; i < 10; i++) expect((await api.get(statusPath(ids[0]!))).status).toBe(200);
    // the limit is the team's own: another team starts at once
    const other = await teamClient(suite.stack, 100);
    expect((await other.api.post(START, { url: target.url, platform: 'tiktok' })).status).toBe(202);
  });

  it('answers another team’s jobs and runs exactly as missing ones: 404', async () => {
    const owner = await teamClient(suite.stack, 1000);
    const stranger = await teamClient(suite.stack, 1000);
    const started = await owner.api.post(START, {
      url: (await videoOf('tiktok', newHandle())).url,
      platform: 'tiktok',
    });
    const done = await untilEnded(owner.api, started.body.data.job_id);
    const paths = (jobId: string, runId: string) => [
      statusPath(jobId),
      `/v1/satellite/runs/${runId}`,
      `/v1/satellite/runs/${runId}/videos`,
    ];
    const foreign = paths(done.job_id, done.run_id);
    const missing = paths(randomUUID(), randomUUID());
    for (let i = 0; i < foreign.length; i++) {
      const [a, b] = await Promise.all([stranger.api.get(foreign[i]!), stranger.api.get(missing[i]!)]);
      expect({ path: foreign[i], status: a.status, code: a.body.error.code, message: a.body.error.message }).toEqual({
        path: foreign[i],
        status: 404,
        code: b.body.error.code,
        message: b.body.error.message,
      });
      expect(b.status).toBe(404);
      expect((await owner.api.get(foreign[i]!)).status).toBe(200);
    }
    expect((await stranger.api.get('/v1/satellite/runs')).body.pagination.total).toBe(0);
    expect((await stranger.api.get(statusPath('not-a-uuid'))).status).toBe(400);
  });

  it('lists runs newest first, filters by type and platform, and pages through a run’s videos', async () => {
    const { api } = await teamClient(suite.stack, 1000);
    const tiktoker = newHandle();
    const youtuber = newHandle('yt');
    const first = await api.post(START, { url: (await videoOf('tiktok', tiktoker)).url, platform: 'tiktok' });
    const firstDone = await untilEnded(api, first.body.data.job_id);
    const second = await api.post(START, {
      url: (await videoOf('youtube', youtuber)).url,
      platform: 'youtube',
      handle: youtuber,
    });
    const secondDone = await untilEnded(api, second.body.data.job_id);

    const all = await api.get('/v1/satellite/runs');
    expect(all.status).toBe(200);
    expect(all.body.data.map((r: any) => r.run_id)).toEqual([secondDone.run_id, firstDone.run_id]);
    expect(all.body.pagination).toEqual({
      page: 1,
      limit: 20,
      total: 2,
      total_pages: 1,
      has_next_page: false,
      has_prev_page: false,
    });
    expect(all.body.data[1]).toEqual({
      run_id: firstDone.run_id,
      job_id: first.body.data.job_id,
      platform: 'tiktok',
      video_count: firstDone.result.analysis.videos_analyzed,
      created_at: expect.stringMatching(ISO),
      type: 'video_outlier',
      input: expect.objectContaining({ platform: 'tiktok', handle: tiktoker }),
    });
    const ids = async (query: string) =>
      (await api.get(`/v1/satellite/runs?${query}`)).body.data.map((r: any) => r.run_id);
    expect(await ids('platform=tiktok')).toEqual([firstDone.run_id]);
    expect(await ids('platform=youtube&type=video_outlier')).toEqual([secondDone.run_id]);
    expect(await ids('type=sound_lookup')).toEqual([]);
    expect(await ids('limit=1&page=2')).toEqual([firstDone.run_id]);
    expect((await api.get('/v1/satellite/runs?type=nope')).status).toBe(400);
    expect((await api.get('/v1/satellite/runs?limit=101')).status).toBe(400);

    // pages of a run's videos meet without overlap, in the stored order
    const base = `/v1/satellite/runs/${firstDone.run_id}/videos`;
    const whole = (await api.get(`${base}?limit=100`)).body;
    const total = whole.pagination.total as number;
    expect(total).toBe(firstDone.result.analysis.videos_analyzed);
    expect(total).toBeGreaterThan(30);
    const one = await api.get(`${base}?limit=30&offset=0`);
    const two = await api.get(`${base}?limit=30&offset=30`);
    expect(one.body.pagination).toEqual({ limit: 30, offset: 0, total, has_more: true });
    expect(two.body.pagination).toEqual({ limit: 30, offset: 30, total, has_more: total > 60 });
    expect([...one.body.data, ...two.body.data]).toEqual(whole.data.slice(0, 60));
    expect(two.body.data[0].position).toBe(30);
    const beyond = await api.get(`${base}?offset=${total}`);
    expect(beyond.body).toEqual({ data: [], pagination: { limit: 50, offset: total, total, has_more: false } });
    expect((await api.get(`${base}?limit=0`)).status).toBe(400);
    expect((await api.get(`${base}?offset=-1`)).status).toBe(400);
  });

  it('a cancelled job is refunded and ends failed with `cancelled`', async () => {
    const { api, teamId } = await teamClient(suite.stack, 100);
    const target = await videoOf('tiktok', newHandle());
    // the platform asks for a minute's pause: the job is mid-flight when it is cancelled
    suite.provider.setFault('tiktok', target.platform_video_id, { kind: 'rate_limited', retryAfterSeconds: 60 });
    const started = await api.post(START, { url: target.url, platform: 'tiktok' });
    expect(started.status).toBe(202);
    const jobId = started.body.data.job_id as string;
    expect((await api.get(statusPath(jobId))).body.data.status).toBe('processing');

    const handle = suite.stack.client.workflow.getHandle(`satellite:${jobId}`);
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);

    const ended = (await api.get(statusPath(jobId))).body.data;
    expect(ended).toMatchObject({ status: 'failed', error: 'cancelled', credits_used: 0, finalized: true });
    expect(await satelliteLedger(teamId)).toEqual([
      ['reserve', -25, `satellite:${jobId}:reserve`],
      ['refund', 25, `satellite:${jobId}:refund`],
    ]);
    expect((await ledgerOf(suite.stack.pool, teamId)).balance).toBe(100);
    expect((await eventsOf(jobId)).map((e) => [e.data.status, e.data.error])).toEqual([['failed', 'cancelled']]);
  });

  it('refuses to complete a job whose fetched videos were not staged, so its saga refunds instead of charging', async () => {
    // a job fetched by a version that carried the videos through the workflow, completing after an upgrade
    const { teamId } = await teamClient(suite.stack, 100);
    const jobId = randomUUID();
    await suite.stack.pool.query(
      `INSERT INTO satellite_jobs (id, team_id, type, platform, input, status, credits_reserved)
       VALUES ($1, $2, 'video_outlier', 'tiktok', '{}', 'processing', 25)`,
      [jobId, teamId],
    );
    const activities = createSatelliteActivities({
      pool: suite.stack.pool,
      provider: suite.provider,
      trends: heuristicSoundTrendGenerator,
    });
    const target = await videoOf('tiktok', newHandle());
    const outcome = { type: 'video_outlier', video: target, creator: {} } as unknown as SatelliteOutcome;
    const completing = new MockActivityEnvironment().run(activities.completeSatelliteJob, {
      jobId,
      teamId,
      type: 'video_outlier',
      platform: 'tiktok',
      runId: randomUUID(),
      request: { url: target.url, platformVideoId: target.platform_video_id, handle: 'x' },
      outcome,
      creditsUsed: 25,
      reservationKey: `satellite:${jobId}:reserve`,
      captureKey: `satellite:${jobId}:capture`,
    } as never);
    await expect(completing).rejects.toMatchObject({ type: 'unavailable', nonRetryable: true });
    expect((await jobRows(teamId)).map((j) => j.status)).toEqual(['processing']);
    expect(await satelliteLedger(teamId)).toEqual([]);
  });
});
