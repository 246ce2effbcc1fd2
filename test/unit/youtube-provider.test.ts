import { Registry } from 'prom-client';
import { ProviderError, SourceConfigError, type Post } from '../../domain/platform';
import { Upstream, type UpstreamCall } from '../../providers/upstream';
import { QUOTA_EXHAUSTED_RETRY_SECONDS, YouTubeProvider, hashtagsIn, parseIsoDuration } from '../../providers/youtube';
import { FakeUpstream, fakeUpstreamForSuite, type UpstreamRequest } from '../helpers/fake-upstream';
import {
  FAKE_YOUTUBE_API_KEY,
  emptyYouTubeWorld,
  fakeYouTube,
  findYouTubeVideo,
  isoDuration,
  youtubeChannel,
  youtubeErrorReply,
  youtubeFixture,
  youtubeVideo,
  youtubeWorld,
  type YouTubeWorld,
} from '../helpers/fake-youtube';

const { server } = fakeUpstreamForSuite(() => ({ status: 500, text: 'no handler' }));

let world: YouTubeWorld;
let calls: UpstreamCall[];
const upstreams: Upstream[] = [];
const thrown: unknown[] = [];

function youtube(opts: { timeoutMs?: number; baseUrl?: string; apiKey?: string } = {}): YouTubeProvider {
  const upstream = new Upstream(
    'youtube',
    { concurrency: 4, perMinute: 6000, timeoutMs: opts.timeoutMs ?? 2000 },
    new Registry(),
  );
  upstreams.push(upstream);
  upstream.onCall((call) => calls.push(call));
  return new YouTubeProvider({
    apiKey: opts.apiKey ?? world.apiKey,
    baseUrl: opts.baseUrl ?? `${server.url}/youtube/v3`,
    upstream,
  });
}

/** The error a call fails with; every one is checked for the key after the test. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    thrown.push(err);
    expect(err).toBeInstanceOf(Error);
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

async function providerFailure(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await failure(promise);
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

const requestsTo = (resource: string): UpstreamRequest[] => server.requestsTo(`/youtube/v3/${resource}`);
const params = (req: UpstreamRequest | undefined): Record<string, string> =>
  Object.fromEntries(req?.url.searchParams ?? []);
const units = (): number => calls.reduce((sum, c) => sum + c.units, 0);

const leaks = (err: unknown, key: string): boolean => {
  const e = err as Error;
  return [e.message, e.stack ?? '', String(e), JSON.stringify(e)].some((text) => text.includes(key));
};

beforeEach(() => {
  world = youtubeWorld();
  server.handler = fakeYouTube(world);
  server.requests.length = 0;
  calls = [];
  thrown.length = 0;
});

afterEach(async () => {
  for (const err of thrown) expect(leaks(err, FAKE_YOUTUBE_API_KEY)).toBe(false);
  await Promise.all(upstreams.splice(0).map((u) => u.stop()));
});

const CHANNEL_ID = 'UCbakerbee0000000000000A';
const SOURDOUGH = 'sourdough01';

/** A small hand-written world whose every number the tests state. */
function bakerWorld(): YouTubeWorld {
  const w = emptyYouTubeWorld();
  w.channels.push(
    youtubeChannel({
      id: CHANNEL_ID,
      handle: 'bakerbee',
      title: 'Baker Bee',
      description: '',
      defaultLanguage: 'fil',
      subscriberCount: 48_300,
      hiddenSubscriberCount: true,
      viewCount: 2_914_077,
      videos: [
        youtubeVideo({
          id: SOURDOUGH,
          title: 'Sourdough day #Bread',
          description:
            'Recipe: https://example.com/a#step-2\nthe #1 tip: e#mail me\n#bread #SourDough #sour_dough #bread #pão',
          publishedAt: '2026-06-01T09:30:00Z',
          duration: 'PT1H2M3S',
          viewCount: 10_734,
          likeCount: null,
          commentCount: 3,
          comments: [
            {
              id: 'UgzNewest0000000000AaABAg',
              authorDisplayName: '@crumb.lover',
              authorChannelId: 'UCcrumb00000000000000000',
              text: 'Salt & <b>flour</b>\nsecond line',
              likeCount: 7,
              publishedAt: '2026-06-02T10:00:00Z',
              totalReplyCount: 2,
            },
            {
              id: 'UgzOldest0000000000AaABAg',
              authorDisplayName: 'Legacy Name',
              authorChannelId: 'UClegacy0000000000000000',
              text: 'first!',
              likeCount: 0,
              publishedAt: '2026-06-01T09:31:00Z',
              totalReplyCount: 0,
            },
          ],
        }),
      ],
    }),
  );
  return w;
}

function useWorld(w: YouTubeWorld): void {
  world = w;
  server.handler = fakeYouTube(world);
}

describe('parseIsoDuration', () => {
  it.each([
    ['PT12M37S', 757],
    ['PT58S', 58],
    ['PT1H4M2S', 3842],
    ['PT2H', 7200],
    ['PT15M', 900],
    ['PT1H0M5S', 3605],
    ['P1DT2H3M4S', 93_784],
    ['P1D', 86_400],
  ])('%s is %i seconds', (iso, seconds) => {
    expect(parseIsoDuration(iso)).toBe(seconds);
  });

  it.each(['P0D', 'PT0S', '', 'P', 'PT', 'garbage', '12:37', 'PT5X'])('%j is null', (iso) => {
    expect(parseIsoDuration(iso)).toBeNull();
  });

  it('reads every duration the fake writes', () => {
    for (const s of [1, 45, 59, 60, 61, 599, 3600, 3661, 86_399, 86_400, 90_061]) {
      expect(parseIsoDuration(isoDuration(s))).toBe(s);
    }
  });
});

describe('hashtagsIn', () => {
  it('takes #words, lowercased and unique, and skips URL fragments, ranks and mid-word #', () => {
    expect(hashtagsIn('Go #Bread', 'https://x.com/a#frag and #1 e#mail #bread #Pão_2 #AndroidDev')).toEqual([
      'bread',
      'pão_2',
      'androiddev',
    ]);
  });
});

describe('getProfile', () => {
  it('reads a channel by forHandle and maps it', async () => {
    const channel = world.channels[0]!;
    const profile = await youtube().getProfile('youtube', 'FakeCreator');

    const [req] = requestsTo('channels');
    expect(params(req)).toEqual({
      part: 'snippet,statistics,contentDetails',
      forHandle: '@fakecreator',
      key: FAKE_YOUTUBE_API_KEY,
    });
    expect(profile).toEqual({
      platform: 'youtube',
      platform_user_id: channel.id,
      handle: 'fakecreator',
      display_name: 'Fake Creator Kitchen',
      avatar_url: channel.thumbnails.high!.url,
      profile_url: 'https://www.youtube.com/@fakecreator',
      bio: 'Weeknight recipes, every few days. #cooking',
      is_verified: false,
      followers: 1_240_000,
      following: null,
      total_videos: 120,
      total_likes: null,
      total_views: channel.viewCount,
      subscribers: 1_240_000,
      category: null,
      country: 'US',
      language: 'en',
      external_links: [],
    });
  });

  it('reports hidden subscribers as null, an empty description as no bio, and no two-letter language as null', async () => {
    useWorld(bakerWorld());
    const profile = await youtube().getProfile('youtube', 'bakerbee');
    expect(profile).toMatchObject({
      followers: null,
      subscribers: null,
      total_views: 2_914_077,
      total_videos: 1,
      bio: null,
      country: null,
      language: null,
    });
  });

  it('asks by id for a channel id, and reports the channel under its own handle', async () => {
    const channel = world.channels[0]!;
    const profile = await youtube().getProfile('youtube', channel.id);
    const [req] = requestsTo('channels');
    expect(params(req)).toEqual({
      part: 'snippet,statistics,contentDetails',
      id: channel.id,
      key: FAKE_YOUTUBE_API_KEY,
    });
    expect(profile.platform_user_id).toBe(channel.id);
    expect(profile.handle).toBe('fakecreator');
    expect(profile.profile_url).toBe('https://www.youtube.com/@fakecreator');
  });

  it('fails with deleted for a handle no channel has (the API answers without items)', async () => {
    const err = await providerFailure(youtube().getProfile('youtube', 'nobody_here'));
    expect(err.kind).toBe('deleted');
    expect(err.permanent).toBe(true);
    expect(err.message).toContain('@nobody_here');
  });

  it('tolerates a trailing slash on the base URL', async () => {
    await youtube({ baseUrl: `${server.url}/youtube/v3/` }).getProfile('youtube', 'fakecreator');
    expect(server.requests.map((r) => r.url.pathname)).toEqual(['/youtube/v3/channels']);
  });
});

describe('listPosts', () => {
  it('pages the uploads playlist 50 at a time with one videos.list per page, newest first, to the end', async () => {
    const p = youtube();
    const channel = world.channels[0]!;
    const pages: { ids: string[]; cursor: string | null }[] = [];
    let cursor: string | null = null;
    do {
      const page = await p.listPosts('youtube', 'fakecreator', { limit: 50, cursor });
      pages.push({ ids: page.posts.map((post) => post.platform_video_id), cursor: page.next_cursor });
      cursor = page.next_cursor;
    } while (cursor !== null);

    expect(pages.map((page) => page.ids.length)).toEqual([50, 50, 20]);
    expect(pages.flatMap((page) => page.ids)).toEqual(channel.videos.map((v) => v.id));
    expect(pages[0]!.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(pages[0]!.cursor).not.toContain(FAKE_YOUTUBE_API_KEY);

    expect(requestsTo('channels')).toHaveLength(1);
    const playlist = requestsTo('playlistItems').map(params);
    expect(playlist).toHaveLength(3);
    expect(playlist[0]).toEqual({
      part: 'contentDetails',
      playlistId: channel.uploadsPlaylistId,
      maxResults: '50',
      key: FAKE_YOUTUBE_API_KEY,
    });
    expect(playlist[1]!.pageToken).toEqual(expect.any(String));
    expect(playlist[2]!.pageToken).not.toBe(playlist[1]!.pageToken);
    const videos = requestsTo('videos').map(params);
    expect(videos).toHaveLength(3);
    expect(videos[0]!.part).toBe('snippet,statistics,contentDetails');
    expect(videos[0]!.id!.split(',')).toEqual(channel.videos.slice(0, 50).map((v) => v.id));
    expect(videos[2]!.id!.split(',')).toEqual(channel.videos.slice(100).map((v) => v.id));
  });

  it('continues from a cursor where the previous page of 30 ended', async () => {
    const p = youtube();
    const ids = world.channels[0]!.videos.map((v) => v.id);
    const first = await p.listPosts('youtube', 'fakecreator', { limit: 30 });
    const second = await p.listPosts('youtube', 'fakecreator', { limit: 30, cursor: first.next_cursor });
    expect(first.posts.map((post) => post.platform_video_id)).toEqual(ids.slice(0, 30));
    expect(second.posts.map((post) => post.platform_video_id)).toEqual(ids.slice(30, 60));
    expect(second.next_cursor).not.toBeNull();
    expect(requestsTo('playlistItems').map((r) => params(r).maxResults)).toEqual(['30', '30']);
  });

  it('asks for at most 50 however large the limit, and says where to go on', async () => {
    const page = await youtube().listPosts('youtube', 'fakecreator', { limit: 500, total: 500 });
    expect(page.posts).toHaveLength(50);
    expect(page.next_cursor).not.toBeNull();
    expect(params(requestsTo('playlistItems')[0]).maxResults).toBe('50');
  });

  it('maps a video: statistics as numbers, hidden likes as null, duration, hashtags, best thumbnail', async () => {
    useWorld(bakerWorld());
    const page = await youtube().listPosts('youtube', 'bakerbee', { limit: 10 });
    expect(page).toEqual({
      posts: [
        {
          platform: 'youtube',
          platform_video_id: SOURDOUGH,
          url: `https://www.youtube.com/watch?v=${SOURDOUGH}`,
          title: 'Sourdough day #Bread',
          description:
            'Recipe: https://example.com/a#step-2\nthe #1 tip: e#mail me\n#bread #SourDough #sour_dough #bread #pão',
          thumbnail_url: `https://i.ytimg.com/vi/${SOURDOUGH}/hqdefault.jpg`,
          published_at: '2026-06-01T09:30:00Z',
          duration_seconds: 3723,
          views: 10_734,
          likes: null,
          comments: 3,
          shares: null,
          bookmarks: null,
          hashtags: ['bread', 'sourdough', 'sour_dough', 'pão'],
          is_duet: null,
          is_stitch: null,
        } satisfies Post,
      ],
      next_cursor: null,
    });
  });

  it('maps the generated world: a Short, hidden likes, comments turned off, a video past an hour', async () => {
    const videos = world.channels[0]!.videos;
    const { posts } = await youtube().listPosts('youtube', 'fakecreator', { limit: 5 });
    expect(posts.map((p) => p.duration_seconds)).toEqual([
      parseIsoDuration(videos[0]!.duration),
      45,
      parseIsoDuration(videos[2]!.duration),
      parseIsoDuration(videos[3]!.duration),
      4325,
    ]);
    expect(posts[1]!.hashtags).toContain('shorts');
    expect(posts[2]!.likes).toBeNull();
    expect(posts[2]!.views).toBe(videos[2]!.viewCount);
    expect(posts[3]!.comments).toBeNull();
    expect(posts[3]!.likes).toBe(videos[3]!.likeCount);
    expect(posts[0]!.comments).toBe(videos[0]!.comments.length);
    for (const post of posts) expect(post.hashtags).not.toContain('ingredients');
  });

  it('leaves out playlist entries that videos.list no longer returns', async () => {
    const fake = fakeYouTube(world);
    const gone = world.channels[0]!.videos[1]!.id;
    server.handler = async (req) => {
      const reply = await fake(req);
      if (req.url.pathname.endsWith('/videos') && 'json' in reply) {
        const body = reply.json as { items: { id: string }[] };
        body.items = body.items.filter((item) => item.id !== gone);
      }
      return reply;
    };
    const { posts } = await youtube().listPosts('youtube', 'fakecreator', { limit: 3 });
    expect(posts.map((p) => p.platform_video_id)).toEqual(
      world.channels[0]!.videos.filter((_, i) => i === 0 || i === 2).map((v) => v.id),
    );
  });

  it('fails with deleted when the uploads playlist is gone, and resolves the channel afresh next time', async () => {
    const p = youtube();
    await p.getProfile('youtube', 'fakecreator');
    const channel = world.channels[0]!;
    const uploads = channel.uploadsPlaylistId;
    channel.uploadsPlaylistId = 'UUgone';
    const err = await providerFailure(p.listPosts('youtube', 'fakecreator', { limit: 10 }));
    expect(err.kind).toBe('deleted');

    channel.uploadsPlaylistId = uploads;
    const page = await p.listPosts('youtube', 'fakecreator', { limit: 10 });
    expect(page.posts).toHaveLength(10);
    expect(requestsTo('channels')).toHaveLength(2);
  });

  it('gives an empty page when a channel that never uploaded has no uploads playlist', async () => {
    useWorld(bakerWorld());
    const channel = world.channels[0]!;
    channel.videos = [];
    const p = youtube();
    const profile = await p.getProfile('youtube', 'bakerbee');
    expect(profile.total_videos).toBe(0);
    channel.uploadsPlaylistId = 'UUnever';
    expect(await p.listPosts('youtube', 'bakerbee', { limit: 30 })).toEqual({ posts: [], next_cursor: null });
  });

  it('rejects a cursor of another channel, a garbled one and a bad limit', async () => {
    const p = youtube();
    const { next_cursor } = await p.listPosts('youtube', 'fakecreator', { limit: 5 });
    await expect(p.listPosts('youtube', 'someoneelse', { limit: 5, cursor: next_cursor })).rejects.toThrow(RangeError);
    await expect(p.listPosts('youtube', 'fakecreator', { limit: 5, cursor: 'not-a-cursor' })).rejects.toThrow(
      RangeError,
    );
    await expect(p.listPosts('youtube', 'fakecreator', { limit: 0 })).rejects.toThrow(RangeError);
  });
});

describe('getPost', () => {
  it('reads one video with one videos.list call', async () => {
    useWorld(bakerWorld());
    const post = await youtube().getPost('youtube', SOURDOUGH);
    expect(server.requests).toHaveLength(1);
    expect(params(requestsTo('videos')[0])).toEqual({
      part: 'snippet,statistics,contentDetails',
      id: SOURDOUGH,
      key: FAKE_YOUTUBE_API_KEY,
    });
    expect(post).toMatchObject({ platform_video_id: SOURDOUGH, views: 10_734, likes: null, duration_seconds: 3723 });
  });

  it('fails with deleted for a video the API does not return, and for an id no video can have', async () => {
    const p = youtube();
    expect((await providerFailure(p.getPost('youtube', 'abcdefghijk'))).kind).toBe('deleted');
    expect((await providerFailure(p.getPost('youtube', 'a,b'))).kind).toBe('deleted');
    expect(requestsTo('videos')).toHaveLength(1);
  });
});

describe('listComments', () => {
  it('reads top-level comments newest first as plain text, and maps their authors', async () => {
    useWorld(bakerWorld());
    const page = await youtube().listComments('youtube', SOURDOUGH, { limit: 20 });
    expect(params(requestsTo('commentThreads')[0])).toEqual({
      part: 'snippet',
      videoId: SOURDOUGH,
      maxResults: '20',
      order: 'time',
      textFormat: 'plainText',
      key: FAKE_YOUTUBE_API_KEY,
    });
    expect(page).toEqual({
      comments: [
        {
          id: 'UgzNewest0000000000AaABAg',
          platform_video_id: SOURDOUGH,
          author_handle: 'crumb.lover',
          text: 'Salt & <b>flour</b>\nsecond line',
          likes: 7,
          published_at: '2026-06-02T10:00:00Z',
          author: { handle: 'crumb.lover', location: null, pronouns: null, bio: null },
        },
        {
          id: 'UgzOldest0000000000AaABAg',
          platform_video_id: SOURDOUGH,
          author_handle: 'Legacy Name',
          text: 'first!',
          likes: 0,
          published_at: '2026-06-01T09:31:00Z',
          author: { handle: 'Legacy Name', location: null, pronouns: null, bio: null },
        },
      ],
      next_cursor: null,
    });
  });

  it('pages with cursors until the video has no more', async () => {
    const video = world.channels[0]!.videos[0]!;
    expect(video.comments.length).toBeGreaterThanOrEqual(25);
    const p = youtube();
    const ids: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await p.listComments('youtube', video.id, { limit: 10, cursor });
      ids.push(...page.comments.map((c) => c.id));
      sizes.push(page.comments.length);
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(ids).toEqual(video.comments.map((c) => c.id));
    expect(sizes.slice(0, -1).every((n) => n === 10)).toBe(true);
    expect(sizes).toHaveLength(Math.ceil(video.comments.length / 10));
    await expect(p.listComments('youtube', 'otherVideo1', { limit: 10, cursor: 'x' })).rejects.toThrow(RangeError);
  });

  it('asks for at most 100 a page', async () => {
    await youtube().listComments('youtube', world.channels[0]!.videos[0]!.id, { limit: 500 });
    expect(params(requestsTo('commentThreads')[0]).maxResults).toBe('100');
  });

  it('gives an empty page for a video with comments turned off', async () => {
    const video = world.channels[0]!.videos[3]!;
    expect(video.commentsDisabled).toBe(true);
    expect(await youtube().listComments('youtube', video.id, { limit: 20 })).toEqual({
      comments: [],
      next_cursor: null,
    });
    expect(calls.map((c) => c.outcome)).toEqual(['ok']);
  });

  it('fails with deleted for a video that is not there', async () => {
    const err = await providerFailure(youtube().listComments('youtube', 'missing0000', { limit: 20 }));
    expect(err.kind).toBe('deleted');
    expect(err.message).toContain('videoNotFound');
  });
});

describe('what YouTube does not serve', () => {
  it('refuses follower lists with blocked, without a request', async () => {
    const err = await providerFailure(youtube().listFollowers('youtube'));
    expect(err.kind).toBe('blocked');
    expect(server.requests).toHaveLength(0);
  });

  it('serves no other platform', async () => {
    const p = youtube();
    await expect(p.getProfile('tiktok', 'someone')).rejects.toThrow(RangeError);
    await expect(p.listPosts('instagram', 'someone', { limit: 5 })).rejects.toThrow(RangeError);
    await expect(p.getPost('tiktok', '123456789')).rejects.toThrow(RangeError);
    await expect(p.listComments('instagram', 'abc', { limit: 5 })).rejects.toThrow(RangeError);
    await expect(p.listFollowers('tiktok')).rejects.toThrow(RangeError);
    expect(server.requests).toHaveLength(0);
  });
});

describe('failures', () => {
  const profile = (p = youtube()) => providerFailure(p.getProfile('youtube', 'fakecreator'));

  it('quotaExceeded is rate_limited for the quota wait, or longer when Retry-After says so', async () => {
    world.fault = () => youtubeErrorReply('error-quota-exceeded');
    const err = await profile();
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(QUOTA_EXHAUSTED_RETRY_SECONDS);
    expect(err.message).toContain('quotaExceeded');
    expect(err.message).not.toContain('<a href');

    // a shorter Retry-After does not bring the retry forward: the quota is gone until it resets
    world.fault = () => youtubeErrorReply('error-quota-exceeded', { headers: { 'Retry-After': '5' } });
    expect((await profile()).retryAfterSeconds).toBe(QUOTA_EXHAUSTED_RETRY_SECONDS);
    const longer = String(QUOTA_EXHAUSTED_RETRY_SECONDS * 2);
    world.fault = () => youtubeErrorReply('error-quota-exceeded', { headers: { 'Retry-After': longer } });
    expect((await profile()).retryAfterSeconds).toBe(QUOTA_EXHAUSTED_RETRY_SECONDS * 2);
  });

  it('429 with Retry-After: 7 is rate_limited for 7 seconds', async () => {
    world.fault = () => youtubeErrorReply('error-rate-limit-exceeded', { headers: { 'Retry-After': '7' } });
    const err = await profile();
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBe(7);
    expect(calls.map((c) => c.outcome)).toEqual(['rate_limited']);
  });

  it('a 403 userRateLimitExceeded is rate_limited too', async () => {
    world.fault = () => ({
      status: 403,
      json: { error: { code: 403, message: 'slow down', errors: [{ reason: 'userRateLimitExceeded' }] } },
    });
    const err = await profile();
    expect(err.kind).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBeUndefined();
  });

  it('5xx is unavailable, whatever the body', async () => {
    world.fault = () => youtubeErrorReply('error-backend');
    expect((await profile()).kind).toBe('unavailable');
    world.fault = () => ({ status: 503, text: '<html>Service Unavailable</html>' });
    expect((await profile()).kind).toBe('unavailable');
  });

  it('a 200 whose body is not JSON is unavailable', async () => {
    world.fault = () => ({ status: 200, text: '{"kind": "youtube#channelListResp' });
    expect((await profile()).kind).toBe('unavailable');
  });

  it('an answer that never comes is a timeout', async () => {
    world.fault = () => ({ hang: true });
    const err = await profile(youtube({ timeoutMs: 200 }));
    expect(err.kind).toBe('timeout');
  });

  it('an unreachable API is unavailable', async () => {
    const closed = await new FakeUpstream(() => ({ status: 200 })).start();
    const url = closed.url;
    await closed.stop();
    expect((await profile(youtube({ baseUrl: `${url}/youtube/v3` }))).kind).toBe('unavailable');
  });

  const configFailure = async (p = youtube()): Promise<SourceConfigError> => {
    const err = await failure(p.getProfile('youtube', 'fakecreator'));
    expect(err).toBeInstanceOf(SourceConfigError);
    return err as SourceConfigError;
  };

  it('any other 400 is our own bug: a SourceConfigError saying so, not retried as a platform outcome', async () => {
    world.fault = () => youtubeErrorReply('error-missing-filter');
    const err = await configFailure();
    expect(err).not.toBeInstanceOf(ProviderError);
    expect(err.message).toContain('missingRequiredParameter');
    expect(err.message).toContain('malformed');
    world.fault = () => youtubeErrorReply('error-required-part');
    expect((await configFailure()).message).toContain('malformed');
    expect(server.requests).toHaveLength(2);
  });

  it('a rejected key is a SourceConfigError naming YOUTUBE_API_KEY, not blocked', async () => {
    const err = await configFailure(youtube({ apiKey: 'AIzaWRONG-key-value' }));
    expect(err.message).toContain('YOUTUBE_API_KEY');
    expect(leaks(err, 'AIzaWRONG-key-value')).toBe(false);
    expect(calls.map((c) => c.outcome)).toEqual(['misconfigured']);
  });

  it('a 403 about the key or project, and a 401, are SourceConfigErrors', async () => {
    world.fault = () => youtubeErrorReply('error-unregistered-caller');
    expect((await configFailure()).message).toContain('YOUTUBE_API_KEY');
    const forbidden = (reason: string, domain: string) => () => ({
      status: 403,
      json: { error: { code: 403, message: 'refused', errors: [{ reason, domain }] } },
    });
    for (const [reason, domain] of [
      ['ipRefererBlocked', 'usageLimits'],
      ['keyExpired', 'usageLimits'],
      ['accessNotConfigured', 'usageLimits'],
    ] as const) {
      world.fault = forbidden(reason, domain);
      expect((await configFailure()).message).toContain(reason);
    }
    world.fault = () => ({ status: 401, json: { error: { code: 401, message: 'unauthorized' } } });
    expect((await configFailure()).message).toContain('YOUTUBE_API_KEY');
  });

  it('a 403 about a resource is blocked: a closed channel, a forbidden video', async () => {
    world.fault = () => youtubeErrorReply('error-channel-closed');
    expect((await profile()).kind).toBe('blocked');
    world.fault = () => ({
      status: 403,
      json: {
        error: { code: 403, message: 'no', errors: [{ reason: 'channelSuspended', domain: 'youtube.channel' }] },
      },
    });
    expect((await profile()).kind).toBe('blocked');
    world.fault = () => ({
      status: 403,
      json: { error: { code: 403, message: 'no', errors: [{ reason: 'forbidden', domain: 'youtube.video' }] } },
    });
    expect((await profile()).kind).toBe('blocked');
  });

  it('never lets the key out, even when the answer quotes the request back', async () => {
    const p = youtube();
    const scenarios: ((req: UpstreamRequest) => ReturnType<NonNullable<YouTubeWorld['fault']>>)[] = [
      (req) => youtubeErrorReply('error-missing-filter', { message: `Bad request ${req.url.href}` }),
      (req) => ({ status: 500, json: { error: { code: 500, message: `failed: ${req.url.search}` } } }),
      (req) => youtubeErrorReply('error-quota-exceeded', { message: `quota for ${req.url.search}` }),
      (req) => youtubeErrorReply('error-channel-closed', { message: `closed ${req.url.search}` }),
      () => youtubeErrorReply('error-key-invalid'),
      () => ({ status: 200, text: 'not json' }),
    ];
    for (const scenario of scenarios) {
      world.fault = scenario;
      const err = await failure(p.getProfile('youtube', 'fakecreator'));
      expect(leaks(err, FAKE_YOUTUBE_API_KEY)).toBe(false);
    }
    expect(thrown).toHaveLength(scenarios.length);
    // the scenarios did quote it: the redaction is what kept it out
    expect(server.requests.every((r) => r.url.searchParams.get('key') === FAKE_YOUTUBE_API_KEY)).toBe(true);
  });
});

describe('quota', () => {
  it('a cycle costs 3 units; listPosts after the channel is known costs 2', async () => {
    const p = youtube();
    await p.getProfile('youtube', 'fakecreator');
    await p.listPosts('youtube', 'fakecreator', { limit: 30 });
    expect(calls.map((c) => [c.source, c.operation, c.units, c.outcome])).toEqual([
      ['youtube', 'channels.list', 1, 'ok'],
      ['youtube', 'playlistItems.list', 1, 'ok'],
      ['youtube', 'videos.list', 1, 'ok'],
    ]);

    calls.length = 0;
    await p.getProfile('youtube', 'fakecreator');
    await p.listPosts('youtube', 'fakecreator', { limit: 30 });
    expect(units()).toBe(3);

    calls.length = 0;
    await p.listPosts('youtube', 'fakecreator', { limit: 30 });
    expect(calls.map((c) => c.operation)).toEqual(['playlistItems.list', 'videos.list']);
    expect(units()).toBe(2);
    expect(world.calls).toEqual({
      'channels.list': 2,
      'playlistItems.list': 3,
      'videos.list': 3,
      'commentThreads.list': 0,
    });
  });

  it('listPosts on a channel not yet seen resolves it once: 3 units, then 2', async () => {
    const p = youtube();
    await p.listPosts('youtube', 'fakecreator', { limit: 30 });
    expect(calls.map((c) => c.operation)).toEqual(['channels.list', 'playlistItems.list', 'videos.list']);
    expect(units()).toBe(3);
    calls.length = 0;
    await p.listPosts('youtube', 'fakecreator', { limit: 30 });
    expect(units()).toBe(2);
  });

  it('a comment page costs 1 unit, and a failed call is still charged', async () => {
    const p = youtube();
    await p.listComments('youtube', world.channels[0]!.videos[0]!.id, { limit: 20 });
    world.fault = () => youtubeErrorReply('error-quota-exceeded');
    await providerFailure(p.listComments('youtube', world.channels[0]!.videos[0]!.id, { limit: 20 }));
    expect(calls.map((c) => [c.operation, c.units, c.outcome])).toEqual([
      ['commentThreads.list', 1, 'ok'],
      ['commentThreads.list', 1, 'rate_limited'],
    ]);
  });
});

/** Every `a.b.c` path to a scalar, with the scalar's type (arrays of objects as `a[]`). */
function shape(value: unknown, prefix = '', into = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    for (const item of value) shape(item, `${prefix}[]`, into);
    if (value.length === 0) into.set(`${prefix}[]`, 'empty');
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) shape(v, prefix ? `${prefix}.${k}` : k, into);
    if (Object.keys(value).length === 0) into.set(prefix, 'object');
  } else {
    into.set(prefix, typeof value);
  }
  return into;
}

/** Paths the fake serves that the recorded fixture does not have, or has with another type. */
function unlike(fake: unknown, fixture: unknown): string[] {
  const recorded = shape(fixture);
  return [...shape(fake)].filter(([p, t]) => recorded.get(p) !== t && t !== 'empty').map(([p, t]) => `${p}: ${t}`);
}

describe('the fake YouTube API', () => {
  const get = async (path: string, query: Record<string, string>) => {
    const url = new URL(`${server.url}/youtube/v3/${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const res = await fetch(url);
    return { status: res.status, body: (await res.json()) as any };
  };
  const key = FAKE_YOUTUBE_API_KEY;

  it('answers in the recorded shapes', async () => {
    const channel = world.channels[0]!;
    const video = channel.videos[0]!;
    const channels = await get('channels', {
      part: 'snippet,statistics,contentDetails',
      forHandle: '@FakeCreator',
      key,
    });
    expect(unlike(channels.body, youtubeFixture('channels-list-for-handle'))).toEqual([]);
    const playlist = await get('playlistItems', {
      part: 'contentDetails',
      playlistId: channel.uploadsPlaylistId,
      maxResults: '3',
      key,
    });
    expect(unlike(playlist.body, youtubeFixture('playlist-items-page'))).toEqual([]);
    const videos = await get('videos', { part: 'snippet,statistics,contentDetails', id: video.id, key });
    expect(unlike(videos.body, youtubeFixture('videos-list'))).toEqual([]);
    const threads = await get('commentThreads', {
      part: 'snippet',
      videoId: video.id,
      maxResults: '2',
      order: 'time',
      textFormat: 'plainText',
      key,
    });
    expect(unlike(threads.body, youtubeFixture('comment-threads-list'))).toEqual([]);
    const none = await get('channels', { part: 'snippet', forHandle: '@nobody', key });
    expect(none.body).not.toHaveProperty('items');
    expect(unlike(none.body, youtubeFixture('channels-list-empty'))).toEqual([]);

    expect(channels.body.items[0].statistics).toEqual({
      viewCount: String(channel.viewCount),
      subscriberCount: '1240000',
      hiddenSubscriberCount: false,
      videoCount: '120',
    });
    expect(videos.body.items[0].statistics.viewCount).toBe(String(findYouTubeVideo(world, video.id)!.video.viewCount));
  });

  it('serves only the requested parts, and omits hidden statistics', async () => {
    const video = world.channels[0]!.videos[2]!;
    const { body } = await get('videos', { part: 'statistics', id: video.id, key });
    expect(Object.keys(body.items[0]).sort()).toEqual(['etag', 'id', 'kind', 'statistics']);
    expect(body.items[0].statistics).not.toHaveProperty('likeCount');
  });

  it('pages with maxResults and pageToken', async () => {
    const channel = world.channels[0]!;
    const first = await get('playlistItems', { part: 'contentDetails', playlistId: channel.uploadsPlaylistId, key });
    expect(first.body.items).toHaveLength(5);
    const second = await get('playlistItems', {
      part: 'contentDetails',
      playlistId: channel.uploadsPlaylistId,
      pageToken: first.body.nextPageToken,
      maxResults: '50',
      key,
    });
    expect(second.body.items.map((i: any) => i.contentDetails.videoId)).toEqual(
      channel.videos.slice(5, 55).map((v) => v.id),
    );
    expect(second.body.pageInfo).toEqual({ totalResults: 120, resultsPerPage: 50 });
  });

  it('wants a key, a part, a filter and sane paging, like the real API', async () => {
    const playlistId = world.channels[0]!.uploadsPlaylistId;
    const cases: [Record<string, string>, number, string][] = [
      [{ part: 'contentDetails', playlistId }, 403, 'forbidden'],
      [{ part: 'contentDetails', playlistId, key: 'wrong' }, 400, 'badRequest'],
      [{ playlistId, key }, 400, 'required'],
      [{ part: 'contentDetails', key }, 400, 'missingRequiredParameter'],
      [{ part: 'nonsense', playlistId, key }, 400, 'unknownPart'],
      [{ part: 'contentDetails', playlistId, maxResults: '51', key }, 400, 'invalidParameter'],
      [{ part: 'contentDetails', playlistId, pageToken: 'bogus', key }, 400, 'invalidPageToken'],
      [{ part: 'contentDetails', playlistId: 'UUnothing', key }, 404, 'playlistNotFound'],
    ];
    for (const [query, status, reason] of cases) {
      const res = await get('playlistItems', query);
      expect([res.status, res.body.error.errors[0].reason]).toEqual([status, reason]);
      expect(res.body.error.code).toBe(status);
    }
  });
});

describe('recorded answers', () => {
  const recorded: Record<string, string> = {
    channels: 'channels-list-for-handle',
    playlistItems: 'playlist-items-page',
    videos: 'videos-list',
    commentThreads: 'comment-threads-list',
  };
  beforeEach(() => {
    server.handler = (req) => ({ status: 200, json: youtubeFixture(recorded[req.url.pathname.split('/').pop()!]!) });
  });

  it('maps a recorded channels.list', async () => {
    expect(await youtube().getProfile('youtube', 'googledevelopers')).toEqual({
      platform: 'youtube',
      platform_user_id: 'UC_x5XG1OV2P6uZZ5FSM9Ttw',
      handle: 'googledevelopers',
      display_name: 'Google for Developers',
      avatar_url:
        'https://yt3.ggpht.com/fca_HuJ99xUxflWdex0XViC3NfctBFreIl8y4i9z411asnGTWY-Ql3MeH_ybA4kNaOjY7kyA=s800-c-k-c0x00ffffff-no-rj',
      profile_url: 'https://www.youtube.com/@googledevelopers',
      bio: 'Subscribe to join a community of creative developers and learn the latest in Google technology.',
      is_verified: false,
      followers: 2_480_000,
      following: null,
      total_videos: 6538,
      total_likes: null,
      total_views: 263_475_681,
      subscribers: 2_480_000,
      category: null,
      country: 'US',
      language: 'en',
      external_links: [],
    });
  });

  it('maps a recorded channel with hidden subscribers and no handle', async () => {
    server.handler = () => ({ status: 200, json: youtubeFixture('channels-list-by-id-hidden-subscribers') });
    const profile = await youtube().getProfile('youtube', 'UCq9Tnd3Fq2pWk4bM0yV7hRz');
    expect(profile).toMatchObject({
      platform_user_id: 'UCq9Tnd3Fq2pWk4bM0yV7hRz',
      handle: 'UCq9Tnd3Fq2pWk4bM0yV7hRz',
      profile_url: 'https://www.youtube.com/channel/UCq9Tnd3Fq2pWk4bM0yV7hRz',
      followers: null,
      subscribers: null,
      total_views: 48_213,
      total_videos: 37,
      bio: null,
      country: null,
      language: null,
    });
  });

  it('trusts hiddenSubscriberCount over a subscriberCount served alongside it', async () => {
    const body = youtubeFixture('channels-list-for-handle');
    body.items[0].statistics.hiddenSubscriberCount = true;
    server.handler = () => ({ status: 200, json: body });
    const profile = await youtube().getProfile('youtube', 'googledevelopers');
    expect([profile.followers, profile.subscribers]).toEqual([null, null]);
  });

  it('maps a recorded playlistItems.list and videos.list', async () => {
    const page = await youtube().listPosts('youtube', 'googledevelopers', { limit: 3 });
    expect(page.next_cursor).not.toBeNull();
    expect(page.posts.map((p) => [p.platform_video_id, p.duration_seconds, p.views, p.likes, p.comments])).toEqual([
      ['Z_3gRtri5HA', 757, 48_213, 1902, 131],
      ['kP8mYq1e_vQ', 58, 10_734, null, 12],
      ['3FrtzWbX-0k', 3842, 391_620, 8734, null],
    ]);
    expect(page.posts.map((p) => p.thumbnail_url)).toEqual([
      'https://i.ytimg.com/vi/Z_3gRtri5HA/maxresdefault.jpg',
      'https://i.ytimg.com/vi/kP8mYq1e_vQ/hqdefault.jpg',
      'https://i.ytimg.com/vi/3FrtzWbX-0k/sddefault.jpg',
    ]);
    expect(page.posts.map((p) => p.hashtags)).toEqual([['androiddev', 'kotlin'], ['shorts'], []]);
    expect(page.posts[0]!.published_at).toBe('2026-05-28T16:00:21Z');
  });

  it('maps a recorded commentThreads.list', async () => {
    const page = await youtube().listComments('youtube', 'Z_3gRtri5HA', { limit: 2 });
    expect(page.next_cursor).not.toBeNull();
    expect(page.comments.map((c) => [c.id, c.author_handle, c.likes, c.published_at])).toEqual([
      ['UgzDE2tasfmrYLyNkGt4AaABAg', 'marta-codes', 14, '2026-05-28T17:12:09Z'],
      ['UgxK9fRq2vB7mT1nW4cY8AaABAg', 'DevJonas', 0, '2026-05-28T16:41:55Z'],
    ]);
    expect(page.comments[0]!.text).toBe('The new profiler is exactly what I needed, thanks!');
  });

  it('leaves out videos and comments without a publish date, and fails getPost on one as unavailable', async () => {
    const videos = youtubeFixture('videos-list');
    delete videos.items[1].snippet.publishedAt;
    const threads = youtubeFixture('comment-threads-list');
    delete threads.items[0].snippet.topLevelComment.snippet.publishedAt;
    const bodies: Record<string, unknown> = { videos, commentThreads: threads };
    server.handler = (req) => {
      const resource = req.url.pathname.split('/').pop()!;
      return { status: 200, json: bodies[resource] ?? youtubeFixture(recorded[resource]!) };
    };
    const p = youtube();

    const page = await p.listPosts('youtube', 'googledevelopers', { limit: 3 });
    expect(page.posts.map((post) => post.platform_video_id)).toEqual(['Z_3gRtri5HA', '3FrtzWbX-0k']);
    expect(page.posts.every((post) => post.published_at !== '')).toBe(true);

    const err = await providerFailure(p.getPost('youtube', 'kP8mYq1e_vQ'));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toContain('kP8mYq1e_vQ');
    expect((await p.getPost('youtube', 'Z_3gRtri5HA')).published_at).toBe('2026-05-28T16:00:21Z');

    const comments = await p.listComments('youtube', 'Z_3gRtri5HA', { limit: 2 });
    expect(comments.comments.map((c) => c.id)).toEqual(['UgxK9fRq2vB7mT1nW4cY8AaABAg']);
  });
});
