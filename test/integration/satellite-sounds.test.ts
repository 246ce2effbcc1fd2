import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { soundLookupResultSchema } from '../../api/schemas/satellite-sounds';
import { sampleNote, soundStats } from '../../domain/sound-lookup';
import { requireEnv } from '../helpers/env';
import { recordHistory } from '../helpers/histories';
import { ISO, satelliteKit } from '../helpers/satellite';
import { stackForSuite } from '../helpers/stack';
import { ledgerOf, teamClient } from '../helpers/teams';

/** A few hundred videos over a year and a half; `…0001` is tiny (8–15 videos), `…0002` huge, `…0000` deleted. */
const REGULAR = '7570679470014532374';
const TINY = '7570679470014530001';
const HUGE = '7570679470014530002';
const DELETED = '7570679470014530000';

const start = (musicId: string, query = '') => `/v1/satellite/sounds/tiktok/${musicId}${query ? `?${query}` : ''}`;
const statusPath = (jobId: string) => `/v1/satellite/sounds/status/${jobId}`;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * TikTok sound lookups over real HTTP, against the real worker, Temporal and Postgres with the simulated provider:
 * the seed's own polling loop, the result's every field, the base price and the trend surcharge settled apart, the
 * limits, and each failure refunded.
 */
describe('satellite sound lookups', () => {
  const suite = stackForSuite();

  const {
    untilEnded: ended,
    satelliteLedger,
    eventsOf,
    completedEvent,
    failedStatus,
    startedJob,
  } = satelliteKit(suite, 'sound_lookup');
  const untilEnded = (api: Parameters<typeof ended>[0], jobId: string) => ended(api, jobId, 90_000);

  const stagedRows = async (jobId: string) =>
    (await suite.stack.pool.query('SELECT count(*)::int AS n FROM satellite_job_videos WHERE job_id = $1', [jobId]))
      .rows[0].n;

  it('runs the seed’s polling loop with trend analysis to a result with every documented field, charged 50 + 50', async () => {
    const { api, teamId } = await teamClient(suite.stack, 1000);

    // 1. start: a GET, as the seed's curl -G
    const started = await api.get(start(REGULAR, 'trend_analysis=true'));
    expect(started.status).toBe(202);
    const jobId = started.body.data.job_id as string;
    expect(started.body.data).toEqual(startedJob(jobId, 100));
    expect(started.headers.get('x-ratelimit-limit')).toBe('5');
    expect(started.headers.get('x-ratelimit-remaining')).toBe('4');
    // both reservations are held as the 202 leaves
    expect(await satelliteLedger(teamId)).toEqual([
      ['reserve', -50, `satellite:${jobId}:reserve`],
      ['reserve', -50, `satellite:${jobId}:surcharge:reserve`],
    ]);

    // 2. poll every 2 s until it is no longer processing, as the seed's client does
    let job: any;
    for (let i = 0; i < 45; i++) {
      await sleep(2000);
      job = (await api.get(statusPath(jobId))).body.data;
      if (job.status !== 'processing') break;
    }
    expect(job.status).toBe('completed');
    expect(job).toEqual({
      job_id: jobId,
      status: 'completed',
      run_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      result: expect.any(Object),
      credits_used: 100,
      credit_unit: 'cent',
      created_at: expect.stringMatching(ISO),
      completed_at: expect.stringMatching(ISO),
      finalized: true,
      pending_jobs: [],
    });
    const result = job.result;
    // the published schema accepts it exactly (every documented field, nothing else)
    expect(soundLookupResultSchema.strict().safeParse(result).success).toBe(true);
    expect(Object.keys(result).sort()).toEqual(
      ['data_captured_at', 'request', 'sample_quality', 'sound', 'stats', 'trends', 'videos'].sort(),
    );
    expect(result.request).toEqual({ music_id: REGULAR, platform: 'tiktok', trend_analysis: true, max_videos: 50 });

    const sound = await suite.provider.getSound('tiktok', REGULAR);
    expect(result.sound).toEqual({
      music_id: REGULAR,
      title: sound.title,
      author_name: sound.author_name,
      owner_unique_id: sound.owner_handle,
      album: sound.album,
      duration_seconds: sound.duration_seconds,
      is_original: sound.is_original,
      is_commerce: sound.is_commerce,
      cover_url: sound.cover_url,
      play_url: sound.play_url,
      url: sound.url,
      reported_usage_count: expect.any(Number),
      created_at: sound.created_at,
    });
    expect(result.data_captured_at).toMatch(ISO);

    // the whole listing fits under the cap: every video is read, 300 of them are the creator-diverse sample
    const listing = await suite.provider.listSoundVideos('tiktok', REGULAR, { limit: 1 });
    const total = listing.total as number;
    expect(total).toBeGreaterThan(120);
    expect(result.stats.videos_analyzed).toBe(total);
    expect(result.sample_quality).toEqual({
      truncated_by_cap: false,
      pages_fetched: Math.ceil(total / 20),
      note: sampleNote(total),
    });
    expect(result.videos).toHaveLength(Math.min(300, total));
    const first = result.videos[0];
    expect(first).toEqual({
      platform_video_id: expect.any(String),
      url: expect.stringContaining('https://www.tiktok.com/@'),
      description: expect.any(String),
      views: expect.any(Number),
      likes: expect.any(Number),
      comments: expect.any(Number),
      shares: expect.any(Number),
      collects: expect.any(Number),
      publish_date: expect.stringMatching(ISO),
      duration_seconds: expect.any(Number),
      thumbnail_url: expect.any(String),
      hashtags: expect.any(Array),
      author: {
        unique_id: expect.any(String),
        nickname: expect.any(String),
        user_id: expect.any(String),
        followers: expect.any(Number),
        is_verified: expect.any(Boolean),
      },
      is_commerce_music: expect.any(Boolean),
    });

    // stats: mechanical, so the run's own videos reproduce them when the sample is the whole corpus
    const stats = result.stats;
    expect(Object.keys(stats).sort()).toEqual(
      [
        'videos_analyzed',
        'views',
        'engagement',
        'velocity',
        'verified_creator_count',
        'verified_creator_pct',
        'commerce_music_pct',
        'duration_distribution',
        'top_creators',
        'top_hashtags',
        'top_video',
      ].sort(),
    );
    if (total <= 300) expect(soundStats(result.videos, new Date(result.data_captured_at))).toEqual(stats);
    expect(stats.views.max).toBe(stats.top_video.views);
    expect(stats.velocity.videos_per_week.reduce((a: number, w: any) => a + w.videos, 0)).toBe(total);
    const creators = stats.top_creators.map((c: any) => c.unique_id);
    expect(new Set(creators).size).toBe(creators.length);
    expect(stats.top_creators.length).toBeLessThanOrEqual(10);
    expect(stats.top_hashtags.every((h: any) => h.hashtag === h.hashtag.toLowerCase())).toBe(true);
    const d = stats.duration_distribution;
    expect(d.under_15s + d.between_15_30s + d.between_30_60s + d.over_60s).toBe(total);

    // trends: ran with the heuristic analyst (no model configured), evidence only from the sample, windows real
    expect(result.trends).toMatchObject({
      analyzed: true,
      status: 'ok',
      model_used: 'heuristic-sound-trends-v1',
      cost_usd: null,
      tokens_used: null,
    });
    expect(result.trends.summary).toEqual(expect.any(String));
    expect(result.trends.trends.length).toBeGreaterThan(0);
    const sampled = new Map<string, any>(result.videos.map((v: any) => [v.platform_video_id, v]));
    for (const trend of result.trends.trends) {
      expect(trend.video_count).toBe(trend.evidence_video_ids.length);
      for (const id of trend.evidence_video_ids) expect(sampled.has(id)).toBe(true);
      const dates = trend.evidence_video_ids.map((id: string) => sampled.get(id).publish_date.slice(0, 10)).sort();
      if (trend.time_windows.length > 0) {
        expect(trend.time_windows[0].start_date).toBe(dates[0]);
        expect(trend.time_windows.at(-1).end_date).toBe(dates.at(-1));
        expect(trend.time_windows.reduce((a: number, w: any) => a + w.video_count, 0)).toBe(trend.video_count);
        for (const w of trend.time_windows)
          expect([w.start_date, w.end_date]).toEqual([expect.stringMatching(DAY), expect.stringMatching(DAY)]);
      }
      expect(trend.resurged).toBe(trend.time_windows.length >= 2);
      expect(trend.momentum === null).toBe(trend.time_windows.length < 2);
    }

    // charged once each: base and surcharge captured
    expect(await satelliteLedger(teamId)).toEqual([
      ['reserve', -50, `satellite:${jobId}:reserve`],
      ['reserve', -50, `satellite:${jobId}:surcharge:reserve`],
      ['capture', 0, `satellite:${jobId}:capture`],
      ['capture', 0, `satellite:${jobId}:surcharge:capture`],
    ]);
    expect((await ledgerOf(suite.stack.pool, teamId)).balance).toBe(900);
    // the staged fetch is gone: it lives on in the run
    expect(await stagedRows(jobId)).toBe(0);

    const runId = job.run_id as string;
    expect((await eventsOf(jobId)).map((e) => e.data)).toEqual([completedEvent(jobId, runId, 100)]);

    // pay once, read forever: the run has the same result, its videos page in the same order
    const run = await api.get(`/v1/satellite/runs/${runId}`);
    expect(run.status).toBe(200);
    expect(run.body.data).toEqual({
      run_id: runId,
      job_id: jobId,
      platform: 'tiktok',
      video_count: result.videos.length,
      created_at: expect.stringMatching(ISO),
      type: 'sound_lookup',
      status: 'completed',
      input: result.request,
      result,
    });
    const page = await api.get(`/v1/satellite/runs/${runId}/videos?limit=50&offset=50`);
    expect(page.body.pagination).toEqual({
      limit: 50,
      offset: 50,
      total: result.videos.length,
      has_more: result.videos.length > 100,
    });
    expect(page.body.data).toEqual(
      result.videos.slice(50, 100).map((v: any, i: number) => ({ ...v, position: 50 + i })),
    );
    const listed = await api.get('/v1/satellite/runs?type=sound_lookup&platform=tiktok');
    expect(listed.body.data).toEqual([
      {
        run_id: runId,
        job_id: jobId,
        platform: 'tiktok',
        video_count: result.videos.length,
        created_at: expect.stringMatching(ISO),
        type: 'sound_lookup',
        input: result.request,
      },
    ]);
    expect((await api.get('/v1/satellite/runs?type=video_outlier')).body.data).toEqual([]);
    recordHistory(requireEnv('TEMPORAL_ADDRESS'), `satellite:${jobId}`, 'satellite-sound-lookup');
  });

  it('fetches max_videos without trends for 50 credits, from a sound URL encoded into the path', async () => {
    const { api, teamId } = await teamClient(suite.stack, 100);
    const url = `https://www.tiktok.com/music/some-title-${REGULAR}?lang=en`;
    const started = await api.get(start(encodeURIComponent(url), 'max_videos=30'));
    expect(started.status).toBe(202);
    expect(started.body.data.credits_reserved).toBe(50);
    const done = await untilEnded(api, started.body.data.job_id);
    expect(done.status).toBe('completed');
    expect(done.credits_used).toBe(50);
    expect(done.result.request).toEqual({
      music_id: REGULAR,
      platform: 'tiktok',
      trend_analysis: false,
      max_videos: 30,
    });
    expect(done.result.videos).toHaveLength(30);
    expect(done.result.stats.videos_analyzed).toBe(30);
    // the caller's own limit is not the pagination cap
    expect(done.result.sample_quality).toEqual({
      truncated_by_cap: false,
      pages_fetched: 2,
      note: 'small_corpus_workable',
    });
    expect(done.result.trends).toEqual({
      analyzed: false,
      status: 'skipped',
      summary: expect.any(String),
      trends: [],
      model_used: null,
      cost_usd: null,
      tokens_used: null,
    });
    // the listing's own order (TikTok's: most popular first), the first 30 of it
    const first = await suite.provider.listSoundVideos('tiktok', REGULAR, { limit: 20 });
    const second = await suite.provider.listSoundVideos('tiktok', REGULAR, { limit: 10, cursor: first.next_cursor });
    expect(done.result.videos.map((v: any) => v.platform_video_id)).toEqual(
      [...first.videos, ...second.videos].map((v) => v.platform_video_id),
    );
    expect((await satelliteLedger(teamId)).map(([kind, amount]) => [kind, amount])).toEqual([
      ['reserve', -50],
      ['capture', 0],
    ]);
    expect((await ledgerOf(suite.stack.pool, teamId)).balance).toBe(50);
  });

  it('skips trends on an insufficient corpus and refunds the surcharge, keeping the base charge', async () => {
    const { api, teamId } = await teamClient(suite.stack, 100);
    const started = await api.get(start(TINY, 'trend_analysis=true'));
    expect(started.status).toBe(202);
    const jobId = started.body.data.job_id as string;
    const done = await untilEnded(api, jobId);
    expect(done.status).toBe('completed');
    expect(done.credits_used).toBe(50);
    const count = done.result.stats.videos_analyzed as number;
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(20);
    expect(done.result.sample_quality.note).toBe('insufficient_corpus');
    expect(done.result.trends).toMatchObject({
      analyzed: true,
      status: 'insufficient_corpus',
      trends: [],
      model_used: null,
    });
    expect(await satelliteLedger(teamId)).toEqual([
      ['reserve', -50, `satellite:${jobId}:reserve`],
      ['reserve', -50, `satellite:${jobId}:surcharge:reserve`],
      ['capture', 0, `satellite:${jobId}:capture`],
      ['refund', 50, `satellite:${jobId}:surcharge:refund`],
    ]);
    expect((await ledgerOf(suite.stack.pool, teamId)).balance).toBe(50);
    expect((await eventsOf(jobId)).map((e) => e.data.credits_used)).toEqual([50]);
  });

  it('caps a huge sound at 25 pages / 500 videos and says so, sampling 300 creator-diverse videos', async () => {
    const { api } = await teamClient(suite.stack, 1000);
    const started = await api.get(start(HUGE, 'trend_analysis=true&max_videos=10'));
    expect(started.status).toBe(202);
    const done = await untilEnded(api, started.body.data.job_id);
    expect(done.status).toBe('completed');
    expect(done.result.sample_quality).toEqual({ truncated_by_cap: true, pages_fetched: 25, note: 'deep_corpus' });
    expect(done.result.stats.videos_analyzed).toBe(500);
    // max_videos is ignored with trend analysis, and echoed as asked
    expect(done.result.request.max_videos).toBe(10);
    expect(done.result.videos).toHaveLength(300);
    const ids = done.result.videos.map((v: any) => v.platform_video_id);
    expect(new Set(ids).size).toBe(300);
  });

  it('fails a sound the platform does not know as `deleted`, refunding base and surcharge', async () => {
    const { api, teamId } = await teamClient(suite.stack, 100);
    const started = await api.get(start(DELETED, 'trend_analysis=true'));
    expect(started.status).toBe(202);
    const jobId = started.body.data.job_id as string;
    const done = await untilEnded(api, jobId);
    expect(done).toEqual(failedStatus(jobId, 'deleted'));
    expect(await satelliteLedger(teamId)).toEqual([
      ['reserve', -50, `satellite:${jobId}:reserve`],
      ['reserve', -50, `satellite:${jobId}:surcharge:reserve`],
      ['refund', 50, `satellite:${jobId}:refund`],
      ['refund', 50, `satellite:${jobId}:surcharge:refund`],
    ]);
    expect((await ledgerOf(suite.stack.pool, teamId)).balance).toBe(100);
    expect((await eventsOf(jobId)).map((e) => [e.data.type, e.data.status, e.data.error])).toEqual([
      ['sound_lookup', 'failed', 'deleted'],
    ]);
    expect((await api.get('/v1/satellite/runs')).body.pagination.total).toBe(0);
  });

  it('a cancelled lookup is refunded in full and ends failed with `cancelled`', async () => {
    const { api, teamId } = await teamClient(suite.stack, 100);
    const musicId = `75706794700145${String(Math.floor(Math.random() * 9000) + 1000)}7`;
    // the platform asks for a minute's pause: the job is mid-fetch when it is cancelled
    suite.provider.setFault('tiktok', musicId, { kind: 'rate_limited', retryAfterSeconds: 60 });
    const started = await api.get(start(musicId, 'trend_analysis=true'));
    expect(started.status).toBe(202);
    const jobId = started.body.data.job_id as string;
    expect((await api.get(statusPath(jobId))).body.data.status).toBe('processing');

    const handle = suite.stack.client.workflow.getHandle(`satellite:${jobId}`);
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);

    expect((await api.get(statusPath(jobId))).body.data).toMatchObject({
      status: 'failed',
      error: 'cancelled',
      credits_used: 0,
      finalized: true,
    });
    expect((await satelliteLedger(teamId)).map(([kind, amount]) => [kind, amount])).toEqual([
      ['reserve', -50],
      ['reserve', -50],
      ['refund', 50],
      ['refund', 50],
    ]);
    expect((await ledgerOf(suite.stack.pool, teamId)).balance).toBe(100);
  });

  it('answers 400 for another platform, a bad id or URL and bad query values, before anything is charged', async () => {
    const { api, teamId } = await teamClient(suite.stack, 1000);
    const cases: [string, string, RegExp][] = [
      [start(REGULAR).replace('tiktok', 'youtube'), 'platform', /TikTok only, not youtube/],
      [start(REGULAR).replace('tiktok', 'instagram'), 'platform', /TikTok only, not instagram/],
      [start(REGULAR).replace('tiktok', 'vine'), 'platform', /platform/],
      [start('not-a-sound'), 'music_id', /Not a TikTok music id/],
      [start('%20'), 'music_id', /Not a TikTok music id/],
      [start('12345678901234567890123'), 'music_id', /Not a TikTok music id/],
      [
        start(encodeURIComponent('https://www.youtube.com/watch?v=dQw4w9WgXcQ')),
        'music_id',
        /TikTok only; this is a YouTube URL/,
      ],
      [
        start(encodeURIComponent('https://www.tiktok.com/@khaby.lame/video/7350123456789012345')),
        'music_id',
        /Not a TikTok sound URL/,
      ],
      [
        start(encodeURIComponent('https://example.com/music/x-123')),
        'music_id',
        /Not a TikTok, YouTube or Instagram URL/,
      ],
      [start(REGULAR, 'max_videos=0'), 'max_videos', /max_videos/],
      [start(REGULAR, 'max_videos=101'), 'max_videos', /max_videos/],
      [start(REGULAR, 'max_videos=ten'), 'max_videos', /max_videos/],
      [start(REGULAR, 'trend_analysis=yes'), 'trend_analysis', /trend_analysis/],
      [start(REGULAR, 'unknown=1'), '', /unknown/i],
    ];
    for (const [path, field, message] of cases) {
      const res = await api.get(path);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        status: 400,
        code: 'invalid_request',
      });
      expect(res.body.error.message).toMatch(message);
      if (field)
        expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
    }
    expect(await satelliteLedger(teamId)).toEqual([]);
    // none used up the start budget
    const ok = await api.get(start(TINY));
    expect(ok.status).toBe(202);
    expect(ok.headers.get('x-ratelimit-remaining')).toBe('4');
    await untilEnded(api, ok.body.data.job_id);
  });

  it('answers an empty music id as it answers a blank one: 400 naming music_id, nothing charged', async () => {
    const { api, teamId } = await teamClient(suite.stack, 1000);
    const blank = await api.get(start('%20'));
    expect(blank.status).toBe(400);
    for (const path of [start(''), start('', 'max_videos=5'), '/v1/satellite/sounds/tiktok']) {
      const res = await api.get(path);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        status: 400,
        code: blank.body.error.code,
      });
      expect(res.body.error.message).toMatch(/music_id/);
      expect(res.body.error.details).toEqual([expect.objectContaining({ location: 'path', path: 'music_id' })]);
    }
    // the status path ending at `status` is an empty job id, not a platform named `status`
    const status = await api.get(statusPath(''));
    expect({ status: status.status, details: status.body.error?.details }).toEqual({
      status: 400,
      details: [expect.objectContaining({ location: 'path', path: 'job_id' })],
    });
    expect((await api.post(start(''), {})).status).toBe(405);
    expect(await satelliteLedger(teamId)).toEqual([]);
  });

  it('answers 402 when the balance cannot pay 50, or 100 with trend analysis', async () => {
    const poor = await teamClient(suite.stack, 99);
    const refused = await poor.api.get(start(TINY, 'trend_analysis=true'));
    expect(refused.status).toBe(402);
    expect(refused.body.error).toMatchObject({ status: 402, code: 'payment_required' });
    expect(await satelliteLedger(poor.teamId)).toEqual([]);
    // 99 pays the base price alone
    const ok = await poor.api.get(start(TINY));
    expect(ok.status).toBe(202);
    await untilEnded(poor.api, ok.body.data.job_id);
    const broke = await teamClient(suite.stack, 49);
    expect((await broke.api.get(start(TINY))).status).toBe(402);
    expect(await satelliteLedger(broke.teamId)).toEqual([]);
  });

  it('limits sound lookups to 5 a minute per team on their own budget: the 6th is a 429 with Retry-After', async () => {
    const { api } = await teamClient(suite.stack, 1000);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await api.get(start(TINY));
      expect(res.status).toBe(202);
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(4 - i));
      ids.push(res.body.data.job_id);
    }
    const sixth = await api.get(start(TINY));
    expect(sixth.status).toBe(429);
    expect(sixth.body.error).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(sixth.body.error.message).toMatch(/5 sound lookups per minute/);
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(sixth.headers.get('x-ratelimit-limit')).toBe('5');
    expect(sixth.headers.get('x-ratelimit-remaining')).toBe('0');
    for (const id of ids) expect((await untilEnded(api, id)).status).toBe('completed');
    // polling is not limited
    for (let i = 0; i < 10; i++) expect((await api.get(statusPath(ids[0]!))).status).toBe(200);
  });

  it('answers an unknown job, another team’s job and a video outlier job on the sound status path alike: 404', async () => {
    const owner = await teamClient(suite.stack, 1000);
    const stranger = await teamClient(suite.stack, 1000);
    const started = await owner.api.get(start(TINY));
    const done = await untilEnded(owner.api, started.body.data.job_id);
    expect(done.status).toBe('completed');
    const missing = await stranger.api.get(statusPath(randomUUID()));
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    for (const path of [
      statusPath(done.job_id),
      `/v1/satellite/runs/${done.run_id}`,
      `/v1/satellite/runs/${done.run_id}/videos`,
    ]) {
      const res = await stranger.api.get(path);
      expect({ path, status: res.status, code: res.body.error.code }).toEqual({ path, status: 404, code: 'not_found' });
      expect((await owner.api.get(path)).status).toBe(200);
    }
    // a job of the other type is not a sound lookup
    expect((await owner.api.get(`/v1/satellite/video-outlier/status/${done.job_id}`)).status).toBe(404);
    expect((await owner.api.get(statusPath('not-a-uuid'))).status).toBe(400);
  });
});
