/**
 * YouTube through the YouTube Data API v3 with an API key: public channel, video and comment data only. Every call
 * goes through the `Upstream` (limiter, deadline, meter) and is charged its documented quota cost.
 *
 * A tracking cycle costs 3 units: `channels.list` for the profile, then `playlistItems.list` over the channel's
 * uploads playlist and one `videos.list` for the page's statistics. The channel's uploads playlist is remembered per
 * handle, so `listPosts` after `getProfile` (or after an earlier `listPosts`) spends nothing on resolving it again.
 */
import {
  ProviderError,
  SourceConfigError,
  type AudienceAccount,
  type Comment,
  type Platform,
  type PlatformProvider,
  type Post,
  type PostPage,
  type ProfileMetrics,
} from '../domain/platform';
import { isYoutubeChannelId } from '../domain/urls';
import { checkLimit, checkPlatform, count, decodeCursor, encodeCursor, scrubbed } from './adapter-kit';
import { fetchJson, retryAfterSeconds, type JsonResponse, type Upstream } from './upstream';

/** Quota units per call as the Data API documents them (a list call costs 1 whatever its `part`). */
export const YOUTUBE_QUOTA_UNITS = {
  'channels.list': 1,
  'playlistItems.list': 1,
  'videos.list': 1,
  'commentThreads.list': 1,
} as const satisfies Record<string, number>;

export type YouTubeOperation = keyof typeof YOUTUBE_QUOTA_UNITS;

const PATHS: Record<YouTubeOperation, string> = {
  'channels.list': '/channels',
  'playlistItems.list': '/playlistItems',
  'videos.list': '/videos',
  'commentThreads.list': '/commentThreads',
};

/**
 * The daily quota resets at midnight Pacific time, which may be most of a day away; an hour lets a raised quota or a
 * replaced key take effect soon without spending retries every few seconds on a quota that is gone.
 */
export const QUOTA_EXHAUSTED_RETRY_SECONDS = 3600;

/** the API's largest `maxResults` for playlistItems and videos, and for commentThreads */
const MAX_PAGE = 50;
const MAX_COMMENT_PAGE = 100;
const CHANNEL_CACHE_LIMIT = 10_000;
const VIDEO_ID = /^[A-Za-z0-9_-]{11}$/;

const QUOTA_REASONS = new Set(['quotaExceeded', 'dailyLimitExceeded']);
const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'RATE_LIMIT_EXCEEDED']);
/**
 * The key or the Cloud project is misconfigured: not the platform refusing us a creator, and not our request's fault.
 * `API_KEY_*` reasons (API_KEY_INVALID, API_KEY_SERVICE_BLOCKED, API_KEY_IP_ADDRESS_BLOCKED…) are matched by prefix.
 */
const KEY_REASONS = new Set([
  'keyInvalid',
  'keyExpired',
  'accessNotConfigured',
  'ipRefererBlocked',
  'SERVICE_DISABLED',
  'CONSUMER_INVALID',
]);

export interface YouTubeOptions {
  apiKey: string;
  /** e.g. `https://www.googleapis.com/youtube/v3` */
  baseUrl: string;
  upstream: Upstream;
}

interface ApiThumbnail {
  url?: string;
  width?: number;
  height?: number;
}
type ApiThumbnails = Record<string, ApiThumbnail | undefined>;

interface ApiList<T> {
  items?: T[];
  nextPageToken?: string;
}

interface ApiChannel {
  id: string;
  snippet?: {
    title?: string;
    description?: string;
    customUrl?: string;
    thumbnails?: ApiThumbnails;
    defaultLanguage?: string;
    country?: string;
  };
  statistics?: { viewCount?: string; subscriberCount?: string; hiddenSubscriberCount?: boolean; videoCount?: string };
  contentDetails?: { relatedPlaylists?: { uploads?: string } };
}

interface ApiPlaylistItem {
  contentDetails?: { videoId?: string };
}

interface ApiVideo {
  id: string;
  snippet?: { publishedAt?: string; title?: string; description?: string; thumbnails?: ApiThumbnails };
  statistics?: { viewCount?: string; likeCount?: string; commentCount?: string };
  contentDetails?: { duration?: string };
}

interface ApiCommentThread {
  id: string;
  snippet?: {
    videoId?: string;
    topLevelComment?: {
      id?: string;
      snippet?: {
        videoId?: string;
        textDisplay?: string;
        textOriginal?: string;
        authorDisplayName?: string;
        likeCount?: number;
        publishedAt?: string;
      };
    };
  };
}

interface ApiErrorBody {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    errors?: { reason?: string; message?: string; domain?: string }[];
    details?: { reason?: string }[];
  };
}

interface ChannelRef {
  channelId: string;
  uploads: string;
  videoCount: number | null;
}

type PostCursor = { k: 'posts'; h: string; p: string; t: string };
type CommentCursor = { k: 'comments'; v: string; t: string };

const isToken = (t: unknown): t is string => typeof t === 'string' && t !== '';

const postCursor = (raw: string): PostCursor =>
  decodeCursor(raw, ['posts'], ({ h, p, t }) =>
    typeof h === 'string' && typeof p === 'string' && isToken(t) ? { k: 'posts', h, p, t } : null,
  );

const commentCursor = (raw: string): CommentCursor =>
  decodeCursor(raw, ['comments'], ({ v, t }) => (typeof v === 'string' && isToken(t) ? { k: 'comments', v, t } : null));

/** Handles arrive normalised; trimming again costs nothing and keeps the cache keyed one way. */
function handleKey(handle: string): string {
  const h = handle.trim().replace(/^@/, '');
  return isYoutubeChannelId(h) ? h : h.toLowerCase();
}

const profileUrl = (handle: string): string =>
  isYoutubeChannelId(handle)
    ? `https://www.youtube.com/channel/${handle}`
    : `https://www.youtube.com/@${encodeURIComponent(handle)}`;

function bestThumbnail(thumbnails: ApiThumbnails | undefined): string | null {
  let best: ApiThumbnail | undefined;
  for (const t of Object.values(thumbnails ?? {})) {
    if (t?.url && (best === undefined || (t.width ?? 0) > (best.width ?? 0))) best = t;
  }
  return best?.url ?? null;
}

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Seconds in a `contentDetails.duration`: ISO 8601 as YouTube writes it (`PT#H#M#S`, `P#DT#H#M#S` past a day).
 * Null when unreadable, and for the zero length (`P0D`) YouTube gives a live or upcoming broadcast, whose length is
 * not known yet.
 */
export function parseIsoDuration(value: string | undefined): number | null {
  if (value === undefined) return null;
  const m = DURATION.exec(value);
  if (m === null || value === 'P' || value.endsWith('T')) return null;
  const [, w, d, h, min, s] = m.map((part) => Number(part ?? 0));
  const seconds = Math.round((w ?? 0) * 604_800 + (d ?? 0) * 86_400 + (h ?? 0) * 3600 + (min ?? 0) * 60 + (s ?? 0));
  return seconds > 0 ? seconds : null;
}

// a `#` inside a word or a URL (`…/studio#downloads`) is not a hashtag
const HASHTAG = /(?<![\p{L}\p{N}_&/#])#([\p{L}\p{N}_]+)/gu;

/** `#words` in the title and description, lowercased, without `#`, first occurrence first. */
export function hashtagsIn(...texts: (string | null | undefined)[]): string[] {
  const tags = new Set<string>();
  for (const text of texts) {
    for (const match of (text ?? '').matchAll(HASHTAG)) {
      const tag = (match[1] as string).toLowerCase();
      // "the #1 mistake" is a rank, not a tag
      if (/\D/.test(tag)) tags.add(tag);
    }
  }
  return [...tags];
}

const plain = (message: string): string =>
  message
    .replace(/<[^>]*>/g, '')
    .replace(/\s+/g, ' ')
    .trim();

export class YouTubeProvider implements PlatformProvider {
  readonly name = 'youtube-data-api';
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly upstream: Upstream;
  private readonly channels = new Map<string, ChannelRef>();

  constructor(options: YouTubeOptions) {
    if (options.apiKey.trim() === '') throw new RangeError('the YouTube Data API needs an API key');
    this.apiKey = options.apiKey;
    // a bad base URL fails here, before a request URL carrying the key could end up in an error message
    this.baseUrl = new URL(options.baseUrl).href.replace(/\/+$/, '');
    this.upstream = options.upstream;
  }

  async getProfile(platform: Platform, handle: string): Promise<ProfileMetrics> {
    only(platform);
    const key = handleKey(handle);
    const list = await this.request<ApiChannel>('channels.list', {
      part: 'snippet,statistics,contentDetails',
      ...channelFilter(key),
    });
    const channel = list.items?.[0];
    if (!channel) {
      this.channels.delete(key);
      throw new ProviderError('deleted', `YouTube has no channel ${shownHandle(key)}`);
    }
    this.remember(key, channel);
    const s = channel.snippet ?? {};
    const stats = channel.statistics ?? {};
    // customUrl is the @handle; a legacy one without "@" is a vanity URL, not a handle
    const own = s.customUrl?.startsWith('@') ? s.customUrl.slice(1).toLowerCase() : null;
    const shownAs = own ?? key;
    const subscribers = stats.hiddenSubscriberCount === true ? null : count(stats.subscriberCount);
    return {
      platform: 'youtube',
      platform_user_id: channel.id,
      handle: shownAs,
      display_name: s.title ?? shownAs,
      avatar_url: bestThumbnail(s.thumbnails),
      profile_url: profileUrl(shownAs),
      bio: s.description ? s.description : null,
      // the Data API does not expose the verification badge
      is_verified: false,
      followers: subscribers,
      following: null,
      total_videos: count(stats.videoCount),
      total_likes: null,
      total_views: count(stats.viewCount),
      subscribers,
      category: null,
      country: s.country ?? null,
      language: languageOf(s.defaultLanguage),
      external_links: [],
    };
  }

  /**
   * The uploads playlist, newest first, at most 50 posts a page (the API's largest page): a larger `limit` gets 50
   * and a cursor. `total` is ignored, since pages cost one unit each whatever their size. Videos the playlist lists
   * but `videos.list` no longer returns (made private or removed since) are left out of the page.
   */
  async listPosts(
    platform: Platform,
    handle: string,
    opts: { limit: number; cursor?: string | null; total?: number },
  ): Promise<PostPage> {
    only(platform);
    checkLimit(opts.limit);
    const key = handleKey(handle);
    let playlistId: string;
    let pageToken: string | undefined;
    if (opts.cursor) {
      const cursor = postCursor(opts.cursor);
      if (cursor.h !== key) throw new RangeError('cursor belongs to another channel');
      playlistId = cursor.p;
      pageToken = cursor.t;
    } else {
      playlistId = (await this.resolve(key)).uploads;
    }

    let page: ApiList<ApiPlaylistItem>;
    try {
      page = await this.request<ApiPlaylistItem>('playlistItems.list', {
        part: 'contentDetails',
        playlistId,
        maxResults: String(Math.min(opts.limit, MAX_PAGE)),
        ...(pageToken ? { pageToken } : {}),
      });
    } catch (err) {
      if (!(err instanceof ProviderError && err.kind === 'deleted')) throw err;
      const known = this.channels.get(key);
      this.channels.delete(key);
      // YouTube answers playlistNotFound for the uploads playlist of a channel that never uploaded
      if (known?.videoCount === 0) return { posts: [], next_cursor: null };
      throw new ProviderError('deleted', `YouTube has no uploads playlist for ${shownHandle(key)}`);
    }

    const next_cursor = page.nextPageToken
      ? encodeCursor({ k: 'posts', h: key, p: playlistId, t: page.nextPageToken })
      : null;
    const ids = [
      ...new Set((page.items ?? []).map((item) => item.contentDetails?.videoId).filter((id) => id !== undefined)),
    ];
    if (ids.length === 0) return { posts: [], next_cursor };
    const videos = await this.videos(ids);
    // a video without a publish date is not a usable post (published_at is stored as a timestamp): left out
    const posts = ids.map((id) => videos.get(id)).map((video) => video && toPost(video));
    return { posts: posts.filter((post) => post !== undefined && post !== null), next_cursor };
  }

  async getPost(platform: Platform, platformVideoId: string): Promise<Post> {
    only(platform);
    const video = VIDEO_ID.test(platformVideoId) ? (await this.videos([platformVideoId])).get(platformVideoId) : null;
    if (!video) throw new ProviderError('deleted', `YouTube has no video "${platformVideoId.slice(0, 40)}"`);
    const post = toPost(video);
    if (post === null)
      throw new ProviderError('unavailable', `YouTube served video "${video.id}" without a publish date`);
    return post;
  }

  /**
   * Top-level comments, newest first (`order=time`, the API's default): reports quote recent comments, and a time
   * order does not reshuffle between pages as relevance can. Replies are not read. A video with comments turned off
   * answers 403 `commentsDisabled`; that is a video with no comments to read, so it gives an empty page rather than
   * failing the cycle that asked.
   */
  async listComments(
    platform: Platform,
    platformVideoId: string,
    opts: { limit: number; cursor?: string | null },
  ): Promise<{ comments: Comment[]; next_cursor: string | null }> {
    only(platform);
    checkLimit(opts.limit);
    let pageToken: string | undefined;
    if (opts.cursor) {
      const cursor = commentCursor(opts.cursor);
      if (cursor.v !== platformVideoId) throw new RangeError('cursor belongs to another video');
      pageToken = cursor.t;
    }
    const page = await this.request<ApiCommentThread>(
      'commentThreads.list',
      {
        part: 'snippet',
        videoId: platformVideoId,
        maxResults: String(Math.min(opts.limit, MAX_COMMENT_PAGE)),
        order: 'time',
        textFormat: 'plainText',
        ...(pageToken ? { pageToken } : {}),
      },
      'commentsDisabled',
    );
    if (page === null) return { comments: [], next_cursor: null };
    const comments: Comment[] = [];
    for (const thread of page.items ?? []) {
      const top = thread.snippet?.topLevelComment;
      const s = top?.snippet;
      // a comment without a date cannot be stored (published_at is a timestamp) nor placed in time order
      if (top === undefined || !s?.publishedAt) continue;
      const handle = (s.authorDisplayName ?? '').replace(/^@/, '');
      const author: AudienceAccount = { handle, location: null, pronouns: null, bio: null };
      comments.push({
        id: top.id ?? thread.id,
        platform_video_id: s.videoId ?? thread.snippet?.videoId ?? platformVideoId,
        author_handle: handle,
        text: s.textDisplay ?? s.textOriginal ?? '',
        likes: count(s.likeCount) ?? 0,
        published_at: s.publishedAt,
        // YouTube shows nothing about a commenter beyond the name: no location, pronouns or bio
        author,
      });
    }
    const next_cursor = page.nextPageToken
      ? encodeCursor({ k: 'comments', v: platformVideoId, t: page.nextPageToken })
      : null;
    return { comments, next_cursor };
  }

  /** Subscriber lists are not public on YouTube. */
  async listFollowers(platform: Platform): Promise<{ accounts: AudienceAccount[]; next_cursor: string | null }> {
    only(platform);
    throw new ProviderError('blocked', 'YouTube does not expose who subscribes to a channel');
  }

  private async resolve(key: string): Promise<ChannelRef> {
    const known = this.channels.get(key);
    if (known) return known;
    // statistics cost nothing extra and tell a never-uploaded channel from a vanished one (see listPosts)
    const list = await this.request<ApiChannel>('channels.list', {
      part: 'contentDetails,statistics',
      ...channelFilter(key),
    });
    const channel = list.items?.[0];
    const ref = channel && this.remember(key, channel);
    if (!ref) throw new ProviderError('deleted', `YouTube has no channel ${shownHandle(key)}`);
    return ref;
  }

  private remember(key: string, channel: ApiChannel): ChannelRef | undefined {
    const uploads = channel.contentDetails?.relatedPlaylists?.uploads;
    if (!uploads) return undefined;
    const ref = { channelId: channel.id, uploads, videoCount: count(channel.statistics?.videoCount) };
    this.channels.delete(key);
    this.channels.set(key, ref);
    if (this.channels.size > CHANNEL_CACHE_LIMIT) {
      const oldest = this.channels.keys().next().value;
      if (oldest !== undefined) this.channels.delete(oldest);
    }
    return ref;
  }

  private async videos(ids: string[]): Promise<Map<string, ApiVideo>> {
    const list = await this.request<ApiVideo>('videos.list', {
      part: 'snippet,statistics,contentDetails',
      id: ids.join(','),
    });
    return new Map((list.items ?? []).map((video) => [video.id, video]));
  }

  /**
   * One metered GET. A failure becomes a typed error inside the metered call, so the meter records its kind; an
   * answer with the `tolerate` reason is returned as null instead.
   */
  private request<T>(operation: YouTubeOperation, params: Record<string, string>): Promise<ApiList<T>>;
  private request<T>(
    operation: YouTubeOperation,
    params: Record<string, string>,
    tolerate: string,
  ): Promise<ApiList<T> | null>;
  private async request<T>(
    operation: YouTubeOperation,
    params: Record<string, string>,
    tolerate?: string,
  ): Promise<ApiList<T> | null> {
    const url = new URL(`${this.baseUrl}${PATHS[operation]}`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    url.searchParams.set('key', this.apiKey);
    try {
      return await this.upstream.call(operation, YOUTUBE_QUOTA_UNITS[operation], async (signal) => {
        const res = await fetchJson(url, { signal, headers: { accept: 'application/json' } }, 'youtube');
        if (res.status >= 200 && res.status < 300) {
          if (res.body === null || typeof res.body !== 'object' || Array.isArray(res.body)) {
            throw new ProviderError('unavailable', `YouTube ${operation} answered ${res.status} without a JSON object`);
          }
          return res.body as ApiList<T>;
        }
        const reasons = failureReasons(res.body);
        if (tolerate !== undefined && reasons.includes(tolerate)) return null;
        throw this.failure(operation, res, reasons);
      });
    } catch (err) {
      // whatever failed, the key (it rides in the query string) must not travel on in an error
      throw scrubbed(err, this.apiKey, '[redacted]');
    }
  }

  private failure(operation: YouTubeOperation, res: JsonResponse, reasons: string[]): Error {
    const { status } = res;
    const body = (res.body ?? {}) as ApiErrorBody;
    const reason = reasons[0];
    const said = body.error?.message ? `: ${plain(body.error.message)}` : '';
    const text = `YouTube ${operation} answered ${status}${reason ? ` ${reason}` : ''}${said}`;
    const retryAfter = retryAfterSeconds(res.headers.get('retry-after'));
    if (reasons.some((r) => QUOTA_REASONS.has(r))) {
      return new ProviderError(
        'rate_limited',
        `${text} (the daily quota resets at midnight Pacific time)`,
        Math.max(retryAfter ?? 0, QUOTA_EXHAUSTED_RETRY_SECONDS),
      );
    }
    if (status === 429 || reasons.some((r) => RATE_REASONS.has(r))) {
      return new ProviderError('rate_limited', text, retryAfter);
    }
    // A refused key is our configuration, not the platform's answer about a creator: neither `blocked` (which would
    // give the creator up for good) nor a retry (which spends quota on the same refusal). It fails as misconfigured,
    // refunded, until someone fixes YOUTUBE_API_KEY.
    if (
      status === 401 ||
      reasons.some((r) => KEY_REASONS.has(r) || r.startsWith('API_KEY_')) ||
      (status === 403 && callerForbidden(body))
    ) {
      return new SourceConfigError(`YouTube refused the API key (check YOUTUBE_API_KEY): ${text}`);
    }
    // Any other 400 is a request we built wrong: a bug here, not the creator's doing, and the same on every retry
    if (status === 400) {
      return new SourceConfigError(`YouTube ${operation} refused our request as malformed (a bug to fix): ${text}`);
    }
    // What is left of 403 concerns a resource (channelClosed, channelSuspended, forbidden in a youtube.* domain)
    if (status === 403) return new ProviderError('blocked', text);
    if (status === 404) return new ProviderError('deleted', text);
    return new ProviderError('unavailable', text, retryAfter);
  }
}

function only(platform: Platform): void {
  checkPlatform(platform, ['youtube'], 'the YouTube Data API serves YouTube only');
}

const channelFilter = (key: string): Record<string, string> =>
  isYoutubeChannelId(key) ? { id: key } : { forHandle: `@${key}` };

/** ISO 639-1 from a BCP-47 tag (`en-US` → `en`); a three-letter language (`fil`) has no two-letter code. */
function languageOf(tag: string | undefined): string | null {
  const primary = tag?.split(/[-_]/)[0];
  return primary !== undefined && /^[a-z]{2}$/i.test(primary) ? primary.toLowerCase() : null;
}

const shownHandle = (key: string): string => (isYoutubeChannelId(key) ? key : `"@${key}"`);

function failureReasons(body: unknown): string[] {
  const error = (body as ApiErrorBody | undefined)?.error;
  if (error === undefined || error === null || typeof error !== 'object') return [];
  const reasons = [...(error.errors ?? []), ...(error.details ?? [])].map((e) => e?.reason);
  return reasons.filter((r): r is string => typeof r === 'string' && r !== '');
}

/**
 * A 403 `forbidden` is about the caller, not a resource, when it comes from the `global` domain (or none): that is how
 * the API refuses a request without a usable key ("unregistered callers"). A `forbidden` about a video, channel or
 * comment thread comes in that resource's `youtube.*` domain, with the key otherwise accepted, and stays `blocked`.
 */
function callerForbidden(body: ApiErrorBody): boolean {
  const errors = body.error?.errors ?? [];
  return (
    errors.length > 0 &&
    errors.every((e) => e?.reason === 'forbidden' && (e.domain === undefined || e.domain === 'global'))
  );
}

/** null for a video without a publish date: it cannot be stored or ordered, so it is not a usable post */
function toPost(video: ApiVideo): Post | null {
  const s = video.snippet ?? {};
  const stats = video.statistics ?? {};
  if (!s.publishedAt) return null;
  return {
    platform: 'youtube',
    platform_video_id: video.id,
    url: `https://www.youtube.com/watch?v=${encodeURIComponent(video.id)}`,
    title: s.title ?? null,
    description: s.description ?? null,
    thumbnail_url: bestThumbnail(s.thumbnails),
    published_at: s.publishedAt,
    duration_seconds: parseIsoDuration(video.contentDetails?.duration),
    views: count(stats.viewCount),
    likes: count(stats.likeCount),
    comments: count(stats.commentCount),
    shares: null,
    bookmarks: null,
    hashtags: hashtagsIn(s.title, s.description),
    is_duet: null,
    is_stitch: null,
  };
}
