/**
 * A fake YouTube Data API v3 for `FakeUpstream`: channels.list, playlistItems.list, videos.list and
 * commentThreads.list over a mutable `YouTubeWorld`, answered in the shapes of `test/fixtures/youtube/*.json` (those
 * files are the recorded documentation of the shapes; the error answers are served from them as templates).
 *
 * Like the real API it requires `key`, requires `part` and a filter (400 otherwise), serves only the requested parts,
 * pages with `maxResults` and `pageToken`/`nextPageToken`, omits hidden statistics, and answers 404 and 403 with
 * Google's error bodies. Responses are built from the world at request time, so a test can change a number between
 * two calls and see it served; `world.fault` can answer any request instead (quota, 429, 5xx, bad JSON, a hang).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Rng } from '../../providers/prng';
import type { UpstreamHandler, UpstreamReply, UpstreamRequest } from './fake-upstream';

export type YouTubeMethod = 'channels.list' | 'playlistItems.list' | 'videos.list' | 'commentThreads.list';

export interface YouTubeThumbnail {
  url: string;
  width: number;
  height: number;
}
export type YouTubeThumbnails = Partial<
  Record<'default' | 'medium' | 'high' | 'standard' | 'maxres', YouTubeThumbnail>
>;

export interface FakeYouTubeComment {
  id: string;
  /** as the API shows commenters today: their `@handle` */
  authorDisplayName: string;
  authorChannelId: string;
  text: string;
  likeCount: number;
  publishedAt: string;
  totalReplyCount: number;
}

export interface FakeYouTubeVideo {
  id: string;
  title: string;
  description: string;
  publishedAt: string;
  /** ISO 8601 as the API writes it, e.g. `PT12M37S` */
  duration: string;
  viewCount: number;
  /** null: the owner hides the like count, and the API leaves `likeCount` out */
  likeCount: number | null;
  /** null: left out of statistics (YouTube does so when comments are off) */
  commentCount: number | null;
  tags?: string[];
  thumbnails: YouTubeThumbnails;
  /** commentThreads.list answers 403 commentsDisabled */
  commentsDisabled?: boolean;
  /** top-level comments, newest first */
  comments: FakeYouTubeComment[];
}

export interface FakeYouTubeChannel {
  /** `UC` + 22 characters */
  id: string;
  /** without `@`; served as `snippet.customUrl` = `@handle`, and what `forHandle` matches (case-insensitively) */
  handle: string;
  title: string;
  description: string;
  country?: string;
  /** BCP-47, e.g. `en-US` */
  defaultLanguage?: string;
  publishedAt: string;
  /** served as is: the real API rounds down to three significant figures, so a realistic world uses such numbers */
  subscriberCount: number;
  /** true: `subscriberCount` is left out of statistics */
  hiddenSubscriberCount: boolean;
  viewCount: number;
  /** `statistics.videoCount`; defaults to `videos.length` */
  videoCount?: number;
  thumbnails: YouTubeThumbnails;
  /** `contentDetails.relatedPlaylists.uploads`, `UU` + the id's 22 characters */
  uploadsPlaylistId: string;
  /** the uploads playlist, newest first */
  videos: FakeYouTubeVideo[];
}

export interface YouTubeWorld {
  /** the one key the fake accepts */
  apiKey: string;
  channels: FakeYouTubeChannel[];
  /** answers a request instead of the fake when it returns a reply (checked before anything else) */
  fault?: (req: UpstreamRequest, method: YouTubeMethod | null) => UpstreamReply | undefined;
  /** requests per method, answered or not: what the real API would have charged in quota units */
  calls: Record<YouTubeMethod, number>;
}

export const FAKE_YOUTUBE_API_KEY = 'AIzaSyFAKE-fake-youtube-key-never-in-errors';

const FIXTURES = path.resolve(__dirname, '../fixtures/youtube');

/** A fixture file, parsed afresh (callers may change it). */
export function youtubeFixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(path.join(FIXTURES, name.endsWith('.json') ? name : `${name}.json`), 'utf8')) as T;
}

/** An error fixture as a reply, with its status from `error.code`, optionally with another message or headers. */
export function youtubeErrorReply(
  fixture: string,
  opts: { message?: string; headers?: Record<string, string> } = {},
): UpstreamReply {
  const body = youtubeFixture<{ error: { code: number; message: string; errors: { message: string }[] } }>(fixture);
  if (opts.message !== undefined) {
    body.error.message = opts.message;
    for (const e of body.error.errors) e.message = opts.message;
  }
  return { status: body.error.code, json: body, ...(opts.headers ? { headers: opts.headers } : {}) };
}

/** A Google error body for the cases no fixture records (invalid page token, unknown part, bad maxResults). */
function googleError(
  code: number,
  reason: string,
  message: string,
  extra: { domain?: string; location?: string } = {},
): UpstreamReply {
  const status = code === 400 ? 'INVALID_ARGUMENT' : code === 404 ? 'NOT_FOUND' : 'PERMISSION_DENIED';
  const detail = {
    message,
    domain: extra.domain ?? 'youtube.parameter',
    reason,
    ...(extra.location ? { location: extra.location, locationType: 'parameter' } : {}),
  };
  return { status: code, json: { error: { code, message, errors: [detail], status } } };
}

const etag = (value: unknown): string =>
  createHash('sha1').update(JSON.stringify(value)).digest('base64url').slice(0, 27);

const METHODS: Record<string, YouTubeMethod> = {
  channels: 'channels.list',
  playlistItems: 'playlistItems.list',
  videos: 'videos.list',
  commentThreads: 'commentThreads.list',
};

const PARTS: Record<YouTubeMethod, Set<string>> = {
  'channels.list': new Set([
    'id',
    'snippet',
    'statistics',
    'contentDetails',
    'brandingSettings',
    'status',
    'topicDetails',
    'localizations',
    'contentOwnerDetails',
  ]),
  'playlistItems.list': new Set(['id', 'snippet', 'contentDetails', 'status']),
  'videos.list': new Set([
    'id',
    'snippet',
    'statistics',
    'contentDetails',
    'status',
    'player',
    'topicDetails',
    'recordingDetails',
    'liveStreamingDetails',
    'localizations',
    'paidProductPlacementDetails',
  ]),
  'commentThreads.list': new Set(['id', 'snippet', 'replies']),
};

const FILTERS: Record<YouTubeMethod, string[]> = {
  'channels.list': ['forHandle', 'id', 'forUsername', 'mine', 'managedByMe', 'categoryId', 'mySubscribers'],
  'playlistItems.list': ['playlistId', 'id'],
  'videos.list': ['id', 'chart', 'myRating'],
  'commentThreads.list': ['videoId', 'allThreadsRelatedToChannelId', 'id', 'channelId'],
};

const PAGE_LIMITS: Record<YouTubeMethod, { min: number; max: number; default: number }> = {
  'channels.list': { min: 0, max: 50, default: 5 },
  'playlistItems.list': { min: 0, max: 50, default: 5 },
  'videos.list': { min: 1, max: 50, default: 5 },
  'commentThreads.list': { min: 1, max: 100, default: 20 },
};

const pageToken = (offset: number): string => Buffer.from(`fake-page:${offset}`).toString('base64url');

function offsetOf(token: string | null): number | null {
  if (token === null) return 0;
  const m = /^fake-page:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : null;
}

export function findYouTubeChannel(world: YouTubeWorld, handleOrId: string): FakeYouTubeChannel | undefined {
  const wanted = handleOrId.replace(/^@/, '').toLowerCase();
  return world.channels.find((c) => c.id === handleOrId || c.handle.toLowerCase() === wanted);
}

export function findYouTubeVideo(
  world: YouTubeWorld,
  id: string,
): { video: FakeYouTubeVideo; channel: FakeYouTubeChannel } | undefined {
  for (const channel of world.channels) {
    const video = channel.videos.find((v) => v.id === id);
    if (video) return { video, channel };
  }
  return undefined;
}

/** The fake API over `world`; swap `world`'s contents freely between calls. */
export function fakeYouTube(world: YouTubeWorld): UpstreamHandler {
  return (req) => {
    const method = METHODS[req.url.pathname.split('/').pop() ?? ''] ?? null;
    if (method) world.calls[method] += 1;
    const faulted = world.fault?.(req, method);
    if (faulted) return faulted;
    if (method === null || req.method !== 'GET') return { status: 404, text: 'Not Found' };

    const q = req.url.searchParams;
    const key = q.get('key');
    if (key === null || key === '') return youtubeErrorReply('error-unregistered-caller');
    if (key !== world.apiKey) return youtubeErrorReply('error-key-invalid');

    const partParam = q.get('part');
    if (partParam === null || partParam.trim() === '') return youtubeErrorReply('error-required-part');
    const parts = new Set(partParam.split(',').map((p) => p.trim()));
    for (const part of parts) {
      if (!PARTS[method].has(part)) {
        return googleError(400, 'unknownPart', `'${part}'`, { domain: 'youtube.part', location: 'part' });
      }
    }

    const filters = FILTERS[method].filter((f) => q.has(f));
    if (filters.length === 0) {
      return youtubeErrorReply('error-missing-filter', {
        message: `No filter selected. Expected one of: ${FILTERS[method].join(', ')}`,
      });
    }
    if (filters.length > 1) {
      return googleError(400, 'incompatibleParameters', `Incompatible parameters specified: ${filters.join(', ')}`);
    }

    const limits = PAGE_LIMITS[method];
    const maxResults = q.has('maxResults') ? Number(q.get('maxResults')) : limits.default;
    if (!Number.isInteger(maxResults) || maxResults < limits.min || maxResults > limits.max) {
      return googleError(
        400,
        'invalidParameter',
        `Invalid value '${q.get('maxResults')}'. Values must be within the range: [${limits.min}, ${limits.max}]`,
        { domain: 'global', location: 'maxResults' },
      );
    }
    const offset = offsetOf(q.get('pageToken'));
    if (offset === null) {
      return googleError(400, 'invalidPageToken', 'The request specifies an invalid page token.', {
        location: 'pageToken',
      });
    }

    switch (method) {
      case 'channels.list':
        return channelsList(world, q, parts);
      case 'playlistItems.list':
        return playlistItemsList(world, q, parts, maxResults, offset);
      case 'videos.list':
        return videosList(world, q, parts);
      case 'commentThreads.list':
        return commentThreadsList(world, q, parts, maxResults, offset);
    }
  };
}

function page<T>(all: T[], maxResults: number, offset: number): { items: T[]; next?: string; prev?: string } {
  const items = all.slice(offset, offset + maxResults);
  const end = offset + items.length;
  return {
    items,
    ...(end < all.length && items.length > 0 ? { next: pageToken(end) } : {}),
    ...(offset > 0 ? { prev: pageToken(Math.max(0, offset - maxResults)) } : {}),
  };
}

/** One page of a paged list method's answer; a page token is there only when that page is. */
function pagedList(
  kind: string,
  items: unknown[],
  tokens: { next?: string; prev?: string },
  totalResults: number,
  resultsPerPage: number,
): UpstreamReply {
  return {
    status: 200,
    json: {
      kind,
      etag: etag(items),
      ...(tokens.next ? { nextPageToken: tokens.next } : {}),
      ...(tokens.prev ? { prevPageToken: tokens.prev } : {}),
      items,
      pageInfo: { totalResults, resultsPerPage },
    },
  };
}

function channelsList(world: YouTubeWorld, q: URLSearchParams, parts: Set<string>): UpstreamReply {
  let found: FakeYouTubeChannel[] = [];
  const forHandle = q.get('forHandle');
  if (forHandle !== null) {
    // handles are case-insensitive and the "@" optional, as on YouTube
    const wanted = forHandle.replace(/^@/, '').toLowerCase();
    found = world.channels.filter((c) => c.handle.toLowerCase() === wanted);
  } else if (q.get('id') !== null) {
    const ids = (q.get('id') as string).split(',');
    found = world.channels.filter((c) => ids.includes(c.id));
  }
  const items = found.map((c) => channelResource(c, parts));
  return {
    status: 200,
    json: {
      kind: 'youtube#channelListResponse',
      etag: etag(items),
      pageInfo: { totalResults: items.length, resultsPerPage: q.has('id') ? items.length : 5 },
      // like the real API, no `items` at all when nothing matched
      ...(items.length > 0 ? { items } : {}),
    },
  };
}

function channelResource(c: FakeYouTubeChannel, parts: Set<string>) {
  const resource = {
    kind: 'youtube#channel',
    etag: '',
    id: c.id,
    ...(parts.has('snippet')
      ? {
          snippet: {
            title: c.title,
            description: c.description,
            customUrl: `@${c.handle}`,
            publishedAt: c.publishedAt,
            thumbnails: c.thumbnails,
            ...(c.defaultLanguage ? { defaultLanguage: c.defaultLanguage } : {}),
            localized: { title: c.title, description: c.description },
            ...(c.country ? { country: c.country } : {}),
          },
        }
      : {}),
    ...(parts.has('contentDetails')
      ? { contentDetails: { relatedPlaylists: { likes: '', uploads: c.uploadsPlaylistId } } }
      : {}),
    ...(parts.has('statistics')
      ? {
          statistics: {
            viewCount: String(c.viewCount),
            ...(c.hiddenSubscriberCount ? {} : { subscriberCount: String(c.subscriberCount) }),
            hiddenSubscriberCount: c.hiddenSubscriberCount,
            videoCount: String(c.videoCount ?? c.videos.length),
          },
        }
      : {}),
  };
  resource.etag = etag(resource);
  return resource;
}

function playlistItemsList(
  world: YouTubeWorld,
  q: URLSearchParams,
  parts: Set<string>,
  maxResults: number,
  offset: number,
): UpstreamReply {
  const playlistId = q.get('playlistId');
  const channel = world.channels.find((c) => c.uploadsPlaylistId === playlistId);
  if (!channel) return youtubeErrorReply('error-playlist-not-found');
  const { items, next, prev } = page(channel.videos, maxResults, offset);
  const resources = items.map((v, i) => {
    const resource = {
      kind: 'youtube#playlistItem',
      etag: '',
      id: Buffer.from(`${channel.uploadsPlaylistId}.${v.id}`).toString('base64'),
      ...(parts.has('snippet')
        ? {
            snippet: {
              ...videoSnippet(v, channel),
              playlistId: channel.uploadsPlaylistId,
              position: offset + i,
              resourceId: { kind: 'youtube#video', videoId: v.id },
              videoOwnerChannelTitle: channel.title,
              videoOwnerChannelId: channel.id,
            },
          }
        : {}),
      ...(parts.has('contentDetails') ? { contentDetails: { videoId: v.id, videoPublishedAt: v.publishedAt } } : {}),
      ...(parts.has('status') ? { status: { privacyStatus: 'public' } } : {}),
    };
    resource.etag = etag(resource);
    return resource;
  });
  return pagedList('youtube#playlistItemListResponse', resources, { next, prev }, channel.videos.length, maxResults);
}

function videosList(world: YouTubeWorld, q: URLSearchParams, parts: Set<string>): UpstreamReply {
  const ids = (q.get('id') ?? '').split(',').filter((id) => id !== '');
  if (ids.length > 50) {
    return googleError(400, 'invalidParameter', 'The request specifies more than 50 video ids.', { location: 'id' });
  }
  const items = ids.flatMap((id) => {
    const found = findYouTubeVideo(world, id);
    return found ? [videoResource(found.video, found.channel, parts)] : [];
  });
  return {
    status: 200,
    json: {
      kind: 'youtube#videoListResponse',
      etag: etag(items),
      items,
      pageInfo: { totalResults: items.length, resultsPerPage: items.length },
    },
  };
}

/** The snippet fields a playlist item copies from its video, as the API does. */
const videoSnippet = (v: FakeYouTubeVideo, channel: FakeYouTubeChannel) => ({
  publishedAt: v.publishedAt,
  channelId: channel.id,
  title: v.title,
  description: v.description,
  thumbnails: v.thumbnails,
  channelTitle: channel.title,
});

function videoResource(v: FakeYouTubeVideo, channel: FakeYouTubeChannel, parts: Set<string>) {
  const resource = {
    kind: 'youtube#video',
    etag: '',
    id: v.id,
    ...(parts.has('snippet')
      ? {
          snippet: {
            ...videoSnippet(v, channel),
            ...(v.tags && v.tags.length > 0 ? { tags: v.tags } : {}),
            categoryId: '22',
            liveBroadcastContent: 'none',
            localized: { title: v.title, description: v.description },
          },
        }
      : {}),
    ...(parts.has('contentDetails')
      ? {
          contentDetails: {
            duration: v.duration,
            dimension: '2d',
            definition: 'hd',
            caption: 'false',
            licensedContent: false,
            contentRating: {},
            projection: 'rectangular',
          },
        }
      : {}),
    ...(parts.has('statistics')
      ? {
          statistics: {
            viewCount: String(v.viewCount),
            ...(v.likeCount === null ? {} : { likeCount: String(v.likeCount) }),
            favoriteCount: '0',
            ...(v.commentCount === null ? {} : { commentCount: String(v.commentCount) }),
          },
        }
      : {}),
  };
  resource.etag = etag(resource);
  return resource;
}

const html = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '<br>');

function commentThreadsList(
  world: YouTubeWorld,
  q: URLSearchParams,
  parts: Set<string>,
  maxResults: number,
  offset: number,
): UpstreamReply {
  const order = q.get('order') ?? 'time';
  const textFormat = q.get('textFormat') ?? 'html';
  if (order !== 'time' && order !== 'relevance') {
    return googleError(400, 'invalidParameter', `Invalid value '${order}'.`, { domain: 'global', location: 'order' });
  }
  if (textFormat !== 'html' && textFormat !== 'plainText') {
    return googleError(400, 'invalidParameter', `Invalid value '${textFormat}'.`, {
      domain: 'global',
      location: 'textFormat',
    });
  }
  const videoId = q.get('videoId');
  if (videoId === null) return youtubeErrorReply('error-video-not-found');
  const found = findYouTubeVideo(world, videoId);
  if (!found) return youtubeErrorReply('error-video-not-found');
  const { video, channel } = found;
  if (video.commentsDisabled) return youtubeErrorReply('error-comments-disabled');
  const ordered =
    order === 'relevance' ? [...video.comments].sort((a, b) => b.likeCount - a.likeCount) : video.comments;
  const { items, next } = page(ordered, maxResults, offset);
  const resources = items.map((c) => {
    const comment = {
      kind: 'youtube#comment',
      etag: '',
      id: c.id,
      snippet: {
        channelId: channel.id,
        videoId: video.id,
        textDisplay: textFormat === 'html' ? html(c.text) : c.text,
        textOriginal: c.text,
        authorDisplayName: c.authorDisplayName,
        authorProfileImageUrl: `https://yt3.ggpht.com/ytc/fake-${c.authorChannelId}=s48-c-k-c0x00ffffff-no-rj`,
        authorChannelUrl: `http://www.youtube.com/${c.authorDisplayName}`,
        authorChannelId: { value: c.authorChannelId },
        canRate: true,
        viewerRating: 'none',
        likeCount: c.likeCount,
        publishedAt: c.publishedAt,
        updatedAt: c.publishedAt,
      },
    };
    comment.etag = etag(comment);
    const thread = {
      kind: 'youtube#commentThread',
      etag: '',
      id: c.id,
      ...(parts.has('snippet')
        ? {
            snippet: {
              channelId: channel.id,
              videoId: video.id,
              topLevelComment: comment,
              canReply: true,
              totalReplyCount: c.totalReplyCount,
              isPublic: true,
            },
          }
        : {}),
    };
    thread.etag = etag(thread);
    return thread;
  });
  return pagedList('youtube#commentThreadListResponse', resources, { next }, resources.length, maxResults);
}

// ---------------------------------------------------------------------------------------------------------------
// Building worlds

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const randomId = (rng: Rng, length: number): string =>
  Array.from({ length }, () => ID_CHARS[rng.int(0, ID_CHARS.length - 1)]).join('');

/** ISO 8601 the way YouTube writes durations: `PT#H#M#S`, with `P#DT…` past a day and zero parts left out. */
export function isoDuration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  return `P${d ? `${d}D` : ''}${time ? `T${time}` : d ? '' : 'T0S'}`;
}

export const videoThumbnails = (id: string): YouTubeThumbnails => ({
  default: { url: `https://i.ytimg.com/vi/${id}/default.jpg`, width: 120, height: 90 },
  medium: { url: `https://i.ytimg.com/vi/${id}/mqdefault.jpg`, width: 320, height: 180 },
  high: { url: `https://i.ytimg.com/vi/${id}/hqdefault.jpg`, width: 480, height: 360 },
});

export const channelThumbnails = (id: string): YouTubeThumbnails => ({
  default: { url: `https://yt3.ggpht.com/fake-${id}=s88-c-k-c0x00ffffff-no-rj`, width: 88, height: 88 },
  medium: { url: `https://yt3.ggpht.com/fake-${id}=s240-c-k-c0x00ffffff-no-rj`, width: 240, height: 240 },
  high: { url: `https://yt3.ggpht.com/fake-${id}=s800-c-k-c0x00ffffff-no-rj`, width: 800, height: 800 },
});

/** An empty world with the fake key; add channels with `youtubeChannel`. */
export function emptyYouTubeWorld(apiKey = FAKE_YOUTUBE_API_KEY): YouTubeWorld {
  return {
    apiKey,
    channels: [],
    calls: { 'channels.list': 0, 'playlistItems.list': 0, 'videos.list': 0, 'commentThreads.list': 0 },
  };
}

/** A channel with defaults for whatever `fields` leaves out (no videos unless given). */
export function youtubeChannel(
  fields: Partial<FakeYouTubeChannel> & { id: string; handle: string },
): FakeYouTubeChannel {
  return {
    title: fields.handle,
    description: '',
    publishedAt: '2015-03-01T12:00:00Z',
    subscriberCount: 0,
    hiddenSubscriberCount: false,
    viewCount: 0,
    thumbnails: channelThumbnails(fields.id),
    uploadsPlaylistId: `UU${fields.id.slice(2)}`,
    videos: [],
    ...fields,
  };
}

/** A video with defaults for whatever `fields` leaves out. */
export function youtubeVideo(fields: Partial<FakeYouTubeVideo> & { id: string }): FakeYouTubeVideo {
  return {
    title: `Video ${fields.id}`,
    description: '',
    publishedAt: '2026-01-01T12:00:00Z',
    duration: 'PT5M',
    viewCount: 0,
    likeCount: 0,
    commentCount: fields.comments?.length ?? 0,
    thumbnails: videoThumbnails(fields.id),
    comments: [],
    ...fields,
  };
}

export interface YouTubeWorldOptions {
  /** default `fakecreator` */
  handle?: string;
  /** default 120 */
  videos?: number;
  /** each video gets 0 to this many top-level comments; default 30 */
  maxCommentsPerVideo?: number;
  /** the newest upload is a few hours before this; default 2026-06-15T12:00:00Z */
  now?: Date;
  seed?: string;
  apiKey?: string;
}

/**
 * One channel (`UC…`, handle `fakecreator`, 1.24M subscribers, US, en) with `videos` uploads about every 2.5 days,
 * newest first, and their comments. Deterministic for a seed. Fixed features for tests to find:
 * `videos[1]` is a Short (`#shorts`, 45 s); `videos[2]` hides its like count; `videos[3]` has comments turned off
 * (no commentCount, 403 commentsDisabled); `videos[4]` runs past an hour. Every other video has
 * `commentCount === comments.length`. Descriptions carry hashtags and a URL with a `#fragment`.
 *
 * The numbers served are the world's own: read them back with `world.channels[0]` or `findYouTubeVideo`.
 */
export function youtubeWorld(opts: YouTubeWorldOptions = {}): YouTubeWorld {
  const rng = new Rng(`fake-youtube:${opts.seed ?? 'default'}`);
  const now = (opts.now ?? new Date('2026-06-15T12:00:00Z')).getTime();
  const handle = opts.handle ?? 'fakecreator';
  const channelId = `UC${randomId(rng, 22)}`;
  const total = opts.videos ?? 120;
  const maxComments = opts.maxCommentsPerVideo ?? 30;
  const commenters = Array.from({ length: 150 }, (_, i) => ({
    name: `@viewer-${i.toString(36)}${randomId(rng, 3).toLowerCase().replace(/[-_]/g, 'x')}`,
    channelId: `UC${randomId(rng, 22)}`,
  }));
  const topics = ['cooking', 'Recipe', 'mealprep', 'baking', 'foodie', 'dinnerideas'];
  const dishes = ['ramen', 'lasagna', 'tacos', 'sourdough', 'curry', 'dumplings', 'pancakes', 'paella'];
  const ids = new Set<string>();

  const videos: FakeYouTubeVideo[] = [];
  for (let i = 0; i < total; i++) {
    let id = randomId(rng, 11);
    while (ids.has(id)) id = randomId(rng, 11);
    ids.add(id);
    const publishedMs = now - Math.round((i * 2.5 + 0.2) * 86_400_000 + rng.int(0, 6 * 3600) * 1000);
    const published = new Date(Math.floor(publishedMs / 1000) * 1000);
    const short = i === 1 || (i > 4 && rng.chance(0.2));
    const dish = rng.pick(dishes);
    const tagA = rng.pick(topics);
    const tagB = rng.pick(topics);
    const title = short ? `${dish} in 45 seconds #shorts` : `The only ${dish} recipe you need`;
    const description =
      `How I make ${dish} at home.\n\nFull recipe: https://example.com/recipes/${dish}#ingredients\n\n` +
      `#${tagA} #${tagB} #${dish}`;
    const seconds = i === 4 ? 3600 + 12 * 60 + 5 : short ? 45 : rng.int(240, 1500);
    const ageDays = (now - published.getTime()) / 86_400_000;
    const viewCount = Math.round((short ? 60_000 : 25_000) * Math.min(1, 0.3 + ageDays / 10) * rng.range(0.5, 2));
    const commentsDisabled = i === 3;
    const comments: FakeYouTubeComment[] = [];
    const n = commentsDisabled ? 0 : rng.int(i === 0 ? 25 : 0, Math.max(maxComments, i === 0 ? 25 : 0));
    for (let k = 0; k < n; k++) {
      const who = rng.pick(commenters);
      const written = published.getTime() + Math.round(((k + 1) / (n + 1)) * Math.min(ageDays, 20) * 86_400_000);
      comments.push({
        id: `Ugz${randomId(rng, 17)}4AaABAg`,
        authorDisplayName: who.name,
        authorChannelId: who.channelId,
        text: rng.pick([
          `Made this ${dish} tonight, the family loved it!`,
          'What can I use instead of butter?',
          'Best recipe channel on YouTube 🙌',
          `Tried it twice, second ${dish} came out even better`,
          'Could you do a vegetarian version?',
        ]),
        likeCount: rng.int(0, 40),
        publishedAt: new Date(Math.floor(written / 1000) * 1000).toISOString().replace('.000', ''),
        totalReplyCount: rng.int(0, 3),
      });
    }
    comments.reverse();
    videos.push(
      youtubeVideo({
        id,
        title,
        description,
        publishedAt: published.toISOString().replace('.000', ''),
        duration: isoDuration(seconds),
        viewCount,
        likeCount: i === 2 ? null : Math.round(viewCount * rng.range(0.02, 0.06)),
        commentCount: commentsDisabled ? null : comments.length,
        tags: [dish, 'recipe'],
        comments,
        ...(commentsDisabled ? { commentsDisabled: true } : {}),
      }),
    );
  }

  const world = emptyYouTubeWorld(opts.apiKey);
  world.channels.push(
    youtubeChannel({
      id: channelId,
      handle,
      title: 'Fake Creator Kitchen',
      description: 'Weeknight recipes, every few days. #cooking',
      country: 'US',
      defaultLanguage: 'en',
      publishedAt: '2017-04-09T18:20:11Z',
      subscriberCount: 1_240_000,
      hiddenSubscriberCount: false,
      viewCount: videos.reduce((sum, v) => sum + v.viewCount, 0) + 8_150_000,
      videos,
    }),
  );
  return world;
}
