import { Registry } from 'prom-client';
import { ProviderError, SourceConfigError, type Platform } from '../../domain/platform';
import { APIFY_DEFAULT_ACTORS, ApifyProvider, type ApifyOptions } from '../../providers/apify';
import { Upstream, type UpstreamCall } from '../../providers/upstream';
import {
  APIFY_TEST_TOKEN,
  apifyWorld,
  fakeApify,
  instagramComment,
  instagramPost,
  instagramProfile,
  tiktokAuthor,
  tiktokComment,
  tiktokSoundVideo,
  tiktokVideo,
  WORLD_INSTAGRAM_HANDLE,
  WORLD_TIKTOK_HANDLE,
  type ApifyWorld,
} from '../helpers/fake-apify';
import { FakeUpstream } from '../helpers/fake-upstream';
import instagramProfileFixture from '../fixtures/apify/instagram-profile-scraper-item.json';
import soundFixture from '../fixtures/apify/tiktok-sound-scraper-item.json';

const server = new FakeUpstream(() => ({ status: 500 }));
let world: ApifyWorld;
const upstreams: Upstream[] = [];

beforeAll(async () => {
  await server.start();
});
afterAll(async () => {
  await server.stop();
});
beforeEach(() => {
  world = apifyWorld();
  server.handler = fakeApify(world);
  server.requests.length = 0;
});
afterEach(async () => {
  await Promise.all(upstreams.splice(0).map((u) => u.stop()));
});

function setup(options: Partial<ApifyOptions> & { timeoutMs?: number } = {}) {
  const { timeoutMs = 2000, ...rest } = options;
  const upstream = new Upstream('apify', { concurrency: 4, perMinute: 6000, timeoutMs }, new Registry());
  upstreams.push(upstream);
  const calls: UpstreamCall[] = [];
  upstream.onCall((call) => calls.push(call));
  const provider = new ApifyProvider({
    token: APIFY_TEST_TOKEN,
    baseUrl: server.url,
    actors: world.actors,
    runTimeoutSeconds: 30,
    upstream,
    ...rest,
  });
  const runs = () => calls.filter((c) => c.operation.startsWith('run:'));
  return { provider, calls, runs };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  expect((err as Error).message).not.toContain(APIFY_TEST_TOKEN);
  return err as ProviderError;
}

/** Serves every run started with `rewrite(input)` in place of the input the provider sent. */
function rewriteRunInput(rewrite: (input: Record<string, any>) => Record<string, any>): void {
  const apify = fakeApify(world);
  server.handler = (req) =>
    req.method === 'POST' && req.url.pathname.endsWith('/runs')
      ? apify({ ...req, json: rewrite(req.json) })
      : apify(req);
}

/** One creator whose single video is the fixture item as the TikTok scraper's readme shows it. */
function fixtureTikTok(): void {
  world.tiktok['chef.lina'] = { authorMeta: tiktokAuthor(), videos: [tiktokVideo()] };
}

describe('ApifyProvider on TikTok', () => {
  it('maps the scraper item to a profile and a post with the exact numbers', async () => {
    fixtureTikTok();
    const { provider } = setup();
    expect(await provider.getProfile('tiktok', '@Chef.Lina')).toEqual({
      platform: 'tiktok',
      platform_user_id: '6812345678901234567',
      handle: 'chef.lina',
      display_name: 'Lina Cooks',
      avatar_url: 'https://p16-sign-va.tiktokcdn.com/tos-maliva-avt-0068/lina~tplv-tiktokx-cropcenter:720:720.jpeg',
      profile_url: 'https://www.tiktok.com/@chef.lina',
      bio: 'Easy recipes every week 🍳',
      is_verified: true,
      followers: 1_284_000,
      following: 312,
      total_videos: 842,
      total_likes: 45_210_000,
      total_views: null,
      subscribers: null,
      category: null,
      country: 'US',
      language: null,
      external_links: ['https://linacooks.example'],
    });
    const page = await provider.listPosts('tiktok', 'chef.lina', { limit: 30 });
    expect(page).toEqual({
      posts: [
        {
          platform: 'tiktok',
          platform_video_id: '7402518377251810566',
          url: 'https://www.tiktok.com/@chef.lina/video/7402518377251810566',
          title: null,
          description: 'Crispy tacos in 15 minutes 🌮 #cooking #recipe #fyp',
          thumbnail_url: 'https://p16-sign-va.tiktokcdn.com/obj/tos-maliva-p-0068/cover-7402518377251810566.jpeg',
          published_at: '2024-08-12T09:59:49.000Z',
          duration_seconds: 34,
          views: 1_523_000,
          likes: 98_300,
          comments: 1312,
          shares: 2140,
          bookmarks: 8710,
          hashtags: ['cooking', 'recipe', 'fyp'],
          is_duet: null,
          is_stitch: null,
        },
      ],
      next_cursor: null,
    });
  });

  it('starts the scraper with the documented input, the token in the Authorization header only', async () => {
    const { provider, calls } = setup();
    await provider.getProfile('tiktok', WORLD_TIKTOK_HANDLE);
    expect(world.runs).toHaveLength(1);
    expect(world.runs[0]!.actorId).toBe(APIFY_DEFAULT_ACTORS.tiktok);
    expect(world.runs[0]!.input).toEqual({
      profiles: [WORLD_TIKTOK_HANDLE],
      resultsPerPage: 30,
      shouldDownloadVideos: false,
      shouldDownloadCovers: false,
      shouldDownloadSubtitles: false,
      shouldDownloadSlideshowImages: false,
    });
    expect(world.runs[0]!.query).toMatchObject({ timeout: '30', maxItems: '30' });
    const start = server.requestsTo('/v2/actors/clockworks~tiktok-scraper/runs');
    expect(start).toHaveLength(1);
    for (const req of server.requests) {
      expect(req.headers.authorization).toBe(`Bearer ${APIFY_TEST_TOKEN}`);
      expect(req.url.search).not.toContain(APIFY_TEST_TOKEN);
    }
    expect(calls.map((c) => [c.operation, c.units, c.outcome])).toEqual([
      ['run:clockworks~tiktok-scraper', 1, 'ok'],
      ['dataset.items', 0, 'ok'],
    ]);
  });

  it('serves getProfile and listPosts(30) of one cycle from one actor run, newest first', async () => {
    const videos = world.tiktok[WORLD_TIKTOK_HANDLE]!.videos;
    // a pinned old video leads the profile's listing, as on TikTok
    videos.unshift({ ...videos.splice(40, 1)[0]!, isPinned: true });
    const { provider, runs } = setup();
    const profile = await provider.getProfile('tiktok', WORLD_TIKTOK_HANDLE);
    const page = await provider.listPosts('tiktok', WORLD_TIKTOK_HANDLE, { limit: 30 });
    expect(runs()).toHaveLength(1);
    expect(world.runs).toHaveLength(1);
    expect(profile.total_videos).toBe(120);
    expect(page.posts).toHaveLength(30);
    const times = page.posts.map((p) => Date.parse(p.published_at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(page.posts[0]).toMatchObject({
      platform_video_id: videos[1]!.id,
      views: videos[1]!.playCount,
      likes: videos[1]!.diggCount,
      bookmarks: videos[1]!.collectCount,
    });
    expect(page.posts.at(-1)!.platform_video_id).toBe(videos[0]!.id);
    // the run fetched 30: nothing more to page through
    expect(page.next_cursor).toBeNull();
  });

  it('pages 120 posts in pages of 50 from one run, later pages reading the dataset only', async () => {
    const { provider, calls, runs } = setup();
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await provider.listPosts('tiktok', WORLD_TIKTOK_HANDLE, { limit: 50, cursor, total: 120 });
      sizes.push(page.posts.length);
      seen.push(...page.posts.map((p) => p.platform_video_id));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(sizes).toEqual([50, 50, 20]);
    expect(new Set(seen).size).toBe(120);
    expect(seen).toEqual(world.tiktok[WORLD_TIKTOK_HANDLE]!.videos.map((v) => v.id));
    expect(runs()).toHaveLength(1);
    expect(world.runs[0]!.input.resultsPerPage).toBe(120);
    expect(calls.filter((c) => c.operation === 'dataset.items').map((c) => c.units)).toEqual([0, 0, 0]);
  });

  it('reads a later page from its cursor on a fresh instance (an activity retried elsewhere)', async () => {
    const first = await setup().provider.listPosts('tiktok', WORLD_TIKTOK_HANDLE, { limit: 50, total: 120 });
    const { provider, runs } = setup();
    const second = await provider.listPosts('tiktok', WORLD_TIKTOK_HANDLE, { limit: 50, cursor: first.next_cursor });
    expect(runs()).toHaveLength(0);
    expect(second.posts[0]!.platform_video_id).toBe(world.tiktok[WORLD_TIKTOK_HANDLE]!.videos[50]!.id);
  });

  it('runs again when the cached run is stale or fetched fewer posts than needed', async () => {
    let now = 1_000_000;
    const { provider, runs } = setup({ now: () => now, cacheTtlMs: 60_000 });
    await provider.getProfile('tiktok', WORLD_TIKTOK_HANDLE);
    await provider.listPosts('tiktok', WORLD_TIKTOK_HANDLE, { limit: 10 });
    expect(runs()).toHaveLength(1);
    await provider.listPosts('tiktok', WORLD_TIKTOK_HANDLE, { limit: 50, total: 100 });
    expect(runs()).toHaveLength(2);
    expect(world.runs[1]!.input.resultsPerPage).toBe(100);
    now += 60_000;
    await provider.getProfile('tiktok', WORLD_TIKTOK_HANDLE);
    expect(runs()).toHaveLength(3);
  });

  it('reports an absent count as null, never 0', async () => {
    const video = tiktokVideo({ shareCount: 0 });
    delete video.collectCount;
    delete video.videoMeta.duration;
    world.tiktok['chef.lina'] = { authorMeta: tiktokAuthor(), videos: [video] };
    const [post] = (await setup().provider.listPosts('tiktok', 'chef.lina', { limit: 5 })).posts;
    expect(post).toMatchObject({ bookmarks: null, shares: 0, duration_seconds: null });
  });

  it('reads one post by its URL, or by a placeholder-author URL when none is given', async () => {
    const video = world.tiktok[WORLD_TIKTOK_HANDLE]!.videos[7]!;
    const { provider } = setup();
    const post = await provider.getPost('tiktok', video.id, { url: video.webVideoUrl });
    expect(post).toMatchObject({ platform_video_id: video.id, views: video.playCount, comments: video.commentCount });
    expect(world.runs[0]!.input).toMatchObject({ postURLs: [video.webVideoUrl] });
    await provider.getPost('tiktok', video.id);
    expect(world.runs[1]!.input).toMatchObject({ postURLs: [`https://www.tiktok.com/@_/video/${video.id}`] });
    expect((await failure(provider.getPost('tiktok', '7000000000000000001'))).kind).toBe('deleted');
  });

  it('reads a run that answers with another video as deleted, never as that video', async () => {
    const [asked, other] = world.tiktok[WORLD_TIKTOK_HANDLE]!.videos;
    rewriteRunInput((input) => ({ ...input, postURLs: [other!.webVideoUrl] }));
    const err = await failure(setup().provider.getPost('tiktok', asked!.id, { url: asked!.webVideoUrl }));
    expect(err.kind).toBe('deleted');
    expect(world.datasets.get(world.runs[0]!.datasetId)!.map((i) => i.id)).toEqual([other!.id]);
  });

  it('maps comments from the comments scraper', async () => {
    const id = '7402518377251810566';
    world.tiktokComments[id] = [tiktokComment()];
    const url = `https://www.tiktok.com/@chef.lina/video/${id}`;
    const page = await setup().provider.listComments('tiktok', id, { limit: 20, url });
    expect(page).toEqual({
      comments: [
        {
          id: '7402601234567890123',
          platform_video_id: id,
          author_handle: 'mara_eats',
          text: 'Made these tonight, my kids loved them!',
          likes: 412,
          published_at: '2024-08-12T13:40:00.000Z',
          author: { handle: 'mara_eats', location: null, pronouns: null, bio: null },
        },
      ],
      next_cursor: null,
    });
    expect(world.runs[0]!.actorId).toBe(APIFY_DEFAULT_ACTORS.tiktokComments);
    expect(world.runs[0]!.input).toEqual({ postURLs: [url], commentsPerPost: 20, maxRepliesPerComment: 0 });
  });

  it('serves the same post’s comments from one run within the TTL', async () => {
    const video = world.tiktok[WORLD_TIKTOK_HANDLE]!.videos[3]!;
    const { provider, runs } = setup();
    const first = await provider.listComments('tiktok', video.id, { limit: 20, url: video.webVideoUrl });
    const second = await provider.listComments('tiktok', video.id, { limit: 20, url: video.webVideoUrl });
    expect(second).toEqual(first);
    expect(first.comments).toHaveLength(20);
    expect(runs()).toHaveLength(1);
    await provider.listComments('tiktok', world.tiktok[WORLD_TIKTOK_HANDLE]!.videos[4]!.id, { limit: 20 });
    expect(runs()).toHaveLength(2);
  });

  it('reads comments by a placeholder-author URL when no URL is known', async () => {
    const video = world.tiktok[WORLD_TIKTOK_HANDLE]!.videos[6]!;
    const page = await setup().provider.listComments('tiktok', video.id, { limit: 100 });
    expect(page.comments.map((c) => c.id)).toEqual(world.tiktokComments[video.id]!.map((c) => c.cid));
    expect(world.runs[0]!.input.postURLs).toEqual([`https://www.tiktok.com/@_/video/${video.id}`]);
  });

  it('answers an empty follower page when no followers actor is configured', async () => {
    const { provider, runs } = setup({ actors: { ...APIFY_DEFAULT_ACTORS } });
    expect(await provider.listFollowers('tiktok', WORLD_TIKTOK_HANDLE, { limit: 50 })).toEqual({
      accounts: [],
      next_cursor: null,
    });
    expect(runs()).toHaveLength(0);
  });

  it('reads followers through a configured followers actor, paging its dataset', async () => {
    const { provider, runs } = setup();
    const first = await provider.listFollowers('tiktok', WORLD_TIKTOK_HANDLE, { limit: 40 });
    expect(first.accounts).toHaveLength(40);
    expect(first.accounts[0]).toEqual({ handle: 'follower.0', location: null, pronouns: null, bio: 'home cook #0' });
    expect(first.accounts[1]!.bio).toBeNull();
    expect(world.runs[0]!.input).toEqual({
      profiles: [WORLD_TIKTOK_HANDLE],
      maxFollowersPerProfile: 40,
      maxFollowingPerProfile: 0,
    });
    expect(first.next_cursor).toBeNull();
    expect(runs()).toHaveLength(1);
  });
});

describe('ApifyProvider on TikTok sounds', () => {
  const MUSIC = '7570679470014532374';
  /** 130 videos using the sound, by 100 creators (every tenth video by one regular), most popular first */
  function soundWorld(): void {
    world.tiktokSounds[MUSIC] = Array.from({ length: 130 }, (_, i) =>
      tiktokSoundVideo({
        id: String(7_571_000_000_000_000_000n + BigInt(i)),
        playCount: 2_000_000 - i * 10_000,
        webVideoUrl: undefined,
        authorMeta: { name: i % 10 === 0 ? 'regular.one' : `creator${i}`, fans: 1000 + i },
      }),
    );
  }

  it('maps the sound scraper’s item: the sound from its musicMeta, the video and its author, nothing invented', async () => {
    world.tiktokSounds[MUSIC] = [tiktokSoundVideo()];
    const { provider } = setup();
    const sound = await provider.getSound('tiktok', MUSIC);
    expect(sound).toEqual({
      platform: 'tiktok',
      music_id: MUSIC,
      title: 'Golden Hour (Slowed)',
      author_name: 'Nova Lane',
      owner_handle: null,
      album: 'Golden Hour',
      duration_seconds: null,
      is_original: false,
      is_commerce: false,
      cover_url: soundFixture.musicMeta.coverMediumUrl,
      play_url: soundFixture.musicMeta.playUrl,
      url: `https://www.tiktok.com/music/golden-hour-slowed-${MUSIC}`,
      // the scraper does not report these: null, not 0
      video_count: null,
      created_at: null,
    });
    const page = await provider.listSoundVideos('tiktok', MUSIC, { limit: 20 });
    expect(page.videos).toEqual([
      expect.objectContaining({
        platform_video_id: soundFixture.id,
        url: soundFixture.webVideoUrl,
        views: 1_840_000,
        likes: 212_000,
        comments: 1_930,
        shares: 8_410,
        bookmarks: 24_700,
        duration_seconds: 14,
        hashtags: ['travel', 'cinematic', 'fyp'],
        music_id: MUSIC,
        author_handle: 'mila.rossi',
        author_user_id: soundFixture.authorMeta.id,
        author_display_name: 'Mila',
        author_followers: 412_000,
        author_is_verified: false,
        is_commerce_music: null,
      }),
    ]);
    expect(page.next_cursor).toBeNull();
  });

  it('runs the sound scraper once with the documented input for the whole read, later pages reading its dataset', async () => {
    soundWorld();
    const { provider, runs } = setup();
    const first = await provider.listSoundVideos('tiktok', MUSIC, { limit: 20, total: 100 });
    await provider.getSound('tiktok', MUSIC);
    expect(world.runs.map((r) => [r.actorId, r.input])).toEqual([
      [
        APIFY_DEFAULT_ACTORS.tiktokSound,
        expect.objectContaining({ musics: [`https://www.tiktok.com/music/sound-${MUSIC}`], resultsPerPage: 100 }),
      ],
    ]);
    const ids = first.videos.map((v) => v.platform_video_id);
    let cursor = first.next_cursor;
    while (cursor) {
      const page = await provider.listSoundVideos('tiktok', MUSIC, { limit: 20, cursor });
      ids.push(...page.videos.map((v) => v.platform_video_id));
      cursor = page.next_cursor;
    }
    expect(ids).toEqual(world.tiktokSounds[MUSIC]!.slice(0, 100).map((v) => v.id));
    expect(runs()).toHaveLength(1);
  });

  it('reads a sound without videos as deleted, another platform as blocked, and a bad id as deleted', async () => {
    const { provider } = setup();
    expect((await failure(provider.getSound('tiktok', '7570679470014530000'))).kind).toBe('deleted');
    expect(await provider.listSoundVideos('tiktok', '7570679470014530000', { limit: 20 })).toEqual({
      videos: [],
      next_cursor: null,
      total: 0,
    });
    expect((await failure(provider.getSound('youtube', MUSIC))).kind).toBe('blocked');
    expect((await failure(provider.listSoundVideos('instagram', MUSIC, { limit: 5 }))).kind).toBe('blocked');
    expect((await failure(provider.getSound('tiktok', 'abc'))).kind).toBe('deleted');
  });

  it('maps the sound scraper’s failures as other runs do', async () => {
    soundWorld();
    world.fault = { fault: { kind: 'http', status: 429, retryAfter: '30' }, actor: APIFY_DEFAULT_ACTORS.tiktokSound };
    const { provider } = setup();
    const limited = await failure(provider.listSoundVideos('tiktok', MUSIC, { limit: 20 }));
    expect([limited.kind, limited.retryAfterSeconds]).toEqual(['rate_limited', 30]);
  });
});

describe('ApifyProvider on Instagram', () => {
  function fixtureInstagram(): void {
    const fixture = instagramProfileFixture as Record<string, any>;
    world.instagram['studio.nara'] = {
      profile: instagramProfile(),
      posts: (fixture.latestPosts as Record<string, any>[]).map((p) => ({ ...p })),
    };
  }

  it('maps the profile item and serves a shallow read from its latestPosts, with no second run', async () => {
    fixtureInstagram();
    const { provider, runs } = setup();
    expect(await provider.getProfile('instagram', 'studio.nara')).toEqual({
      platform: 'instagram',
      platform_user_id: '48072609927',
      handle: 'studio.nara',
      display_name: 'Nara Studio',
      avatar_url: 'https://scontent.cdninstagram.com/v/t51.2885-19/nara_320.jpg',
      profile_url: 'https://www.instagram.com/studio.nara/',
      bio: 'Ceramics & slow living ✨ Kyoto',
      is_verified: false,
      followers: 58_210,
      following: 402,
      total_videos: 214,
      total_likes: null,
      total_views: null,
      subscribers: null,
      category: 'Art',
      country: null,
      language: null,
      external_links: ['https://nara.example/shop', 'https://nara.example'],
    });
    expect(world.runs[0]!.input).toEqual({ usernames: ['studio.nara'] });
    const page = await provider.listPosts('instagram', 'studio.nara', { limit: 2 });
    expect(runs()).toHaveLength(1);
    expect(page.posts).toEqual([
      {
        platform: 'instagram',
        platform_video_id: 'C9xYz12AbCd',
        url: 'https://www.instagram.com/p/C9xYz12AbCd/',
        title: null,
        description: 'Trimming a bowl on the wheel #ceramics #pottery',
        thumbnail_url: 'https://scontent.cdninstagram.com/v/t51.29350-15/bowl.jpg',
        published_at: '2024-08-10T08:15:00.000Z',
        duration_seconds: null,
        views: 51_230,
        likes: 4120,
        comments: 87,
        shares: null,
        bookmarks: null,
        hashtags: ['ceramics', 'pottery'],
        is_duet: null,
        is_stitch: null,
      },
      // a photo has no views, and its hidden like count (-1) is unknown, not negative
      expect.objectContaining({ platform_video_id: 'C9tQw98ZyXw', views: null, likes: null, comments: 12 }),
    ]);
  });

  it('maps a post scraper item: plays before views, duration rounded', async () => {
    world.instagram['studio.nara'] = { profile: instagramProfile({ postsCount: 40 }), posts: [instagramPost()] };
    const post = await setup().provider.getPost('instagram', 'C9xYz12AbCd');
    expect(post).toMatchObject({ platform_video_id: 'C9xYz12AbCd', views: 98_400, duration_seconds: 27, likes: 4120 });
    expect(world.runs[0]!.actorId).toBe(APIFY_DEFAULT_ACTORS.instagramPosts);
    expect(world.runs[0]!.input).toEqual({ username: ['https://www.instagram.com/p/C9xYz12AbCd/'], resultsLimit: 1 });
  });

  it('reads deeper than latestPosts with the post scraper, paging 80 posts from one run', async () => {
    const { provider, runs } = setup();
    await provider.getProfile('instagram', WORLD_INSTAGRAM_HANDLE);
    const pages = [];
    let cursor: string | null = null;
    do {
      const page = await provider.listPosts('instagram', WORLD_INSTAGRAM_HANDLE, { limit: 50, cursor, total: 80 });
      pages.push(page.posts);
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(pages.map((p) => p.length)).toEqual([50, 30]);
    expect(runs().map((r) => r.operation)).toEqual([
      'run:apify~instagram-profile-scraper',
      'run:apify~instagram-post-scraper',
    ]);
    expect(world.runs[1]!.input).toEqual({ username: [WORLD_INSTAGRAM_HANDLE], resultsLimit: 80 });
    const posts = world.instagram[WORLD_INSTAGRAM_HANDLE]!.posts;
    const byId = new Map(pages.flat().map((p) => [p.platform_video_id, p]));
    expect(byId.size).toBe(80);
    expect(byId.get(posts[0]!.shortCode)).toMatchObject({
      views: posts[0]!.videoPlayCount,
      likes: posts[0]!.likesCount,
    });
    expect(byId.get(posts[2]!.shortCode)).toMatchObject({ views: null, duration_seconds: null });
    expect(byId.get(posts[9]!.shortCode)!.likes).toBeNull();
  });

  it('maps comments from the comment scraper', async () => {
    world.instagramComments['C9xYz12AbCd'] = [instagramComment()];
    const page = await setup().provider.listComments('instagram', 'C9xYz12AbCd', { limit: 15 });
    expect(page.comments).toEqual([
      {
        id: '18034567890123456',
        platform_video_id: 'C9xYz12AbCd',
        author_handle: 'kiln.and.co',
        text: 'The foot ring is perfect 😍',
        likes: 9,
        published_at: '2024-08-10T09:02:11.000Z',
        author: { handle: 'kiln.and.co', location: null, pronouns: null, bio: null },
      },
    ]);
    expect(world.runs[0]!.actorId).toBe(APIFY_DEFAULT_ACTORS.instagramComments);
    expect(world.runs[0]!.input).toEqual({
      directUrls: ['https://www.instagram.com/p/C9xYz12AbCd/'],
      resultsLimit: 15,
    });
  });

  it('reads a post scraper run that answers with another post as deleted', async () => {
    const [asked, other] = world.instagram[WORLD_INSTAGRAM_HANDLE]!.posts;
    rewriteRunInput((input) => ({ ...input, username: [other!.url] }));
    const { provider, runs } = setup();
    expect((await failure(provider.getPost('instagram', asked!.shortCode, { url: asked!.url }))).kind).toBe('deleted');
    expect(runs()).toHaveLength(1);
  });

  it('runs the comment scraper once for repeated reads of one post', async () => {
    const code = world.instagram[WORLD_INSTAGRAM_HANDLE]!.posts[5]!.shortCode;
    const { provider, runs } = setup();
    await provider.listComments('instagram', code, { limit: 15 });
    await provider.listComments('instagram', code, { limit: 15 });
    expect(runs()).toHaveLength(1);
  });

  it('answers an empty page for a post without comments, and blocked for follower lists', async () => {
    world.instagramComments['C9xYz12AbCd'] = [];
    const { provider } = setup();
    expect((await provider.listComments('instagram', 'C9xYz12AbCd', { limit: 15 })).comments).toEqual([]);
    expect((await failure(provider.listFollowers('instagram', WORLD_INSTAGRAM_HANDLE, { limit: 5 }))).kind).toBe(
      'blocked',
    );
  });
});

describe('ApifyProvider comments of several posts', () => {
  const tiktokVideos = () => world.tiktok[WORLD_TIKTOK_HANDLE]!.videos;
  const instagramPosts = () => world.instagram[WORLD_INSTAGRAM_HANDLE]!.posts;
  const refs = (posts: Record<string, any>[], id: string, url: string) =>
    posts.map((p) => ({ platform_video_id: p[id] as string, url: p[url] as string }));

  it('reads 10 TikTok posts’ comments in one run, each post’s own comments capped at perPost', async () => {
    const videos = tiktokVideos().slice(0, 10);
    const { provider, runs } = setup();
    const byPost = await provider.listCommentsOfPosts('tiktok', refs(videos, 'id', 'webVideoUrl'), { perPost: 20 });
    expect(runs()).toHaveLength(1);
    expect(world.runs[0]!.actorId).toBe(APIFY_DEFAULT_ACTORS.tiktokComments);
    expect(world.runs[0]!.input).toEqual({
      postURLs: videos.map((v) => v.webVideoUrl),
      commentsPerPost: 20,
      maxRepliesPerComment: 0,
    });
    expect(world.runs[0]!.query.maxItems).toBe('200');
    expect([...byPost.keys()]).toEqual(videos.map((v) => v.id));
    for (const video of videos) {
      const comments = byPost.get(video.id)!;
      expect(comments.map((c) => c.id)).toEqual(world.tiktokComments[video.id]!.slice(0, 20).map((c) => c.cid));
      expect(comments.every((c) => c.platform_video_id === video.id)).toBe(true);
    }
    expect(byPost.get(videos[0]!.id)).toHaveLength(5);
    expect(byPost.get(videos[4]!.id)).toHaveLength(20);
  });

  it('serves a batch’s posts from its run: a later read of one post or of the batch starts nothing', async () => {
    const videos = tiktokVideos().slice(0, 10);
    const { provider, runs } = setup();
    const byPost = await provider.listCommentsOfPosts('tiktok', refs(videos, 'id', 'webVideoUrl'), { perPost: 20 });
    const one = await provider.listComments('tiktok', videos[3]!.id, { limit: 20, url: videos[3]!.webVideoUrl });
    expect(one).toEqual({ comments: byPost.get(videos[3]!.id), next_cursor: null });
    expect(await provider.listCommentsOfPosts('tiktok', refs(videos, 'id', 'webVideoUrl'), { perPost: 20 })).toEqual(
      byPost,
    );
    expect(runs()).toHaveLength(1);
    // the same comments as a run of its own gives
    const alone = await setup().provider.listComments('tiktok', videos[3]!.id, { limit: 20 });
    expect(alone.comments).toEqual(byPost.get(videos[3]!.id));
  });

  it('runs only the posts not cached yet', async () => {
    const videos = tiktokVideos().slice(0, 5);
    const { provider, runs } = setup();
    const cached = await provider.listComments('tiktok', videos[2]!.id, { limit: 20, url: videos[2]!.webVideoUrl });
    const byPost = await provider.listCommentsOfPosts('tiktok', refs(videos, 'id', 'webVideoUrl'), { perPost: 20 });
    expect(runs()).toHaveLength(2);
    expect(world.runs[1]!.input.postURLs).toEqual(videos.filter((_, i) => i !== 2).map((v) => v.webVideoUrl));
    expect(byPost.get(videos[2]!.id)).toEqual(cached.comments);
    expect(byPost.size).toBe(5);
  });

  it('builds placeholder URLs for posts without one and matches items whatever URL variant they name', async () => {
    const videos = tiktokVideos().slice(0, 3);
    rewriteRunInput((input) => ({
      ...input,
      postURLs: (input.postURLs as string[]).map((url, i) =>
        i === 0 ? url : `${url.replace('@_', '@chef.lina')}?lang=en`,
      ),
    }));
    const posts = videos.map((v, i) => ({
      platform_video_id: v.id as string,
      url: i === 2 ? '' : (v.webVideoUrl as string),
    }));
    const { provider, runs } = setup();
    const byPost = await provider.listCommentsOfPosts('tiktok', posts, { perPost: 100 });
    expect(runs()).toHaveLength(1);
    expect(world.runs[0]!.input.postURLs[2]).toBe(`https://www.tiktok.com/@chef.lina/video/${videos[2]!.id}?lang=en`);
    for (const video of videos) {
      expect(byPost.get(video.id)!.map((c) => c.id)).toEqual(world.tiktokComments[video.id]!.map((c) => c.cid));
    }
  });

  it('reads 10 Instagram posts’ comments in one run; a post that is gone gets none', async () => {
    const posts = instagramPosts().slice(0, 10);
    const gone = { platform_video_id: 'CgoneGone01', url: 'https://www.instagram.com/p/CgoneGone01/' };
    const { provider, runs } = setup();
    const byPost = await provider.listCommentsOfPosts('instagram', [...refs(posts, 'shortCode', 'url'), gone], {
      perPost: 5,
    });
    expect(runs()).toHaveLength(1);
    expect(world.runs[0]!.actorId).toBe(APIFY_DEFAULT_ACTORS.instagramComments);
    expect(world.runs[0]!.input).toEqual({ directUrls: [...posts.map((p) => p.url), gone.url], resultsLimit: 5 });
    expect(byPost.get(gone.platform_video_id)).toEqual([]);
    for (const post of posts) {
      const comments = byPost.get(post.shortCode)!;
      expect(comments.map((c) => c.id)).toEqual(world.instagramComments[post.shortCode]!.slice(0, 5).map((c) => c.id));
      expect(comments.every((c) => c.platform_video_id === post.shortCode)).toBe(true);
    }
    expect(byPost.get(posts[0]!.shortCode)).toHaveLength(3);
    expect(byPost.get(posts[3]!.shortCode)).toHaveLength(5);
    await provider.listComments('instagram', posts[3]!.shortCode, { limit: 5, url: posts[3]!.url });
    expect(runs()).toHaveLength(1);
  });

  it('answers no posts with an empty map and no run', async () => {
    const { provider, calls } = setup();
    expect(await provider.listCommentsOfPosts('tiktok', [], { perPost: 20 })).toEqual(new Map());
    expect(await provider.listCommentsOfPosts('instagram', [], { perPost: 20 })).toEqual(new Map());
    expect(calls).toHaveLength(0);
    expect(server.requests).toHaveLength(0);
  });

  it('maps failures as other runs do, and re-reads a finished batch run when its dataset read fails', async () => {
    const videos = tiktokVideos().slice(0, 4);
    const { provider, runs } = setup();
    world.fault = { fault: { kind: 'http', status: 429, retryAfter: '7' }, times: 1 };
    const limited = await failure(
      provider.listCommentsOfPosts('tiktok', refs(videos, 'id', 'webVideoUrl'), { perPost: 10 }),
    );
    expect([limited.kind, limited.retryAfterSeconds]).toEqual(['rate_limited', 7]);
    world.fault = { fault: { kind: 'http', status: 500 }, on: 'dataset', times: 1 };
    const read = () => provider.listCommentsOfPosts('tiktok', refs(videos, 'id', 'webVideoUrl'), { perPost: 10 });
    expect((await failure(read())).kind).toBe('unavailable');
    const byPost = await read();
    expect(world.runs).toHaveLength(1);
    expect(runs()).toHaveLength(2);
    expect(server.requestsTo(`/v2/datasets/${world.runs[0]!.datasetId}/items`)).toHaveLength(2);
    expect(byPost.get(videos[1]!.id)!.map((c) => c.id)).toEqual(
      world.tiktokComments[videos[1]!.id]!.slice(0, 10).map((c) => c.cid),
    );
  });

  it('rejects YouTube and a bad perPost', async () => {
    const { provider } = setup();
    await expect(provider.listCommentsOfPosts('youtube' as Platform, [], { perPost: 5 })).rejects.toThrow(RangeError);
    await expect(provider.listCommentsOfPosts('tiktok', [], { perPost: 0 })).rejects.toThrow(RangeError);
  });
});

describe('ApifyProvider account states', () => {
  it('serves a private account’s counters but not its posts', async () => {
    world.tiktok['locked.tt'] = { authorMeta: tiktokAuthor({ name: 'locked.tt', privateAccount: true }), videos: [] };
    world.instagram['locked.ig'] = { profile: instagramProfile({ username: 'locked.ig', private: true }), posts: [] };
    const { provider } = setup();
    expect((await provider.getProfile('tiktok', 'locked.tt')).followers).toBe(1_284_000);
    expect((await failure(provider.listPosts('tiktok', 'locked.tt', { limit: 30 }))).kind).toBe('private');
    expect((await provider.getProfile('instagram', 'locked.ig')).followers).toBe(58_210);
    expect((await failure(provider.listPosts('instagram', 'locked.ig', { limit: 30 }))).kind).toBe('private');
  });

  it('reports an account that does not exist as deleted', async () => {
    const { provider } = setup();
    expect((await failure(provider.getProfile('tiktok', 'nobody.here'))).kind).toBe('deleted');
    expect((await failure(provider.listPosts('tiktok', 'nobody.here', { limit: 30 }))).kind).toBe('deleted');
    expect((await failure(provider.getProfile('instagram', 'nobody.here'))).kind).toBe('deleted');
    expect((await failure(provider.getPost('instagram', 'Cnothere123'))).kind).toBe('deleted');
  });

  it('reads the scraper’s error items: not found is deleted, private is private', async () => {
    const gone = { input: 'gone.tt', url: 'https://www.tiktok.com/@gone.tt', error: 'This profile does not exist' };
    world.tiktok['gone.tt'] = { authorMeta: tiktokAuthor(), videos: [], raw: [gone] };
    world.tiktok['shy.tt'] = {
      authorMeta: tiktokAuthor(),
      videos: [],
      raw: [{ input: 'shy.tt', error: 'Profile is private' }],
    };
    const { provider } = setup();
    expect((await failure(provider.getProfile('tiktok', 'gone.tt'))).kind).toBe('deleted');
    expect((await failure(provider.listPosts('tiktok', 'shy.tt', { limit: 10 }))).kind).toBe('private');
  });
});

describe('ApifyProvider failures', () => {
  const read = (provider: ApifyProvider) => provider.getProfile('tiktok', WORLD_TIKTOK_HANDLE);

  it('treats 402 (out of usage) as rate_limited for an hour, with no run started', async () => {
    world.fault = { fault: { kind: 'http', status: 402 } };
    const err = await failure(read(setup().provider));
    expect(err.kind).toBe('rate_limited');
    expect(err.message).toContain('not-enough-usage-to-run-paid-actor');
    expect(err.retryAfterSeconds).toBe(3600);
    expect(world.runs).toHaveLength(0);
  });

  it('treats 429 as rate_limited with its Retry-After', async () => {
    world.fault = { fault: { kind: 'http', status: 429, retryAfter: '9' } };
    const err = await failure(read(setup().provider));
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(9);
  });

  it('treats 5xx as unavailable, on a run or a dataset read', async () => {
    world.fault = { fault: { kind: 'http', status: 500 } };
    expect((await failure(read(setup().provider))).kind).toBe('unavailable');
    world.fault = { fault: { kind: 'http', status: 503 }, on: 'dataset' };
    expect((await failure(read(setup().provider))).kind).toBe('unavailable');
  });

  it('keeps a finished run when its dataset read fails, so a retry re-reads it without a new run', async () => {
    world.fault = { fault: { kind: 'http', status: 500 }, on: 'dataset', times: 1 };
    const { provider, runs } = setup();
    expect((await failure(read(provider))).kind).toBe('unavailable');
    expect((await read(provider)).total_videos).toBe(120);
    expect(runs()).toHaveLength(1);
    expect(world.runs).toHaveLength(1);
    expect(server.requestsTo(`/v2/datasets/${world.runs[0]!.datasetId}/items`)).toHaveLength(2);
  });

  async function configFailure(promise: Promise<unknown>): Promise<SourceConfigError> {
    const err = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SourceConfigError);
    expect((err as Error).message).not.toContain(APIFY_TEST_TOKEN);
    return err as SourceConfigError;
  }

  it('reports a refused token (401) as a configuration error naming APIFY_TOKEN, without the token', async () => {
    const err = await configFailure(read(setup({ token: `${APIFY_TEST_TOKEN}-revoked` }).provider));
    expect(err.message).toMatch(/refused the API token \(HTTP 401/);
    expect(err.message).toContain('APIFY_TOKEN');
    expect(err.message).not.toContain('revoked');
  });

  it('reports a forbidden token (403) as a configuration error, scrubbing an echoed token', async () => {
    const message = `token ${APIFY_TEST_TOKEN} may not run this actor`;
    world.fault = { fault: { kind: 'http', status: 403, errorType: 'insufficient-permissions', message } };
    const err = await configFailure(read(setup().provider));
    expect(err.message).toMatch(/HTTP 403 \(insufficient-permissions/);
    expect(err.message).toContain('[token]');
    expect(err.message).toContain('APIFY_TOKEN');
    expect(world.runs).toHaveLength(0);
  });

  it('never lets the token into a message, even when Apify echoes it', async () => {
    world.fault = { fault: { kind: 'http', status: 400, message: `bad request for token ${APIFY_TEST_TOKEN}` } };
    const err = await failure(read(setup().provider));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toContain('[token]');
  });

  it('maps a TIMED-OUT run to timeout and a FAILED or ABORTED one to unavailable', async () => {
    world.fault = { fault: { kind: 'run-status', status: 'TIMED-OUT' }, times: 1 };
    expect((await failure(read(setup().provider))).kind).toBe('timeout');
    world.fault = { fault: { kind: 'run-status', status: 'FAILED', statusMessage: 'TikTok blocked the proxy' } };
    const failed = await failure(read(setup().provider));
    expect(failed.kind).toBe('unavailable');
    expect(failed.message).toContain('TikTok blocked the proxy');
    world.fault = { fault: { kind: 'run-status', status: 'ABORTED' } };
    expect((await failure(read(setup().provider))).kind).toBe('unavailable');
  });

  it('aborts a run still running at runTimeoutSeconds and reports timeout', async () => {
    world.fault = { fault: { kind: 'still-running' } };
    const err = await failure(read(setup({ runTimeoutSeconds: 1 }).provider));
    expect(err.kind).toBe('timeout');
    expect(world.runs[0]!.aborted).toBe(true);
    expect(server.requestsTo(`/v2/actor-runs/${world.runs[0]!.id}/abort`)).toHaveLength(1);
  });

  it('treats a body that is not JSON as unavailable', async () => {
    world.fault = { fault: { kind: 'malformed' } };
    expect((await failure(read(setup().provider))).kind).toBe('unavailable');
  });

  it('turns an answer that never comes into timeout at the upstream deadline', async () => {
    world.fault = { fault: { kind: 'hang' } };
    const { provider, calls } = setup({ timeoutMs: 300 });
    expect((await failure(read(provider))).kind).toBe('timeout');
    expect(calls.map((c) => c.outcome)).toEqual(['timeout']);
  });

  it('aborts a started run when the upstream deadline cuts its wait short', async () => {
    world.fault = { fault: { kind: 'still-running' } };
    const apify = fakeApify(world);
    server.handler = (req) =>
      req.method === 'GET' && req.url.pathname.startsWith('/v2/actor-runs/') ? { hang: true } : apify(req);
    const { provider, calls } = setup({ timeoutMs: 300 });
    expect((await failure(read(provider))).kind).toBe('timeout');
    expect(world.runs[0]!.aborted).toBe(true);
    expect(calls.map((c) => [c.operation, c.units])).toEqual([
      ['run:clockworks~tiktok-scraper', 1],
      ['run.abort', 0],
    ]);
  });

  it('rejects YouTube, bad limits and foreign cursors', async () => {
    const { provider } = setup();
    await expect(provider.getProfile('youtube' as Platform, 'someone')).rejects.toThrow(RangeError);
    await expect(provider.listPosts('tiktok', WORLD_TIKTOK_HANDLE, { limit: 0 })).rejects.toThrow(RangeError);
    await expect(provider.listPosts('tiktok', WORLD_TIKTOK_HANDLE, { limit: 5, cursor: 'nonsense' })).rejects.toThrow(
      RangeError,
    );
    const page = await provider.listPosts('tiktok', WORLD_TIKTOK_HANDLE, { limit: 5, total: 20 });
    expect(page.next_cursor).not.toBeNull();
    await expect(provider.listComments('tiktok', '1', { limit: 5, cursor: page.next_cursor })).rejects.toThrow(
      RangeError,
    );
  });
});
