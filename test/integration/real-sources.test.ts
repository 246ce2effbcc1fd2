import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from 'prom-client';
import { activityCancellation } from '../../activities/cancellation';
import { parseConfig } from '../../domain/config';
import { createSources, type Sources } from '../../providers/sources';
import { untilDone } from '../helpers/creators';
import {
  apifyWorld,
  APIFY_TEST_TOKEN,
  fakeApify,
  tiktokSoundVideo,
  WORLD_INSTAGRAM_HANDLE,
  WORLD_TIKTOK_HANDLE,
  type ApifyWorld,
} from '../helpers/fake-apify';
import { FAKE_MODEL, fakeOpenAi } from '../helpers/fake-openai';
import { FakeUpstream } from '../helpers/fake-upstream';
import {
  FAKE_YOUTUBE_API_KEY,
  fakeYouTube,
  youtubeErrorReply,
  youtubeWorld,
  type YouTubeWorld,
} from '../helpers/fake-youtube';
import { eventually } from '../helpers/http';
import { stackForSuite } from '../helpers/stack';
import { ledgerOf, teamClient } from '../helpers/teams';

const openAiFixture = (name: string) =>
  JSON.parse(
    JSON.parse(readFileSync(path.join(__dirname, '../fixtures/openai', `${name}.json`), 'utf8')).choices[0].message
      .content,
  ) as unknown;
const CREATOR_ANALYSIS = openAiFixture('creator-report');
const VIDEO_ANALYSIS = openAiFixture('video-report');

/** A sound with 40 videos on the fake sound scraper, by 30 creators over two bursts a month apart. */
const SOUND_ID = '7570679470014532374';
const soundVideos = Array.from({ length: 40 }, (_, i) => {
  const created = Date.parse('2026-05-01T12:00:00.000Z') + (i < 20 ? i : 30 + i) * 86_400_000;
  return tiktokSoundVideo({
    id: String(7_571_000_000_000_000_000n + BigInt(i)),
    webVideoUrl: undefined,
    playCount: 100_000 + i * 1_000,
    createTime: Math.floor(created / 1000),
    createTimeISO: new Date(created).toISOString(),
    authorMeta: { name: i % 4 === 0 ? 'sound.regular' : `dancer${i}` },
  });
});
/** What the model answers for the sound: one trend over every video, and an id it made up. */
const SOUND_TRENDS = {
  summary: 'A mirror dance in two bursts.',
  trends: [
    {
      name: 'Mirror dance',
      description: 'Creators dance in front of a mirror on the drop.',
      tactics: ['Film in a mirror', 'Cut on the drop'],
      confidence: 0.9,
      evidence_video_ids: [...soundVideos.map((v) => v.id as string), '7999999999999999999'],
    },
  ],
};

const BUSY_MODEL_HANDLE = 'busymodelchef';
const MODEL_KEY = 'sk-test-never-logged';

const num = (value: string | number | undefined | null) =>
  value === undefined || value === null ? null : Number(value);

/**
 * The worker on all three real sources, each pointed at a local server speaking its documented API: YouTube Data API
 * v3, Apify actor runs for TikTok and Instagram, and an OpenAI-compatible model writing every report. What the API
 * serves afterwards must be exactly what the upstreams served.
 */
describe('tracking on real sources (local YouTube, Apify and model servers)', () => {
  const youtube: YouTubeWorld = youtubeWorld({ now: new Date() });
  const apify: ApifyWorld = apifyWorld();
  const model = fakeOpenAi((body: { response_format?: { json_schema?: { name?: string } } }) =>
    // a model that is always busy for one creator of the suite
    JSON.stringify(body).includes(BUSY_MODEL_HANDLE)
      ? {
          kind: 'error',
          status: 429,
          code: 'rate_limit_exceeded',
          retryAfter: '1',
          // an upstream that echoes the caller's key must not get it stored with the failure
          message: `Rate limit reached for key ${MODEL_KEY}`,
        }
      : {
          kind: 'report',
          analysis:
            {
              video_report: VIDEO_ANALYSIS,
              sound_trends: SOUND_TRENDS,
            }[body.response_format?.json_schema?.name ?? ''] ?? CREATOR_ANALYSIS,
        },
  );
  apify.tiktokSounds[SOUND_ID] = soundVideos;
  const servers = [new FakeUpstream(fakeYouTube(youtube)), new FakeUpstream(fakeApify(apify)), new FakeUpstream(model)];
  let sources: Sources;

  // the upstream servers start first: the sources are configured with their addresses
  const suite = stackForSuite(async () => {
    await Promise.all(servers.map((s) => s.start()));
    const [yt, ap, llm] = servers as [FakeUpstream, FakeUpstream, FakeUpstream];
    const config = parseConfig({
      DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
      YOUTUBE_API_KEY: FAKE_YOUTUBE_API_KEY,
      YOUTUBE_API_BASE_URL: `${yt.url}/youtube/v3`,
      APIFY_TOKEN: APIFY_TEST_TOKEN,
      APIFY_API_BASE_URL: ap.url,
      OPENAI_API_KEY: MODEL_KEY,
      OPENAI_BASE_URL: `${llm.url}/v1`,
      OPENAI_MODEL: 'gpt-4o-mini',
      // the suite polls and runs actors far faster than a deployment would
      APIFY_RUNS_PER_MINUTE: '6000',
    });
    sources = createSources(config, { registry: new Registry(), ambientSignal: activityCancellation });
    return { provider: sources.provider, sources, rateLimitPerMinute: 100_000 };
  });
  // jest runs afterAll hooks in declaration order: this one runs once the stack has stopped
  afterAll(async () => {
    await Promise.all(sources?.upstreams.map((u) => u.stop()) ?? []);
    await Promise.all(servers.map((s) => s.stop()));
  });

  /** A fresh team tracking one creator, returned once its first cycle has ended (well or not). */
  const track = async (platform: string, handle: string, credits = 2_000) => {
    const { api, ...team } = await teamClient(suite.stack, credits);
    const created = await api.post('/v1/tracking/creators', { platform, handle });
    expect(created.status).toBe(202);
    const id = created.body.data.id as string;
    const creator = await eventually(
      `the first cycle of ${platform} @${handle}`,
      async () => {
        const res = await api.get(`/v1/tracking/creators/${id}`);
        const data = res.body.data;
        return data.finalized && data.enrichment_status !== 'pending' ? data : undefined;
      },
      60_000,
    );
    return { ...team, api, id, creator, base: `/v1/tracking/creators/${id}` };
  };

  it('says in /healthz which source serves each platform and who writes reports', async () => {
    const res = await fetch(`${suite.stack.baseUrl}/healthz`);
    expect(await res.json()).toEqual({
      status: 'ok',
      instance_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sources: {
        platforms: { tiktok: 'apify', youtube: 'youtube-data-api', instagram: 'apify' },
        reports: { generator: 'openai-compatible', model: 'gpt-4o-mini', base_url: `${servers[2]!.url}/v1` },
      },
    });
  });

  it('tracks a YouTube channel with exactly the Data API numbers and the model report, then collects and samples', async () => {
    const channel = youtube.channels[0]!;
    const c = await track('youtube', channel.handle);
    expect(c.creator).toMatchObject({
      enrichment_status: 'ready',
      display_name: channel.title,
      latest_followers: channel.subscriberCount,
    });
    const snapshots = await c.api.get(`${c.base}/snapshots`);
    expect(snapshots.body.data).toHaveLength(1);
    expect(snapshots.body.data[0]).toMatchObject({
      followers: channel.subscriberCount,
      subscribers: channel.subscriberCount,
      total_views: channel.viewCount,
      total_videos: channel.videoCount ?? channel.videos.length,
      total_likes: null,
      following: null,
    });

    const report = await c.api.get(`${c.base}/report`);
    expect(report.body.data.report).toMatchObject({ model_used: FAKE_MODEL, analysis: CREATOR_ANALYSIS });
    // the tokens the model said it spent are stored with the report
    // every request so far was answered, so the n-th request's answer is the n-th served
    const asked = model.requests.findIndex((body) => JSON.stringify(body).includes(channel.handle));
    const served = model.served[asked]!;
    const stored = await suite.stack.pool.query<{ prompt_tokens: number; completion_tokens: number }>(
      'SELECT prompt_tokens, completion_tokens FROM creator_reports WHERE id = $1',
      [report.body.data.report.id],
    );
    expect(stored.rows[0]).toEqual({
      prompt_tokens: served.usage!.prompt_tokens,
      completion_tokens: served.usage!.completion_tokens,
    });

    const collect = await c.api.post(`${c.base}/posts/collect`, { depth: 'standard' });
    expect(collect.status).toBe(202);
    const done = await untilDone(c.api, collect.body.data.poll_url);
    expect(done).toMatchObject({ status: 'completed', videos_collected: 50 });
    const posts = await c.api.get(`${c.base}/posts?limit=200`);
    expect(posts.body.data).toHaveLength(50);
    for (const post of posts.body.data) {
      const served = channel.videos.find((v) => v.id === post.platform_video_id)!;
      expect(post).toMatchObject({
        url: `https://www.youtube.com/watch?v=${served.id}`,
        title: served.title,
        views: served.viewCount,
        likes: served.likeCount,
        comments: served.commentCount,
        shares: null,
        bookmarks: null,
      });
    }
    // the video whose likes are hidden is stored as unknown, never as 0
    const hidden = posts.body.data.find(
      (p: { platform_video_id: string }) => p.platform_video_id === channel.videos[2]!.id,
    );
    expect(hidden.likes).toBeNull();

    const refresh = await c.api.post(`${c.base}/audience-refresh`, {});
    expect(refresh.status).toBe(202);
    const audience = await untilDone(c.api, `${c.base}/audience-refresh/${refresh.body.data.job_id}`);
    expect(audience.status).toBe('completed');
    expect(youtube.calls['commentThreads.list']).toBeGreaterThan(0);
  });

  it('tracks a TikTok creator and an Instagram creator through Apify with exactly the actors’ numbers', async () => {
    const tiktok = apify.tiktok[WORLD_TIKTOK_HANDLE]!;
    const t = await track('tiktok', WORLD_TIKTOK_HANDLE);
    const [tSnapshot] = (await t.api.get(`${t.base}/snapshots`)).body.data;
    expect(tSnapshot).toMatchObject({
      followers: tiktok.authorMeta.fans,
      following: tiktok.authorMeta.following,
      total_likes: tiktok.authorMeta.heart,
      total_videos: tiktok.authorMeta.video,
      subscribers: null,
      collected_post_count: 30,
      total_views: tiktok.videos.slice(0, 30).reduce((sum, v) => sum + Number(v.playCount), 0),
    });
    const tPosts = (await t.api.get(`${t.base}/posts?limit=200`)).body.data;
    expect(tPosts).toHaveLength(30);
    for (const post of tPosts) {
      const served = tiktok.videos.find((v) => String(v.id) === post.platform_video_id)!;
      expect(post).toMatchObject({
        views: served.playCount,
        likes: served.diggCount,
        comments: served.commentCount,
        shares: served.shareCount,
        bookmarks: num(served.collectCount),
      });
    }
    const tReport = await t.api.get(`${t.base}/report`);
    expect(tReport.body.data.report).toMatchObject({ model_used: FAKE_MODEL, analysis: CREATOR_ANALYSIS });
    const tCollect = await t.api.post(`${t.base}/posts/collect`, { depth: 'deep' });
    expect(await untilDone(t.api, tCollect.body.data.poll_url)).toMatchObject({
      status: 'completed',
      videos_collected: 120,
    });
    const commentRuns = () => apify.runs.filter((run) => run.actorId.includes('comments')).length;
    const before = commentRuns();
    const tRefresh = await t.api.post(`${t.base}/audience-refresh`, {});
    expect((await untilDone(t.api, `${t.base}/audience-refresh/${tRefresh.body.data.job_id}`)).status).toBe(
      'completed',
    );
    // the commenters of ten posts come from one actor run, not ten
    expect(commentRuns() - before).toBe(1);

    const insta = apify.instagram[WORLD_INSTAGRAM_HANDLE]!;
    const i = await track('instagram', WORLD_INSTAGRAM_HANDLE);
    const [iSnapshot] = (await i.api.get(`${i.base}/snapshots`)).body.data;
    expect(iSnapshot).toMatchObject({
      followers: insta.profile.followersCount,
      following: insta.profile.followsCount,
      total_videos: insta.profile.postsCount,
      total_likes: null,
      subscribers: null,
    });
    const iPosts = (await i.api.get(`${i.base}/posts?limit=200`)).body.data;
    expect(iPosts.length).toBeGreaterThan(0);
    for (const post of iPosts) {
      const served = insta.posts.find((p) => p.shortCode === post.platform_video_id)!;
      expect(post.views).toBe(num(served.videoPlayCount ?? served.videoViewCount));
      expect(post.likes).toBe(served.likesCount < 0 ? null : served.likesCount);
      expect(post.comments).toBe(served.commentsCount);
    }
  });

  it('tracks a video on each platform with the upstream’s counts', async () => {
    const { api } = await teamClient(suite.stack, 2_000);
    const ytVideo = youtube.channels[0]!.videos[0]!;
    const ttVideo = apify.tiktok[WORLD_TIKTOK_HANDLE]!.videos[0]!;
    const igPost = apify.instagram[WORLD_INSTAGRAM_HANDLE]!.posts.find((p) => p.type === 'Video')!;
    const cases = [
      { platform: 'youtube', url: `https://www.youtube.com/watch?v=${ytVideo.id}`, views: ytVideo.viewCount },
      { platform: 'tiktok', url: ttVideo.webVideoUrl as string, views: Number(ttVideo.playCount) },
      { platform: 'instagram', url: igPost.url as string, views: num(igPost.videoPlayCount ?? igPost.videoViewCount) },
    ];
    for (const c of cases) {
      const created = await api.post('/v1/tracking/videos', { platform: c.platform, url: c.url });
      expect(created.status).toBe(202);
      const id = created.body.data.id as string;
      await eventually(`the first cycle of ${c.url}`, async () => {
        const res = await api.get(`/v1/tracking/videos/${id}`);
        return res.body.data.finalized ? true : undefined;
      });
      const snapshots = await api.get(`/v1/tracking/videos/${id}/snapshots`);
      expect(snapshots.body.data[0].views).toBe(c.views);
      const report = await api.get(`/v1/tracking/videos/${id}/report`);
      expect(report.body.data).toMatchObject({ model_used: FAKE_MODEL, analysis: VIDEO_ANALYSIS });
    }
  });

  it('fails the first cycle of an unknown channel as deleted and refunds its charge', async () => {
    const { creator, teamId } = await track('youtube', 'nosuchchannel', 500);
    expect(creator).toMatchObject({ enrichment_status: 'failed', last_failure: { kind: 'deleted' } });
    const { entries, balance } = await ledgerOf(suite.stack.pool, teamId);
    expect(balance).toBe(500);
    expect(entries.map((e) => e.kind)).toEqual(['topup', 'reserve', 'refund']);
  });

  it('writes the report when one of the top posts has been deleted since it was collected', async () => {
    const channel = youtubeWorld({ handle: 'gonepostchef', seed: 'gone-post', now: new Date() }).channels[0]!;
    youtube.channels.push(channel);
    const top = [...channel.videos.slice(0, 30)].sort((a, b) => b.viewCount - a.viewCount)[0]!;
    youtube.fault = (req, method) =>
      method === 'commentThreads.list' && req.url.searchParams.get('videoId') === top.id
        ? youtubeErrorReply('error-video-not-found')
        : undefined;
    try {
      const c = await track('youtube', channel.handle);
      expect(c.creator.enrichment_status).toBe('ready');
      const report = await c.api.get(`${c.base}/report`);
      expect(report.body.data.report).toMatchObject({ model_used: FAKE_MODEL, analysis: CREATOR_ANALYSIS });
    } finally {
      youtube.fault = undefined;
    }
  });

  it('fails a cycle whose model keeps answering 429 as rate_limited, waiting as asked, and refunds it', async () => {
    youtube.channels.push(
      youtubeWorld({ handle: BUSY_MODEL_HANDLE, seed: 'busy-model', now: new Date() }).channels[0]!,
    );
    const { creator, teamId } = await track('youtube', BUSY_MODEL_HANDLE, 500);
    expect(creator).toMatchObject({ enrichment_status: 'failed', last_failure: { kind: 'rate_limited' } });
    // one request per activity attempt: the adapter does not retry on its own, Temporal does (three attempts)
    expect(model.requests.filter((body) => JSON.stringify(body).includes(BUSY_MODEL_HANDLE))).toHaveLength(3);
    expect((await ledgerOf(suite.stack.pool, teamId)).balance).toBe(500);
  });

  it('looks a sound up through the Apify sound scraper and finds its trends with the configured model', async () => {
    const { api, teamId } = await teamClient(suite.stack, 1_000);
    const started = await api.get(`/v1/satellite/sounds/tiktok/${SOUND_ID}?trend_analysis=true`);
    expect(started.status).toBe(202);
    const done = await eventually(
      'the sound lookup',
      async () => {
        const data = (await api.get(`/v1/satellite/sounds/status/${started.body.data.job_id}`)).body.data;
        return data.status === 'processing' ? undefined : data;
      },
      60_000,
    );
    expect(done.status).toBe('completed');
    const { result } = done;
    expect(result.sound).toMatchObject({
      music_id: SOUND_ID,
      title: 'Golden Hour (Slowed)',
      reported_usage_count: null,
    });
    expect(result.videos.map((v: { platform_video_id: string }) => v.platform_video_id).sort()).toEqual(
      soundVideos.map((v) => v.id as string).sort(),
    );
    expect(result.stats.top_creators[0]).toMatchObject({ unique_id: 'sound.regular', video_count: 10 });
    expect(result.sample_quality).toEqual({ truncated_by_cap: false, pages_fetched: 2, note: 'small_corpus_workable' });
    expect(result.trends).toMatchObject({
      analyzed: true,
      status: 'ok',
      model_used: FAKE_MODEL,
      summary: SOUND_TRENDS.summary,
    });
    expect(result.trends.tokens_used).toEqual(expect.any(Number));
    const [trend] = result.trends.trends;
    // the invented id is gone; the windows come from the videos' own dates: two bursts a month apart, the later stronger
    expect(trend.evidence_video_ids).toHaveLength(40);
    expect(trend.evidence_video_ids).not.toContain('7999999999999999999');
    expect(
      trend.time_windows.map((w: { start_date: string; video_count: number }) => [w.start_date, w.video_count]),
    ).toEqual([
      ['2026-05-01', 20],
      ['2026-06-20', 20],
    ]);
    expect([trend.resurged, trend.momentum]).toEqual([true, 'stronger']);
    // one actor run served both the listing and the sound
    expect(apify.runs.filter((r) => r.actorId === apify.actors.tiktokSound)).toHaveLength(1);
    expect((await ledgerOf(suite.stack.pool, teamId)).balance).toBe(900);
  });

  it('never writes an upstream credential into Postgres or a workflow history', async () => {
    const secrets = [FAKE_YOUTUBE_API_KEY, APIFY_TEST_TOKEN, MODEL_KEY];
    const tables = await suite.stack.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    expect(tables.rows.length).toBeGreaterThan(10);
    for (const { table_name } of tables.rows) {
      const dump = await suite.stack.pool.query<{ text: string | null }>(
        `SELECT string_agg(row_to_json(t)::text, ' ') AS text FROM "${table_name}" t`,
      );
      for (const secret of secrets) expect(dump.rows[0]?.text ?? '').not.toContain(secret);
    }
    const workflows = suite.stack.client.workflow.list({ query: `TaskQueue = "${suite.stack.taskQueue}"` });
    let checked = 0;
    for await (const info of workflows) {
      const history = await suite.stack.client.workflow.getHandle(info.workflowId, info.runId).fetchHistory();
      // payloads are bytes: read them as the text they encode
      const text = JSON.stringify(history, (_key, value: unknown) =>
        value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value,
      );
      for (const secret of secrets) expect(text).not.toContain(secret);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(3);
  });
});
