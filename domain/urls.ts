/** Profile and video URLs and handles of the supported platforms: parsing, normalising and building. Pure. */
import { PLATFORM_NAMES, type Platform } from './platform';

export const MAX_URL_LENGTH = 2048;

export type InvalidInputCode =
  | 'invalid_url'
  | 'too_long'
  | 'unsupported_scheme'
  | 'unsupported_host'
  | 'not_a_profile'
  | 'not_a_video'
  | 'not_a_sound'
  | 'invalid_handle';

/** Input that names no supported profile or video. The message is meant for the API caller (a 400). */
export class InvalidInputError extends Error {
  constructor(
    readonly field: 'url' | 'handle',
    readonly code: InvalidInputCode,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/**
 * A parsed profile URL. `handle` is always set and normalised; for a YouTube `/channel/UC…` URL it is the channel id
 * itself, which `normalizeHandle`, `profileUrlFor` and the providers accept wherever a YouTube handle goes.
 */
export type ProfileRef =
  | { kind: 'handle'; platform: Platform; handle: string }
  | { kind: 'channel'; platform: 'youtube'; channelId: string; handle: string };

export interface VideoRef {
  platform: Platform;
  platformVideoId: string;
  canonicalUrl: string;
  /** the author when the URL names one (TikTok always, Instagram sometimes), normalised */
  authorHandle: string | null;
}

const HANDLE_RULES: Record<Platform, { pattern: RegExp; rule: string }> = {
  tiktok: { pattern: /^[a-z0-9_.]{2,24}$/, rule: '2–24 letters, digits, "_" or "." with at least one letter or digit' },
  instagram: {
    pattern: /^[a-z0-9_.]{1,30}$/,
    rule: '1–30 letters, digits, "_" or "." with at least one letter or digit',
  },
  youtube: {
    pattern: /^[a-z0-9_.-]{3,30}$/,
    rule: '3–30 letters, digits, "_", "-" or "." with at least one letter or digit',
  },
};

const YOUTUBE_CHANNEL_ID = /^UC[A-Za-z0-9_-]{22}$/;
const YOUTUBE_VIDEO_ID = /^[A-Za-z0-9_-]{11}$/;
const TIKTOK_VIDEO_ID = /^\d{5,20}$/;
const INSTAGRAM_SHORTCODE = /^[A-Za-z0-9_-]{5,64}$/;

/** First path segments that are Instagram pages, not usernames. */
// prettier-ignore
export const INSTAGRAM_RESERVED_PATHS: ReadonlySet<string> = new Set([
  'p', 'reel', 'reels', 'tv', 'igtv', 'explore', 'stories', 'accounts', 'direct', 'about', 'legal', 'developer', 'web',
  'api', 'graphql', 'challenge', 'emails', 'session', 'privacy', 'terms', 'ads', 'static', 'oauth', 'login', 'signup',
  'directory', 'nametag', 'lite', 'press', 'help', 'topics', 'locations', 'ar', 'create', 'threads',
]);
const INSTAGRAM_POST_PATHS = new Set(['p', 'reel', 'reels', 'tv']);
const INSTAGRAM_PROFILE_TABS = new Set(['reels', 'tagged', 'guides', 'saved', 'feed']);
// prettier-ignore
const YOUTUBE_PROFILE_TABS = new Set([
  'featured', 'videos', 'shorts', 'streams', 'live', 'playlists', 'community', 'posts', 'podcasts', 'releases', 'about',
  'store', 'courses',
]);
const YOUTUBE_VIDEO_PATHS = new Set(['watch', 'shorts', 'live', 'embed', 'v']);

const HOSTS: Record<string, Platform> = {
  'tiktok.com': 'tiktok',
  'www.tiktok.com': 'tiktok',
  'm.tiktok.com': 'tiktok',
  'youtube.com': 'youtube',
  'www.youtube.com': 'youtube',
  'm.youtube.com': 'youtube',
  'youtu.be': 'youtube',
  'instagram.com': 'instagram',
  'www.instagram.com': 'instagram',
  'm.instagram.com': 'instagram',
};
const SHORT_LINK_HOSTS = new Set(['vm.tiktok.com', 'vt.tiktok.com', 'instagr.am']);

export function isYoutubeChannelId(value: string): boolean {
  return YOUTUBE_CHANNEL_ID.test(value);
}

const shown = (value: string): string => (value.length > 40 ? `${value.slice(0, 40)}…` : value);

function handleOrThrow(platform: Platform, raw: string, field: 'url' | 'handle'): string {
  if (typeof raw !== 'string') throw new InvalidInputError(field, 'invalid_handle', 'Handle must be a string');
  let handle = raw.trim();
  if (handle.startsWith('@')) handle = handle.slice(1).trim();
  if (handle === '')
    throw new InvalidInputError(field, 'invalid_handle', `${PLATFORM_NAMES[platform]} handle is empty`);
  if (platform === 'youtube' && YOUTUBE_CHANNEL_ID.test(handle)) return handle;
  handle = handle.toLowerCase();
  const { pattern, rule } = HANDLE_RULES[platform];
  if (!pattern.test(handle) || !/[a-z0-9]/.test(handle)) {
    throw new InvalidInputError(
      field,
      'invalid_handle',
      `"${shown(raw.trim())}" is not a valid ${PLATFORM_NAMES[platform]} handle: use ${rule}`,
    );
  }
  if (platform === 'instagram' && INSTAGRAM_RESERVED_PATHS.has(handle)) {
    throw new InvalidInputError(field, 'invalid_handle', `"${handle}" is an Instagram page, not a username`);
  }
  return handle;
}

/**
 * Strips a leading "@", trims and lowercases (handles are case-insensitive on all three platforms), then checks the
 * platform's characters and length. A YouTube channel id (`UC` + 22 characters) passes through unchanged, since it
 * is case-sensitive. A handle needs at least one letter or digit ("." and ".." would be path segments in a URL), and
 * Instagram page names such as "explore" or "p" are not usernames. Throws `InvalidInputError` (field `handle`).
 */
export function normalizeHandle(platform: Platform, handle: string): string {
  return handleOrThrow(platform, handle, 'handle');
}

/** The canonical profile URL; a YouTube channel id gives the `/channel/` URL. */
export function profileUrlFor(platform: Platform, handle: string): string {
  const h = normalizeHandle(platform, handle);
  switch (platform) {
    case 'tiktok':
      return `https://www.tiktok.com/@${h}`;
    case 'youtube':
      return YOUTUBE_CHANNEL_ID.test(h) ? `https://www.youtube.com/channel/${h}` : `https://www.youtube.com/@${h}`;
    case 'instagram':
      return `https://www.instagram.com/${h}/`;
  }
}

/** The canonical URL of a post. TikTok URLs name the author, so `authorHandle` is required there. */
export function videoUrlFor(platform: Platform, platformVideoId: string, authorHandle?: string): string {
  const id = encodeURIComponent(platformVideoId);
  switch (platform) {
    case 'tiktok':
      if (authorHandle === undefined) throw new RangeError('a TikTok video URL needs the author handle');
      return `https://www.tiktok.com/@${normalizeHandle('tiktok', authorHandle)}/video/${id}`;
    case 'youtube':
      return `https://www.youtube.com/watch?v=${id}`;
    case 'instagram':
      return `https://www.instagram.com/reel/${id}/`;
  }
}

interface ParsedUrl {
  platform: Platform;
  host: string;
  segments: string[];
  url: URL;
}

const urlError = (code: InvalidInputCode, message: string) => new InvalidInputError('url', code, message);

function parseSupportedUrl(raw: string): ParsedUrl {
  if (typeof raw !== 'string') throw urlError('invalid_url', 'URL must be a string');
  const trimmed = raw.trim();
  if (trimmed === '') throw urlError('invalid_url', 'URL is empty');
  if (trimmed.length > MAX_URL_LENGTH) {
    throw urlError('too_long', `URL is longer than ${MAX_URL_LENGTH} characters`);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1]?.toLowerCase();
  let withScheme = trimmed;
  if (scheme === undefined) {
    // people paste "www.tiktok.com/@x" without a scheme
    withScheme = trimmed.startsWith('//') ? `https:${trimmed}` : `https://${trimmed}`;
  } else if (scheme !== 'http' && scheme !== 'https') {
    throw urlError('unsupported_scheme', `Only http and https URLs are supported, not "${shown(scheme)}:"`);
  }
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw urlError('invalid_url', 'Not a valid URL');
  }
  if (url.username !== '' || url.password !== '') throw urlError('invalid_url', 'URL must not contain credentials');
  if (url.port !== '') throw urlError('invalid_url', 'URL must not name a port');
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (SHORT_LINK_HOSTS.has(host)) {
    throw urlError('unsupported_host', `Short links (${host}) are not supported: open the link and use the full URL`);
  }
  const platform = HOSTS[host];
  if (platform === undefined) {
    throw urlError('unsupported_host', `Not a TikTok, YouTube or Instagram URL (host "${shown(host)}")`);
  }
  let segments: string[];
  try {
    segments = url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
  } catch {
    throw urlError('invalid_url', 'URL path is not valid percent-encoding');
  }
  return { platform, host, segments, url };
}

const notProfile = (message: string) => urlError('not_a_profile', message);

/**
 * A creator profile from its URL: `tiktok.com/@handle`, `youtube.com/@handle` or `/channel/UC…` (a channel tab such
 * as `/videos` may follow), `instagram.com/handle/` (or its `/reels/` or `/tagged/` tab). `www.`, `m.`, a missing
 * scheme, a trailing slash, a query string and a fragment are accepted. Throws `InvalidInputError` (field `url`).
 */
export function parseProfileUrl(raw: string): ProfileRef {
  const { platform, host, segments: seg } = parseSupportedUrl(raw);
  const [first, second, ...rest] = seg;
  const handleFrom = (value: string) => ({
    kind: 'handle' as const,
    platform,
    handle: handleOrThrow(platform, value, 'url'),
  });

  if (platform === 'tiktok') {
    if (first === undefined) throw notProfile('TikTok URL has no handle: expected https://www.tiktok.com/@handle');
    if (!first.startsWith('@')) throw notProfile('Not a TikTok profile URL: expected https://www.tiktok.com/@handle');
    if (second === 'video' || second === 'photo') throw notProfile('This is a TikTok post URL, not a profile URL');
    if (second !== undefined) throw notProfile('Not a TikTok profile URL: expected https://www.tiktok.com/@handle');
    return handleFrom(first.slice(1));
  }

  if (platform === 'youtube') {
    if (host === 'youtu.be' || (first !== undefined && YOUTUBE_VIDEO_PATHS.has(first))) {
      throw notProfile('This is a YouTube video URL, not a channel URL');
    }
    if (first === undefined) throw notProfile('YouTube URL has no channel: expected https://www.youtube.com/@handle');
    const tabOk = (tab: string | undefined) => tab === undefined || YOUTUBE_PROFILE_TABS.has(tab.toLowerCase());
    if (first.startsWith('@')) {
      if (!tabOk(second) || rest.length > 0)
        throw notProfile('Not a YouTube channel URL: unexpected path after @handle');
      return handleFrom(first.slice(1));
    }
    if (first === 'channel') {
      if (second === undefined || !YOUTUBE_CHANNEL_ID.test(second)) {
        throw notProfile('YouTube channel ids look like UC followed by 22 letters, digits, "-" or "_"');
      }
      if (!tabOk(rest[0]) || rest.length > 1)
        throw notProfile('Not a YouTube channel URL: unexpected path after the id');
      return { kind: 'channel', platform: 'youtube', channelId: second, handle: second };
    }
    if (first === 'c' || first === 'user') {
      throw notProfile('Legacy YouTube /c/ and /user/ URLs are not supported: use the @handle or /channel/ URL');
    }
    throw notProfile('Not a YouTube channel URL: expected https://www.youtube.com/@handle');
  }

  if (first === undefined)
    throw notProfile('Instagram URL has no username: expected https://www.instagram.com/handle/');
  const lower = first.toLowerCase();
  const isPost =
    INSTAGRAM_POST_PATHS.has(lower) || (seg.length >= 3 && INSTAGRAM_POST_PATHS.has((second as string).toLowerCase()));
  if (isPost) throw notProfile('This is an Instagram post URL, not a profile URL');
  if (INSTAGRAM_RESERVED_PATHS.has(lower))
    throw notProfile(`Not a profile: instagram.com/${shown(first)}/ is an Instagram page`);
  if ((second !== undefined && !INSTAGRAM_PROFILE_TABS.has(second.toLowerCase())) || rest.length > 0) {
    throw notProfile('Not an Instagram profile URL: expected https://www.instagram.com/handle/');
  }
  return handleFrom(first);
}

const notVideo = (message: string) => urlError('not_a_video', message);

/**
 * A video from its URL: TikTok `/@handle/video/ID`; YouTube `watch?v=ID`, `youtu.be/ID`, `/shorts/ID`, `/live/ID`,
 * `/embed/ID`; Instagram `/reel/ID`, `/reels/ID`, `/p/ID`, `/tv/ID` (optionally after the username). The canonical
 * URL is one form per video: YouTube always `watch?v=`, Instagram `/reel/ID/` for reels and `/p/ID/` otherwise.
 * Throws `InvalidInputError` (field `url`).
 */
export function parseVideoUrl(raw: string): VideoRef {
  const { platform, host, segments: seg, url } = parseSupportedUrl(raw);

  if (platform === 'tiktok') {
    const [at, kind, id, ...rest] = seg;
    if (at === undefined || !at.startsWith('@') || kind !== 'video' || id === undefined || rest.length > 0) {
      if (kind === 'photo') throw notVideo('TikTok photo posts are not videos');
      throw notVideo('Not a TikTok video URL: expected https://www.tiktok.com/@handle/video/ID');
    }
    if (!TIKTOK_VIDEO_ID.test(id)) throw notVideo('TikTok video ids are numeric');
    const handle = handleOrThrow('tiktok', at.slice(1), 'url');
    return {
      platform,
      platformVideoId: id,
      canonicalUrl: `https://www.tiktok.com/@${handle}/video/${id}`,
      authorHandle: handle,
    };
  }

  if (platform === 'youtube') {
    let id: string | null | undefined;
    if (host === 'youtu.be') {
      if (seg.length === 1) id = seg[0];
    } else if (seg.length === 1 && seg[0] === 'watch') {
      id = url.searchParams.get('v');
    } else if (seg.length === 2 && seg[0] !== 'watch' && YOUTUBE_VIDEO_PATHS.has(seg[0] as string)) {
      id = seg[1];
    }
    if (id === undefined || id === null) {
      throw notVideo('Not a YouTube video URL: expected https://www.youtube.com/watch?v=ID or https://youtu.be/ID');
    }
    if (!YOUTUBE_VIDEO_ID.test(id)) throw notVideo('YouTube video ids are 11 letters, digits, "-" or "_"');
    return { platform, platformVideoId: id, canonicalUrl: `https://www.youtube.com/watch?v=${id}`, authorHandle: null };
  }

  let author: string | null = null;
  let path = seg;
  if (seg.length === 3 && !INSTAGRAM_POST_PATHS.has((seg[0] as string).toLowerCase())) {
    if (INSTAGRAM_RESERVED_PATHS.has((seg[0] as string).toLowerCase())) throw notVideo('Not an Instagram post URL');
    author = handleOrThrow('instagram', seg[0] as string, 'url');
    path = seg.slice(1);
  }
  const [kind, code, ...rest] = path;
  if (kind === undefined || !INSTAGRAM_POST_PATHS.has(kind) || code === undefined || rest.length > 0) {
    throw notVideo('Not an Instagram post URL: expected https://www.instagram.com/reel/ID/ or /p/ID/');
  }
  if (!INSTAGRAM_SHORTCODE.test(code)) throw notVideo('Instagram post ids are letters, digits, "-" or "_"');
  const canonicalPath = kind === 'reel' || kind === 'reels' ? 'reel' : 'p';
  return {
    platform,
    platformVideoId: code,
    canonicalUrl: `https://www.instagram.com/${canonicalPath}/${code}/`,
    authorHandle: author,
  };
}

const MUSIC_ID = /^\d{1,20}$/;
/** the last segment of a TikTok sound page: `<title slug>-<music id>`, or the bare id */
const MUSIC_SEGMENT = /^(?:.*-)?(\d{1,20})$/;

/**
 * A TikTok music id from what a caller has: the id itself (the sounds endpoints' `external_id`), a sound page URL
 * `https://www.tiktok.com/music/<name>-<id>` (with or without scheme, query or trailing slash), or its last segment
 * `<name>-<id>`. Throws `InvalidInputError` (field `url`) for anything else: another platform's URL included.
 */
export function parseMusicId(raw: string): string {
  const trimmed = typeof raw === 'string' ? raw.trim() : '';
  if (MUSIC_ID.test(trimmed)) return trimmed;
  if (!trimmed.includes('/') && !trimmed.includes('.')) {
    const bare = MUSIC_SEGMENT.exec(trimmed);
    if (bare) return bare[1] as string;
    throw urlError(
      'not_a_sound',
      'Not a TikTok music id: expected digits, or a https://www.tiktok.com/music/<name>-<id> URL',
    );
  }
  const { platform, segments } = parseSupportedUrl(trimmed);
  if (platform !== 'tiktok') {
    throw urlError('not_a_sound', `Sound lookups are TikTok only; this is a ${PLATFORM_NAMES[platform]} URL`);
  }
  const [kind, name, ...rest] = segments;
  const id = kind === 'music' && name !== undefined && rest.length === 0 ? MUSIC_SEGMENT.exec(name)?.[1] : undefined;
  if (id === undefined) {
    throw urlError('not_a_sound', 'Not a TikTok sound URL: expected https://www.tiktok.com/music/<name>-<id>');
  }
  return id;
}
