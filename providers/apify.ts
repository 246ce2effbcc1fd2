/**
 * TikTok and Instagram through Apify actors (clockworks' TikTok scrapers, Apify's Instagram scrapers).
 *
 * Each read starts an actor run and waits for it (`POST /v2/actors/{actor}/runs`, then
 * `GET /v2/actor-runs/{run}?waitForFinish=…`), then reads the run's default dataset
 * (`GET /v2/datasets/{dataset}/items?offset&limit`). Plain fetch rather than apify-client: apify-client 2.25 takes no
 * AbortSignal (the upstream's deadline could not cancel its requests), its ApifyApiError keeps no response headers
 * (a 429's Retry-After would be lost), and its `actor.call()` adds a log-streaming request to every run. The token goes
 * in the Authorization header only, and error messages are scrubbed of it.
 *
 * A whole run (start, wait, and an abort when it outlives `runTimeoutSeconds`) is one `upstream.call` costing 1 unit,
 * so the Apify upstream's `timeoutMs` should exceed `runTimeoutSeconds` (a run cut short by the upstream's deadline
 * is aborted too). Dataset reads cost 0 units.
 *
 * Runs are cached per account (and comment runs per post URL) for `cacheTtlMs`. The cache keeps a run's dataset id
 * from the moment the run SUCCEEDED, so a dataset read that fails (5xx, timeout) and is retried re-reads the paid
 * run's dataset instead of starting a new run.
 *
 * Failures: 429 is `rate_limited` with its Retry-After. 402 (the account's usage or memory limit) is `rate_limited`
 * too, but asks for `USAGE_LIMIT_RETRY_SECONDS` (an hour): the limit lifts when usage frees up or the plan changes,
 * never seconds later. 5xx, 404, a body that is not JSON and a FAILED or ABORTED run are `unavailable`; a TIMED-OUT
 * run, or one still running at `runTimeoutSeconds`, is `timeout`. 401/403 mean the token was refused: our own
 * configuration, not the platform's answer, so they throw `SourceConfigError` naming APIFY_TOKEN (never the token).
 *
 * Accounts: an empty dataset or an item whose `error` says not found is `deleted`; a private account (TikTok
 * `authorMeta.privateAccount`, Instagram `private: true`, or an error item saying so) is `private` for its posts while
 * its profile counters are still served. The TikTok scraper returns videos, not profiles, so an existing TikTok
 * account with no public videos yields an empty dataset too and reads as `deleted`.
 *
 * Single posts: a run's items count only when their id matches exactly (TikTok `id`, Instagram `shortCode`); a run
 * that answers with some other post reads as `deleted`, never as that post's numbers. The Instagram post scraper is
 * given the post's URL in `username`, as it is given profiles.
 *
 * Comments of several posts (`listCommentsOfPosts`) are one run of the comment actor over all their URLs (both actors
 * apply their limit per URL). Each item goes to the requested post its reference names (the submitted URL, the video
 * or post URL, or the id), matched by video id or shortcode so URL variants agree; items naming no requested post are
 * dropped. The run fills each post's comment cache entry, so a later read of one of those posts starts nothing, and
 * posts whose entry is still fresh are left out of the run. A post that is gone (an error item saying deleted or
 * private) gets no comments; another failure of one post fails the call, and drops that post's entry so a retry runs
 * it again.
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
  type ProviderFailureKind,
  type Sound,
  type SoundVideo,
  type SoundVideoPage,
} from '../domain/platform';
import { checkLimit, checkPlatform, count, decodeCursor, encodeCursor, scrubbed } from './adapter-kit';
import { fetchJson, retryAfterSeconds, type JsonResponse, type Upstream } from './upstream';

export interface ApifyActors {
  tiktok: string;
  tiktokComments: string;
  /** the videos using a sound, each with the sound's `musicMeta`: input `{ musics: [url], resultsPerPage }` */
  tiktokSound: string;
  instagramProfile: string;
  instagramPosts: string;
  instagramComments: string;
  /**
   * e.g. `clockworks~tiktok-followers-scraper` (a paid actor). Without one, listFollowers on TikTok answers an empty
   * page, so the audience ladder falls through to the profile-only hint instead of failing the refresh.
   */
  tiktokFollowers?: string;
}

export const APIFY_DEFAULT_ACTORS = {
  tiktok: 'clockworks~tiktok-scraper',
  tiktokComments: 'clockworks~tiktok-comments-scraper',
  tiktokSound: 'clockworks~tiktok-sound-scraper',
  instagramProfile: 'apify~instagram-profile-scraper',
  instagramPosts: 'apify~instagram-post-scraper',
  instagramComments: 'apify~instagram-comment-scraper',
} as const satisfies ApifyActors;

export interface ApifyOptions {
  token: string;
  /** API origin, e.g. https://api.apify.com; `/v2/…` is appended */
  baseUrl: string;
  actors: ApifyActors;
  /** each run's timeout on Apify, and how long the adapter waits for it before aborting it */
  runTimeoutSeconds: number;
  upstream: Upstream;
  /** how long a run's items serve later reads of the same account (default 5 minutes) */
  cacheTtlMs?: number;
  /** videos a TikTok profile read fetches, so the cycle's listPosts that follows reuses its run (default 30) */
  profilePosts?: number;
  /** the cache's clock */
  now?: () => number;
}

type Item = Record<string, unknown>;

/** A finished run's dataset: its id, the items read from its start, and its size when Apify said. */
interface Dataset {
  datasetId: string;
  items: Item[];
  total: number | null;
}

interface CachedRun {
  requested: number;
  at: number;
  /** the run returned fewer items than asked: the account has no more, so any larger request is served too */
  exhausted: boolean;
  /** the run's dataset id once it SUCCEEDED; a failed run drops the entry */
  datasetId: Promise<string>;
  /** the dataset's head as read; null until read, and again after a failed read (the next call re-reads it) */
  dataset: Promise<Dataset> | null;
  /** how to read the entry's items from its run's dataset, when not its head (one post's share of a batch run) */
  read?: (datasetId: string) => Promise<Dataset>;
}

type CursorKind =
  | 'tiktok-posts'
  | 'instagram-posts'
  | 'instagram-latest'
  | 'tiktok-comments'
  | 'instagram-comments'
  | 'tiktok-followers'
  | 'tiktok-sound';

/** An offset into a finished run's dataset: later pages read it and start nothing. */
interface DatasetCursor {
  k: CursorKind;
  d: string;
  o: number;
  t: number | null;
}

const DEFAULT_CACHE_TTL_MS = 5 * 60_000;
const DEFAULT_PROFILE_POSTS = 30;
/** the most results one run is asked for */
const MAX_RESULTS = 1000;
/** the most items a batch comment run's dataset is read for, whatever the actor returned */
const MAX_BATCH_ITEMS = 10_000;
/** items a sound run's first read takes, so getSound and the first listing page share it */
const SOUND_HEAD = 20;
/** the API holds a waitForFinish request at most this long */
const MAX_WAIT_SECONDS = 60;
/** how long a 402 (usage or memory limit) asks callers to wait: a retry seconds later cannot succeed */
const USAGE_LIMIT_RETRY_SECONDS = 3600;
const TIKTOK_DOWNLOADS_OFF = {
  shouldDownloadVideos: false,
  shouldDownloadCovers: false,
  shouldDownloadSubtitles: false,
  shouldDownloadSlideshowImages: false,
};
const APIFY_PLATFORMS = ['tiktok', 'instagram'] as const;
const APIFY_SERVES = 'the Apify provider reads TikTok and Instagram';
const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'TIMED-OUT', 'TIMING-OUT', 'ABORTED', 'ABORTING']);

const obj = (v: unknown): Item | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Item) : null;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => {
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : null;
};
const isoOf = (text: unknown, unixSeconds?: unknown): string | null => {
  const s = str(text);
  const ms = s !== null && typeof text === 'string' ? Date.parse(s) : NaN;
  if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  return typeof unixSeconds === 'number' && Number.isFinite(unixSeconds)
    ? new Date(unixSeconds * 1000).toISOString()
    : null;
};
const httpLink = (v: string | null): string | null => {
  if (v === null) return null;
  const link = v.trim();
  return /^https?:\/\//i.test(link) ? link : /^[\w-]+(\.[\w-]+)+(\/\S*)?$/.test(link) ? `https://${link}` : null;
};
const unique = (values: (string | null)[]): string[] => [...new Set(values.filter((v): v is string => v !== null))];
const newestFirst = <T extends { published_at: string; platform_video_id: string }>(posts: T[]): T[] =>
  posts.sort(
    (a, b) =>
      Date.parse(b.published_at) - Date.parse(a.published_at) || (a.platform_video_id < b.platform_video_id ? 1 : -1),
  );
const notNull = <T>(v: T | null): v is T => v !== null;

// the dataset id ends up in a request path: only the shape of an id Apify writes is taken back
function datasetCursor(raw: string, kinds: readonly CursorKind[]): DatasetCursor {
  return decodeCursor(raw, kinds, ({ k, d, o, t }) =>
    typeof d === 'string' &&
    /^[\w~.-]{1,64}$/.test(d) &&
    Number.isInteger(o) &&
    (o as number) >= 0 &&
    (t === null || Number.isInteger(t))
      ? { k: k as CursorKind, d, o: o as number, t: t as number | null }
      : null,
  );
}

/** What an actor's error item says: not found, private, nothing to show, or some other failure. */
function itemError(item: Item): { kind: ProviderFailureKind | 'nothing'; text: string } | null {
  const error = str(item.error);
  if (error === null) return null;
  const text = [error, str(item.errorDescription)].filter(notNull).join(': ');
  const lower = text.toLowerCase();
  if (/not[\s_-]?found|does ?n[o']t exist|no longer|removed|deleted|banned|couldn't find|isn't available/.test(lower)) {
    return { kind: 'deleted', text };
  }
  // "Empty or private data for provided input": nothing to show, for a reason the actor cannot tell
  if (/no[\s_-]?items|empty/.test(lower)) return { kind: 'nothing', text };
  if (lower.includes('private')) return { kind: 'private', text };
  return { kind: 'unavailable', text };
}

/** Sounds are TikTok's; a music id is digits. */
function soundIdOf(platform: Platform, musicId: string): string {
  if (platform !== 'tiktok') throw new ProviderError('blocked', `${platform} has no sounds to look up`);
  const id = String(musicId).trim();
  if (!/^\d{1,20}$/.test(id)) throw new ProviderError('deleted', `"${id.slice(0, 40)}" is not a TikTok music id`);
  return id;
}

function firstError(items: Item[]): { kind: ProviderFailureKind | 'nothing'; text: string } | null {
  for (const item of items) {
    const found = itemError(item);
    if (found) return found;
  }
  return null;
}

function apiFailure(res: JsonResponse, what: string): ProviderError | SourceConfigError {
  const error = obj(obj(res.body)?.error);
  const type = str(error?.type);
  const message = str(error?.message);
  const said = type === null ? '' : ` (${type}${message === null ? '' : `: ${message}`})`;
  const status = res.status;
  if (status === 402) {
    return new ProviderError(
      'rate_limited',
      `Apify refused ${what}: the account's usage or memory limit${said}`,
      USAGE_LIMIT_RETRY_SECONDS,
    );
  }
  if (status === 429) {
    return new ProviderError(
      'rate_limited',
      `Apify rate-limited ${what}${said}`,
      retryAfterSeconds(res.headers.get('retry-after')),
    );
  }
  if (status === 401 || status === 403) {
    return new SourceConfigError(`Apify refused the API token (HTTP ${status}${said}): check APIFY_TOKEN`);
  }
  if (status === 404) return new ProviderError('unavailable', `Apify found nothing for ${what} (HTTP 404${said})`);
  return new ProviderError('unavailable', `Apify answered ${what} with HTTP ${status}${said}`);
}

const isTikTokVideo = (item: Item): boolean =>
  str(item.id) !== null && isoOf(item.createTimeISO, item.createTime) !== null;
const isInstagramPost = (item: Item): boolean => str(item.shortCode) !== null && isoOf(item.timestamp) !== null;

/** A scraped account always has its handle, which stands in for an id or a display name the scraper left out. */
const identity = (platform: 'tiktok' | 'instagram', name: string, id: string | null, displayName: string | null) => ({
  platform,
  platform_user_id: id ?? name,
  handle: name,
  display_name: displayName ?? name,
});

function tiktokProfile(author: Item, handle: string): ProfileMetrics {
  const name = (str(author.name) ?? handle).toLowerCase();
  const region = str(author.region);
  const bioLink = typeof author.bioLink === 'string' ? author.bioLink : str(obj(author.bioLink)?.link);
  return {
    ...identity('tiktok', name, str(author.id), str(author.nickName)),
    avatar_url: str(author.avatar) ?? str(author.originalAvatarUrl),
    profile_url: `https://www.tiktok.com/@${name}`,
    bio: str(author.signature),
    is_verified: author.verified === true,
    followers: count(author.fans),
    following: count(author.following),
    total_videos: count(author.video),
    total_likes: count(author.heart),
    // TikTok shows no profile-level view count
    total_views: null,
    subscribers: null,
    category: null,
    // the account's region as TikTok records it; the scraper reports no declared language
    country: region !== null && /^[a-z]{2}$/i.test(region) ? region.toUpperCase() : null,
    language: null,
    external_links: unique([httpLink(bioLink)]),
  };
}

function tiktokPost(item: Item): Post | null {
  const id = str(item.id);
  const published = isoOf(item.createTimeISO, item.createTime);
  if (id === null || published === null) return null;
  const video = obj(item.videoMeta) ?? {};
  const author = str(obj(item.authorMeta)?.name)?.toLowerCase() ?? '_';
  return {
    platform: 'tiktok',
    platform_video_id: id,
    url: str(item.webVideoUrl) ?? `https://www.tiktok.com/@${author}/video/${id}`,
    title: null,
    description: str(item.text),
    thumbnail_url: str(video.coverUrl) ?? str(video.originalCoverUrl),
    published_at: published,
    duration_seconds: count(video.duration),
    views: count(item.playCount),
    likes: count(item.diggCount),
    comments: count(item.commentCount),
    shares: count(item.shareCount),
    bookmarks: count(item.collectCount),
    hashtags: unique(arr(item.hashtags).map((h) => (typeof h === 'string' ? str(h) : str(obj(h)?.name)))),
    // the scraper's output says nothing about duets or stitches: unknown, not false
    is_duet: null,
    is_stitch: null,
  };
}

/**
 * A sound from the `musicMeta` its videos carry. The scraper's item says nothing of the sound's usage count, creation
 * time or uploader handle: null, not guessed; `is_commerce` is true only when the item says so.
 */
function tiktokSound(musicId: string, meta: Item): Sound {
  const title = str(meta.musicName) ?? 'original sound';
  const slug =
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'sound';
  return {
    platform: 'tiktok',
    music_id: musicId,
    title,
    author_name: str(meta.musicAuthor),
    owner_handle: null,
    album: str(meta.musicAlbum),
    duration_seconds: count(meta.duration),
    is_original: meta.musicOriginal === true,
    is_commerce: meta.isCommerceMusic === true,
    cover_url: str(meta.coverMediumUrl) ?? str(meta.originalCoverMediumUrl),
    play_url: str(meta.playUrl),
    url: `https://www.tiktok.com/music/${slug}-${musicId}`,
    video_count: null,
    created_at: null,
  };
}

/** A video of a sound's listing: the post, and its author as the item's `authorMeta` tells. */
function tiktokSoundVideo(item: Item, musicId: string): SoundVideo | null {
  const post = tiktokPost(item);
  const author = obj(item.authorMeta);
  const handle = str(author?.name)?.toLowerCase();
  if (post === null || !handle) return null;
  const meta = obj(item.musicMeta);
  return {
    ...post,
    music_id: musicId,
    author_handle: handle,
    author_user_id: str(author?.id),
    author_display_name: str(author?.nickName),
    author_followers: count(author?.fans),
    author_is_verified: typeof author?.verified === 'boolean' ? author.verified : null,
    is_commerce_music: typeof meta?.isCommerceMusic === 'boolean' ? meta.isCommerceMusic : null,
  };
}

/** The item is one of the sound's videos: its musicMeta names the sound, or names none. */
const usesSound = (item: Item, musicId: string): boolean => {
  const id = str(obj(item.musicMeta)?.musicId);
  return id === null || id === musicId;
};

function instagramProfile(item: Item, handle: string): ProfileMetrics {
  const name = (str(item.username) ?? handle).toLowerCase();
  // Instagram pads business categories with "None" ("None,Art")
  const category = (str(item.businessCategoryName) ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part !== 'None')
    .join(', ');
  return {
    ...identity('instagram', name, str(item.id), str(item.fullName)),
    avatar_url: str(item.profilePicUrlHD) ?? str(item.profilePicUrl),
    profile_url: `https://www.instagram.com/${name}/`,
    bio: str(item.biography),
    is_verified: item.verified === true,
    followers: count(item.followersCount),
    following: count(item.followsCount),
    total_videos: count(item.postsCount),
    total_likes: null,
    total_views: null,
    subscribers: null,
    category: category === '' ? null : category,
    country: null,
    language: null,
    external_links: unique([
      ...arr(item.externalUrls).map((link) => httpLink(str(obj(link)?.url))),
      httpLink(str(item.externalUrl)),
    ]),
  };
}

function instagramPost(item: Item): Post | null {
  const code = str(item.shortCode);
  const published = isoOf(item.timestamp);
  if (code === null || published === null) return null;
  const duration = typeof item.videoDuration === 'number' && item.videoDuration >= 0 ? item.videoDuration : null;
  return {
    platform: 'instagram',
    platform_video_id: code,
    url: str(item.url) ?? `https://www.instagram.com/p/${code}/`,
    title: null,
    description: str(item.caption),
    thumbnail_url: str(item.displayUrl),
    published_at: published,
    duration_seconds: duration === null ? null : Math.round(duration),
    // plays are what Instagram shows on reels now; photos have no views at all
    views: item.type === 'Image' ? null : (count(item.videoPlayCount) ?? count(item.videoViewCount)),
    likes: count(item.likesCount),
    comments: count(item.commentsCount),
    shares: null,
    bookmarks: null,
    hashtags: unique(arr(item.hashtags).map(str)),
    is_duet: null,
    is_stitch: null,
  };
}

const commenter = (handle: string): AudienceAccount => ({ handle, location: null, pronouns: null, bio: null });

function comment(
  videoId: string,
  id: string | null,
  handle: string | null,
  published: string | null,
  text: unknown,
  likes: unknown,
): Comment | null {
  const author = handle?.toLowerCase() ?? null;
  if (id === null || author === null || published === null) return null;
  return {
    id,
    platform_video_id: videoId,
    author_handle: author,
    text: typeof text === 'string' ? text : '',
    likes: count(likes) ?? 0,
    published_at: published,
    author: commenter(author),
  };
}

const tiktokComment = (item: Item, videoId: string): Comment | null =>
  comment(
    videoId,
    str(item.cid),
    str(item.uniqueId),
    isoOf(item.createTimeISO, item.createTime),
    item.text,
    item.diggCount,
  );

const instagramComment = (item: Item, shortCode: string): Comment | null =>
  comment(
    shortCode,
    str(item.id),
    str(item.ownerUsername) ?? str(obj(item.owner)?.username),
    isoOf(item.timestamp),
    item.text,
    item.likesCount,
  );

/** Where a comment item names its post, most direct first: what we submitted, then the post itself. */
const TIKTOK_COMMENT_POST_FIELDS = ['submittedVideoUrl', 'input', 'inputUrl', 'awemeId', 'aweme_id', 'videoWebUrl'];
const INSTAGRAM_COMMENT_POST_FIELDS = ['inputUrl', 'input', 'postUrl', 'postShortCode', 'shortCode', 'commentUrl'];
const tiktokVideoIdOf = (url: string): string | null => /\/(?:video|photo)\/(\d+)/.exec(url)?.[1] ?? null;
const shortCodeOf = (url: string): string | null => /\/(?:p|reels?|tv)\/([\w-]+)/.exec(url)?.[1] ?? null;

/** A URL compared loosely: no scheme, `www.`, query, fragment or trailing slash; the host in lower case. */
function urlKey(url: string): string {
  const s = url
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/^www\./i, '')
    .replace(/[?#].*$/, '')
    .replace(/\/+$/, '');
  const slash = s.indexOf('/');
  return slash < 0 ? s.toLowerCase() : s.slice(0, slash).toLowerCase() + s.slice(slash);
}

/** Splits a batch comment run's items among the requested posts (by platform video id → their URL). */
function commentsByPost(items: Item[], posts: ReadonlyMap<string, string>, tiktok: boolean): Map<string, Item[]> {
  const byPost = new Map([...posts.keys()].map((id): [string, Item[]] => [id, []]));
  const byUrl = new Map([...posts].map(([id, url]): [string, string] => [urlKey(url), id]));
  const fields = tiktok ? TIKTOK_COMMENT_POST_FIELDS : INSTAGRAM_COMMENT_POST_FIELDS;
  const idOf = tiktok ? tiktokVideoIdOf : shortCodeOf;
  // a run over one URL answers for that post alone, as a `listComments` run does
  const only = posts.size === 1 ? [...posts.keys()][0]! : null;
  for (const item of items) {
    let post: string | null = null;
    for (const field of fields) {
      const ref = str(item[field]);
      if (ref === null) continue;
      const id = byPost.has(ref) ? ref : (byUrl.get(urlKey(ref)) ?? idOf(ref));
      if (id !== null && byPost.has(id)) {
        post = id;
        break;
      }
    }
    post ??= only;
    if (post !== null) byPost.get(post)!.push(item);
  }
  return byPost;
}

function follower(item: Item): AudienceAccount | null {
  const author = obj(item.authorMeta);
  const handle = str(author?.name)?.toLowerCase() ?? null;
  if (author === null || handle === null) return null;
  if (item.connectionType !== undefined && item.connectionType !== 'follower') return null;
  return { handle, location: null, pronouns: null, bio: str(author.signature) };
}

export class ApifyProvider implements PlatformProvider {
  readonly name = 'apify';
  private readonly base: string;
  private readonly ttlMs: number;
  private readonly profilePosts: number;
  private readonly now: () => number;
  private readonly runs = new Map<string, CachedRun>();

  constructor(private readonly options: ApifyOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.ttlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    this.profilePosts = Math.min(MAX_RESULTS, Math.max(1, options.profilePosts ?? DEFAULT_PROFILE_POSTS));
    this.now = options.now ?? Date.now;
  }

  async getProfile(platform: Platform, handle: string): Promise<ProfileMetrics> {
    return this.guard(async () => {
      const h = this.accountOf(platform, handle);
      if (platform === 'tiktok') {
        const dataset = await this.tiktokRun(h, this.profilePosts, this.profilePosts);
        const author = dataset.items.map((item) => obj(item.authorMeta)).find((a) => str(a?.id) ?? str(a?.name));
        if (!author) throw this.tiktokAccountFailure(h, dataset.items);
        return tiktokProfile(author, h);
      }
      const { item } = await this.instagramProfileItem(h);
      return instagramProfile(item, h);
    });
  }

  async listPosts(
    platform: Platform,
    handle: string,
    opts: { limit: number; cursor?: string | null; total?: number },
  ): Promise<PostPage> {
    return this.guard(async () => {
      const h = this.accountOf(platform, handle);
      checkLimit(opts.limit);
      const need = Math.min(MAX_RESULTS, Math.max(opts.limit, opts.total ?? opts.limit));
      if (platform === 'tiktok') {
        if (opts.cursor) {
          return this.postsFromCursor(datasetCursor(opts.cursor, ['tiktok-posts']), opts.limit, tiktokPost);
        }
        const dataset = await this.tiktokRun(h, need, opts.limit);
        if (!dataset.items.some(isTikTokVideo)) throw this.tiktokAccountFailure(h, dataset.items);
        return this.firstPostPage(dataset, 'tiktok-posts', opts.limit, tiktokPost);
      }
      if (opts.cursor) {
        const cursor = datasetCursor(opts.cursor, ['instagram-posts', 'instagram-latest']);
        return cursor.k === 'instagram-latest'
          ? this.latestPostsPage(cursor, opts.limit)
          : this.postsFromCursor(cursor, opts.limit, instagramPost);
      }
      const profile = await this.instagramProfileItem(h);
      if (profile.item.private === true) throw new ProviderError('private', `Instagram account @${h} is private`);
      const latest = arr(profile.item.latestPosts).map(obj).filter(notNull).filter(isInstagramPost);
      const postsCount = count(profile.item.postsCount);
      const latestCursor = { k: 'instagram-latest' as const, d: profile.datasetId, o: 0, t: latest.length };
      // the profile run already holds the newest posts (typically 12): a shallow read needs no second run
      if (latest.length >= need || (postsCount !== null && latest.length >= postsCount)) {
        return this.latestPostsPage(latestCursor, opts.limit, latest);
      }
      const dataset = await this.cached(`instagram:posts:${h}`, need, opts.limit, () =>
        this.runActor(this.options.actors.instagramPosts, { username: [h], resultsLimit: need }, need),
      );
      if (!dataset.items.some(isInstagramPost)) {
        const error = firstError(dataset.items);
        if (error && error.kind !== 'nothing') throw new ProviderError(error.kind, `Instagram @${h}: ${error.text}`);
        // the profile run found a public account: serve the posts it carried
        return this.latestPostsPage(latestCursor, opts.limit, latest);
      }
      return this.firstPostPage(dataset, 'instagram-posts', opts.limit, instagramPost);
    });
  }

  async getPost(platform: Platform, platformVideoId: string, opts: { url?: string } = {}): Promise<Post> {
    return this.guard(async () => {
      checkPlatform(platform, APIFY_PLATFORMS, APIFY_SERVES);
      if (platform === 'tiktok') {
        // TikTok resolves a video by its id whatever handle the path names, so a placeholder author finds it when no
        // URL is known; the given URL is preferred as the canonical one
        const url = opts.url ?? `https://www.tiktok.com/@_/video/${encodeURIComponent(platformVideoId)}`;
        const input = { postURLs: [url], resultsPerPage: 1, ...TIKTOK_DOWNLOADS_OFF };
        const { items } = await this.collect(this.options.actors.tiktok, input, 1, 10);
        const item = items.find((i) => str(i.id) === platformVideoId);
        const post = item ? tiktokPost(item) : null;
        if (post) return post;
        throw this.postFailure('TikTok', platformVideoId, items);
      }
      const url = opts.url ?? `https://www.instagram.com/p/${encodeURIComponent(platformVideoId)}/`;
      const { items } = await this.collect(
        this.options.actors.instagramPosts,
        { username: [url], resultsLimit: 1 },
        1,
        10,
      );
      const item = items.find((i) => str(i.shortCode) === platformVideoId);
      const post = item ? instagramPost(item) : null;
      if (post) return post;
      throw this.postFailure('Instagram', platformVideoId, items);
    });
  }

  async listComments(
    platform: Platform,
    platformVideoId: string,
    opts: { limit: number; cursor?: string | null; url?: string },
  ): Promise<{ comments: Comment[]; next_cursor: string | null }> {
    return this.guard(async () => {
      checkPlatform(platform, APIFY_PLATFORMS, APIFY_SERVES);
      checkLimit(opts.limit);
      const tiktok = platform === 'tiktok';
      const kind = tiktok ? 'tiktok-comments' : 'instagram-comments';
      const map = (item: Item) =>
        tiktok ? tiktokComment(item, platformVideoId) : instagramComment(item, platformVideoId);
      if (opts.cursor) {
        const page = await this.cursorPage(datasetCursor(opts.cursor, [kind]), opts.limit);
        return { comments: page.items.map(map).filter(notNull), next_cursor: page.next };
      }
      const url = this.commentsUrl(tiktok, platformVideoId, opts.url);
      // a retried report reads the same posts' comments again: one paid run per post URL within the TTL
      const dataset = await this.cached(`${kind}:${url}`, opts.limit, opts.limit, () =>
        this.commentsRun(tiktok, [url], opts.limit),
      );
      const comments = dataset.items.map(map).filter(notNull);
      if (comments.length === 0) {
        // a post nobody commented on gives an empty dataset or a "no items" error item: an empty page, not a failure
        const error = firstError(dataset.items);
        if (error && error.kind !== 'nothing') {
          throw new ProviderError(
            error.kind,
            `${tiktok ? 'TikTok' : 'Instagram'} post ${platformVideoId}: ${error.text}`,
          );
        }
      }
      const next = this.nextOffset(dataset, dataset.items.length, opts.limit);
      return { comments, next_cursor: next === null ? null : this.cursorAt(kind, dataset, next) };
    });
  }

  async listCommentsOfPosts(
    platform: Platform,
    posts: readonly Pick<Post, 'platform_video_id' | 'url'>[],
    opts: { perPost: number },
  ): Promise<Map<string, Comment[]>> {
    return this.guard(async () => {
      checkPlatform(platform, APIFY_PLATFORMS, APIFY_SERVES);
      const { perPost } = opts;
      checkLimit(perPost);
      const tiktok = platform === 'tiktok';
      const kind = tiktok ? 'tiktok-comments' : 'instagram-comments';
      // by platform video id: the URL its comments are read by
      const urls = new Map<string, string>();
      for (const post of posts) {
        const id = post.platform_video_id;
        if (!urls.has(id)) urls.set(id, this.commentsUrl(tiktok, id, post.url));
      }
      const now = this.now();
      const toRun = new Map(
        [...urls].filter(([, url]) => {
          const entry = this.runs.get(`${kind}:${url}`);
          return !entry || now - entry.at >= this.ttlMs || (entry.requested < perPost && !entry.exhausted);
        }),
      );
      if (toRun.size > 0) this.startCommentsBatch(tiktok, kind, toRun, perPost);
      const name = tiktok ? 'TikTok' : 'Instagram';
      const lists = await Promise.all(
        [...urls].map(async ([id, url]): Promise<[string, Comment[]]> => {
          const key = `${kind}:${url}`;
          // every post has its entry now; should one have expired meanwhile, it runs alone
          const { items } = await this.cached(key, perPost, perPost, () => this.commentsRun(tiktok, [url], perPost));
          const comments = items.map((item) => (tiktok ? tiktokComment(item, id) : instagramComment(item, id)));
          const found = comments.filter(notNull).slice(0, perPost);
          const error = found.length === 0 ? firstError(items) : null;
          if (error && error.kind !== 'nothing') {
            const failure = new ProviderError(error.kind, `${name} post ${id}: ${error.text}`);
            if (failure.permanent) return [id, []];
            this.runs.delete(key);
            throw failure;
          }
          return [id, found];
        }),
      );
      return new Map(lists);
    });
  }

  async listFollowers(
    platform: Platform,
    handle: string,
    opts: { limit: number; cursor?: string | null },
  ): Promise<{ accounts: AudienceAccount[]; next_cursor: string | null }> {
    return this.guard(async () => {
      const h = this.accountOf(platform, handle);
      checkLimit(opts.limit);
      if (platform === 'instagram') throw new ProviderError('blocked', 'Instagram does not expose follower lists');
      const actor = this.options.actors.tiktokFollowers;
      if (actor === undefined) return { accounts: [], next_cursor: null };
      if (opts.cursor) {
        const page = await this.cursorPage(datasetCursor(opts.cursor, ['tiktok-followers']), opts.limit);
        return { accounts: page.items.map(follower).filter(notNull), next_cursor: page.next };
      }
      const input = { profiles: [h], maxFollowersPerProfile: opts.limit, maxFollowingPerProfile: 0 };
      const dataset = await this.collect(actor, input, opts.limit, opts.limit);
      const accounts = dataset.items.map(follower).filter(notNull);
      if (accounts.length === 0) {
        const error = firstError(dataset.items);
        if (error && error.kind !== 'nothing') throw new ProviderError(error.kind, `TikTok @${h}: ${error.text}`);
      }
      const next = this.nextOffset(dataset, dataset.items.length, opts.limit);
      return { accounts, next_cursor: next === null ? null : this.cursorAt('tiktok-followers', dataset, next) };
    });
  }

  /**
   * A sound's metadata, from the `musicMeta` of the first of its videos: one run of the sound scraper, shared with the
   * listing that follows (or precedes) it. No videos, or none naming the sound, is `deleted`.
   */
  async getSound(platform: Platform, musicId: string): Promise<Sound> {
    return this.guard(async () => {
      const id = soundIdOf(platform, musicId);
      const dataset = await this.soundRun(id, 1, SOUND_HEAD);
      const meta = dataset.items
        .filter((i) => usesSound(i, id))
        .map((i) => obj(i.musicMeta))
        .find(notNull);
      if (meta) return tiktokSound(id, meta);
      const error = firstError(dataset.items);
      if (error && error.kind !== 'nothing') throw new ProviderError(error.kind, `TikTok sound ${id}: ${error.text}`);
      throw new ProviderError('deleted', `TikTok returned no videos for sound ${id}: it does not exist or has none`);
    });
  }

  /**
   * The videos using a sound in the scraper's order. The first page runs the actor for `total` videos (the whole read
   * the caller means to page through) and later pages read that run's dataset, starting nothing.
   */
  async listSoundVideos(
    platform: Platform,
    musicId: string,
    opts: { limit: number; cursor?: string | null; total?: number },
  ): Promise<SoundVideoPage> {
    return this.guard(async () => {
      const id = soundIdOf(platform, musicId);
      checkLimit(opts.limit);
      const videos = (items: Item[]) =>
        items
          .filter((i) => usesSound(i, id))
          .map((i) => tiktokSoundVideo(i, id))
          .filter(notNull);
      if (opts.cursor) {
        const cursor = datasetCursor(opts.cursor, ['tiktok-sound']);
        const page = await this.cursorPage(cursor, opts.limit);
        return { videos: videos(page.items), next_cursor: page.next, total: cursor.t };
      }
      const need = Math.max(opts.limit, opts.total ?? opts.limit);
      const dataset = await this.soundRun(id, need, opts.limit);
      const error = dataset.items.length > 0 && videos(dataset.items).length === 0 ? firstError(dataset.items) : null;
      if (error && error.kind !== 'nothing') throw new ProviderError(error.kind, `TikTok sound ${id}: ${error.text}`);
      const complete = dataset.total !== null && dataset.items.length >= dataset.total;
      const items =
        dataset.items.length >= opts.limit || complete
          ? dataset.items.slice(0, opts.limit)
          : (await this.readItems(dataset.datasetId, 0, opts.limit)).items;
      const next = this.nextOffset(dataset, items.length, opts.limit);
      return {
        videos: videos(items),
        next_cursor: next === null ? null : this.cursorAt('tiktok-sound', dataset, next),
        total: dataset.total,
      };
    });
  }

  /** Runs the sound scraper for `need` videos, or reuses a recent run of the sound that fetched at least as many. */
  private soundRun(musicId: string, need: number, headLimit: number): Promise<Dataset> {
    // TikTok resolves a music page by the id that ends its path, whatever name precedes it
    const input = {
      musics: [`https://www.tiktok.com/music/sound-${musicId}`],
      resultsPerPage: need,
      ...TIKTOK_DOWNLOADS_OFF,
    };
    return this.cached(`tiktok:sound:${musicId}`, need, Math.min(need, Math.max(headLimit, SOUND_HEAD)), () =>
      this.runActor(this.options.actors.tiktokSound, input, need),
    );
  }

  /** A post's URL for the comment actors: the one given, or a placeholder TikTok and Instagram resolve by id. */
  private commentsUrl(tiktok: boolean, platformVideoId: string, url: string | undefined): string {
    const given = url?.trim();
    if (given) return given;
    const id = encodeURIComponent(platformVideoId);
    return tiktok ? `https://www.tiktok.com/@_/video/${id}` : `https://www.instagram.com/p/${id}/`;
  }

  /** Runs the comment actor on post URLs, `perPost` comments each (both actors apply the limit per URL). */
  private commentsRun(tiktok: boolean, urls: string[], perPost: number): Promise<string> {
    const maxItems = perPost * urls.length;
    return tiktok
      ? this.runActor(
          this.options.actors.tiktokComments,
          { postURLs: urls, commentsPerPost: perPost, maxRepliesPerComment: 0 },
          maxItems,
        )
      : this.runActor(this.options.actors.instagramComments, { directUrls: urls, resultsLimit: perPost }, maxItems);
  }

  /**
   * Starts one comment run over `posts` (platform video id → URL) and caches each post's share of it under that post's
   * URL, as a `listComments` run would be: the dataset is read once, on the first entry read, and split by post.
   */
  private startCommentsBatch(tiktok: boolean, kind: CursorKind, posts: Map<string, string>, perPost: number): void {
    const datasetId = this.commentsRun(tiktok, [...posts.values()], perPost);
    const expected = perPost * posts.size;
    let split: Promise<Map<string, Item[]>> | null = null;
    const share =
      (id: string) =>
      async (dataset: string): Promise<Dataset> => {
        const read = split ?? this.readAll(dataset, expected).then((items) => commentsByPost(items, posts, tiktok));
        if (split === null) {
          split = read;
          // a failed read is read again by the next call, from the same run
          read.catch(() => {
            if (split === read) split = null;
          });
        }
        const items = (await read).get(id) ?? [];
        return { datasetId: dataset, items, total: items.length };
      };
    const at = this.now();
    for (const [id, url] of posts) {
      const key = `${kind}:${url}`;
      const entry: CachedRun = { requested: perPost, at, exhausted: false, datasetId, dataset: null, read: share(id) };
      datasetId.catch(() => {
        if (this.runs.get(key) === entry) this.runs.delete(key);
      });
      this.runs.set(key, entry);
    }
  }

  /** A finished run's items from the start, page after page up to `MAX_BATCH_ITEMS`. */
  private async readAll(datasetId: string, expected: number): Promise<Item[]> {
    const limit = Math.max(1, Math.min(expected, MAX_BATCH_ITEMS));
    const items: Item[] = [];
    for (;;) {
      const page = await this.readItems(datasetId, items.length, Math.min(limit, MAX_BATCH_ITEMS - items.length));
      items.push(...page.items);
      const done = page.total !== null ? items.length >= page.total : page.items.length < limit;
      if (done || page.items.length === 0 || items.length >= MAX_BATCH_ITEMS) return items;
    }
  }

  /** Runs the TikTok scraper on a profile, or reuses a recent run that fetched at least `need` videos. */
  private tiktokRun(handle: string, need: number, pageLimit: number): Promise<Dataset> {
    const input = { profiles: [handle], resultsPerPage: need, ...TIKTOK_DOWNLOADS_OFF };
    const head = Math.min(need, Math.max(pageLimit, this.profilePosts));
    return this.cached(`tiktok:posts:${handle}`, need, head, () =>
      this.runActor(this.options.actors.tiktok, input, need),
    );
  }

  private async instagramProfileItem(handle: string): Promise<{ item: Item; datasetId: string }> {
    const dataset = await this.cached(`instagram:profile:${handle}`, 1, 1, () =>
      this.runActor(this.options.actors.instagramProfile, { usernames: [handle] }, 1),
    );
    const item = dataset.items.find((i) => str(i.username) !== null && str(i.error) === null);
    if (item) return { item, datasetId: dataset.datasetId };
    const error = firstError(dataset.items);
    if (error && error.kind !== 'nothing' && error.kind !== 'deleted') {
      throw new ProviderError(error.kind, `Instagram @${handle}: ${error.text}`);
    }
    throw new ProviderError('deleted', `Instagram has no account @${handle}${error ? ` (${error.text})` : ''}`);
  }

  private tiktokAccountFailure(handle: string, items: Item[]): ProviderError {
    const error = firstError(items);
    if (error && error.kind !== 'nothing') return new ProviderError(error.kind, `TikTok @${handle}: ${error.text}`);
    if (items.some((item) => obj(item.authorMeta)?.privateAccount === true)) {
      return new ProviderError('private', `TikTok account @${handle} is private`);
    }
    return new ProviderError(
      'deleted',
      `TikTok returned nothing for @${handle}: the account does not exist or has no public videos`,
    );
  }

  private postFailure(platformName: string, id: string, items: Item[]): ProviderError {
    const error = firstError(items);
    if (error && error.kind !== 'nothing')
      return new ProviderError(error.kind, `${platformName} post ${id}: ${error.text}`);
    return new ProviderError('deleted', `${platformName} has no post ${id}`);
  }

  private async firstPostPage(
    dataset: Dataset,
    kind: CursorKind,
    limit: number,
    map: (item: Item) => Post | null,
  ): Promise<PostPage> {
    const complete = dataset.total !== null && dataset.items.length >= dataset.total;
    const items =
      dataset.items.length >= limit || complete
        ? dataset.items.slice(0, limit)
        : (await this.readItems(dataset.datasetId, 0, limit)).items;
    const next = this.nextOffset(dataset, items.length, limit);
    return {
      posts: newestFirst(items.map(map).filter(notNull)),
      next_cursor: next === null ? null : this.cursorAt(kind, dataset, next),
    };
  }

  private async postsFromCursor(
    cursor: DatasetCursor,
    limit: number,
    map: (item: Item) => Post | null,
  ): Promise<PostPage> {
    const page = await this.cursorPage(cursor, limit);
    return { posts: newestFirst(page.items.map(map).filter(notNull)), next_cursor: page.next };
  }

  /** Pages through the `latestPosts` a profile run carried; a later page re-reads the run's one item. */
  private async latestPostsPage(cursor: DatasetCursor, limit: number, latest?: Item[]): Promise<PostPage> {
    let posts = latest;
    if (posts === undefined) {
      const { items } = await this.readItems(cursor.d, 0, 1);
      posts = arr(items[0]?.latestPosts).map(obj).filter(notNull).filter(isInstagramPost);
    }
    const end = Math.min(posts.length, cursor.o + limit);
    return {
      posts: newestFirst(posts.slice(cursor.o, end).map(instagramPost).filter(notNull)),
      next_cursor: end < posts.length ? encodeCursor({ ...cursor, o: end, t: posts.length }) : null,
    };
  }

  private async cursorPage(cursor: DatasetCursor, limit: number): Promise<{ items: Item[]; next: string | null }> {
    const { items, total } = await this.readItems(cursor.d, cursor.o, limit);
    const t = total ?? cursor.t;
    const end = cursor.o + items.length;
    const more = items.length > 0 && (t !== null ? end < t : items.length === limit);
    return { items, next: more ? encodeCursor({ ...cursor, o: end, t }) : null };
  }

  /** Where the next page starts, or null when the run's items are exhausted. */
  private nextOffset(dataset: Dataset, consumed: number, limit: number): number | null {
    if (dataset.total !== null) return consumed < dataset.total ? consumed : null;
    return consumed >= limit ? consumed : null;
  }

  private cursorAt(kind: CursorKind, dataset: Dataset, offset: number): string {
    return encodeCursor({ k: kind, d: dataset.datasetId, o: offset, t: dataset.total });
  }

  /**
   * The first `headLimit` items of a run for `key`: a fresh run when the last one is older than the TTL or asked for
   * fewer than `need` items. A run that SUCCEEDED stays cached even when reading its dataset fails, so a retry re-reads
   * the paid run instead of starting another.
   */
  private cached(key: string, need: number, headLimit: number, run: () => Promise<string>): Promise<Dataset> {
    const now = this.now();
    for (const [k, entry] of this.runs) if (now - entry.at >= this.ttlMs) this.runs.delete(k);
    let entry = this.runs.get(key);
    if (!entry || (entry.requested < need && !entry.exhausted)) {
      const started: CachedRun = { requested: need, at: now, exhausted: false, datasetId: run(), dataset: null };
      started.datasetId.catch(() => {
        if (this.runs.get(key) === started) this.runs.delete(key);
      });
      this.runs.set(key, started);
      entry = started;
    }
    if (entry.dataset !== null) return entry.dataset;
    const owner = entry;
    const dataset = owner.datasetId.then((datasetId) => owner.read?.(datasetId) ?? this.readHead(datasetId, headLimit));
    owner.dataset = dataset;
    dataset.then(
      (read) => {
        owner.exhausted = read.total !== null && read.total < owner.requested;
      },
      () => {
        if (owner.dataset === dataset) owner.dataset = null;
      },
    );
    return dataset;
  }

  /** Runs an actor and reads the first `headLimit` items of its dataset. */
  private async collect(actor: string, input: Item, maxItems: number, headLimit: number): Promise<Dataset> {
    return this.readHead(await this.runActor(actor, input, maxItems), headLimit);
  }

  /** The first `headLimit` items of a finished run's dataset. */
  private async readHead(datasetId: string, headLimit: number): Promise<Dataset> {
    const { items, total } = await this.readItems(datasetId, 0, headLimit);
    return { datasetId, items, total: total ?? (items.length < headLimit ? items.length : null) };
  }

  /** Starts a run and waits for it; returns its dataset id. One metered call, however long the wait. */
  private async runActor(actorId: string, input: Item, maxItems: number): Promise<string> {
    const actor = actorId.replace('/', '~');
    const what = `a run of ${actor}`;
    const timeout = this.options.runTimeoutSeconds;
    let runId: string | undefined;
    let settled = false;
    try {
      return await this.options.upstream.call(`run:${actor}`, 1, async (signal) => {
        const deadline = Date.now() + timeout * 1000;
        // maxItems caps what a pay-per-result actor may charge for
        const query = { timeout, maxItems, waitForFinish: Math.min(MAX_WAIT_SECONDS, timeout) };
        const path = `actors/${encodeURIComponent(actor)}/runs`;
        let run = this.runOf(await this.request('POST', path, query, input, signal, what), what);
        runId = run.id;
        while (!FINISHED.has(run.status)) {
          const left = deadline - Date.now();
          if (left <= 0) {
            settled = true;
            await this.request('POST', `actor-runs/${run.id}/abort`, {}, undefined, signal, `aborting ${what}`).catch(
              () => undefined,
            );
            throw new ProviderError('timeout', `${what} was still ${run.status} after ${timeout} s; aborted it`);
          }
          const wait = Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.ceil(left / 1000)));
          run = this.runOf(
            await this.request('GET', `actor-runs/${run.id}`, { waitForFinish: wait }, undefined, signal, what),
            what,
          );
        }
        settled = true;
        if (run.status === 'SUCCEEDED') return run.datasetId;
        if (run.status === 'TIMED-OUT' || run.status === 'TIMING-OUT') {
          throw new ProviderError('timeout', `${what} timed out on Apify after ${timeout} s`);
        }
        const message = run.statusMessage === null ? '' : `: ${run.statusMessage}`;
        throw new ProviderError('unavailable', `${what} ended ${run.status}${message}`);
      });
    } catch (err) {
      // a run left behind by the upstream's deadline or a failed poll keeps costing: stop it
      if (runId !== undefined && !settled) await this.abortQuietly(runId, what);
      throw err;
    }
  }

  private async abortQuietly(runId: string, what: string): Promise<void> {
    await this.options.upstream
      .call('run.abort', 0, (signal) =>
        this.request('POST', `actor-runs/${runId}/abort`, {}, undefined, signal, `aborting ${what}`),
      )
      .catch(() => undefined);
  }

  private runOf(
    res: JsonResponse,
    what: string,
  ): { id: string; status: string; datasetId: string; statusMessage: string | null } {
    const run = obj(obj(res.body)?.data);
    const id = str(run?.id);
    const status = str(run?.status);
    const datasetId = str(run?.defaultDatasetId);
    if (id === null || status === null || datasetId === null || !/^[\w~.-]{1,64}$/.test(id)) {
      throw new ProviderError('unavailable', `Apify answered ${what} without a run object`);
    }
    return { id, status, datasetId, statusMessage: str(run?.statusMessage) };
  }

  private async readItems(
    datasetId: string,
    offset: number,
    limit: number,
  ): Promise<{ items: Item[]; total: number | null }> {
    return this.options.upstream.call('dataset.items', 0, async (signal) => {
      const path = `datasets/${encodeURIComponent(datasetId)}/items`;
      const res = await this.request(
        'GET',
        path,
        { offset, limit, format: 'json' },
        undefined,
        signal,
        'a dataset read',
      );
      if (!Array.isArray(res.body)) {
        throw new ProviderError(
          'unavailable',
          'Apify answered a dataset read with something other than a list of items',
        );
      }
      const total = Number(res.headers.get('x-apify-pagination-total') ?? NaN);
      return {
        items: res.body.map((item) => obj(item) ?? {}),
        total: Number.isInteger(total) && total >= 0 ? total : null,
      };
    });
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string | number>,
    body: unknown,
    signal: AbortSignal,
    what: string,
  ): Promise<JsonResponse> {
    const url = new URL(`${this.base}/v2/${path}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.token}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetchJson(
      url,
      { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal },
      'Apify',
    );
    if (res.status >= 200 && res.status < 300) return res;
    throw apiFailure(res, what);
  }

  private accountOf(platform: Platform, handle: string): string {
    checkPlatform(platform, APIFY_PLATFORMS, APIFY_SERVES);
    return handle.trim().replace(/^@/, '').toLowerCase();
  }

  /** Whatever went wrong, the token never reaches a message (messages end up on failed cycles and in logs). */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw scrubbed(err, this.options.token, '[token]');
    }
  }
}
