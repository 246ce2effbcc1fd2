/** Shapes shared by providers, activities, the API and (types only) workflows. Plain data, no I/O. */
import { isPermanent, type ProviderFailureKind } from './failures';

export const PLATFORMS = ['tiktok', 'youtube', 'instagram'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** How each platform spells its own name, for messages and report text. */
export const PLATFORM_NAMES: Readonly<Record<Platform, string>> = {
  tiktok: 'TikTok',
  youtube: 'YouTube',
  instagram: 'Instagram',
};

/** Profile-level metrics as a platform reports them; `null` where the platform does not expose the metric. */
export interface ProfileMetrics {
  platform: Platform;
  /** the platform's own stable id for the account (channel id on YouTube) */
  platform_user_id: string;
  handle: string;
  display_name: string;
  avatar_url: string | null;
  profile_url: string;
  bio: string | null;
  is_verified: boolean;
  followers: number | null;
  following: number | null;
  total_videos: number | null;
  total_likes: number | null;
  /** only YouTube exposes a profile-level view count; TikTok and Instagram report null here */
  total_views: number | null;
  /** YouTube subscribers; null elsewhere */
  subscribers: number | null;
  category: string | null;
  /** declared profile hints (country ISO-3166 alpha-2, language ISO-639-1) */
  country: string | null;
  language: string | null;
  external_links: string[];
}

/** One post with its metrics at the time it was read; `null` where the platform hides a metric. */
export interface Post {
  platform: Platform;
  platform_video_id: string;
  url: string;
  title: string | null;
  description: string | null;
  thumbnail_url: string | null;
  published_at: string; // ISO 8601
  duration_seconds: number | null;
  views: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  bookmarks: number | null;
  hashtags: string[];
  /** TikTok only; null on other platforms */
  is_duet: boolean | null;
  is_stitch: boolean | null;
}

export interface PostPage {
  posts: Post[];
  /** opaque cursor for the next (older) page; null at the end */
  next_cursor: string | null;
}

/**
 * What an account shows publicly about its owner, as audience analysis reads it: the raw declared fields, never an
 * inferred attribute. `null` where the account leaves a field empty.
 */
/** The audience age bands every estimate reports, youngest first. */
export const AGE_BANDS = ['13-17', '18-24', '25-34', '35-44', '45+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

export interface AudienceAccount {
  handle: string;
  /** free text as the account declares it, e.g. "Milan, Italy" or "📍 São Paulo" */
  location: string | null;
  /** as declared, e.g. "she/her" */
  pronouns: string | null;
  bio: string | null;
}

export interface Comment {
  id: string;
  platform_video_id: string;
  author_handle: string;
  text: string;
  likes: number;
  published_at: string;
  /** the commenter's public profile, as platforms embed it in comment listings */
  author?: AudienceAccount;
}

/**
 * A platform's sound (TikTok "music"): a licensed track or an original sound a creator uploaded, as its sound page
 * shows it. `null` where the platform does not say.
 */
export interface Sound {
  platform: Platform;
  /** the platform's id for the sound (TikTok's music id, the `/music/<slug>-<id>` segment) */
  music_id: string;
  title: string;
  /** the artist or, for an original sound, the uploader's display name, as the sound page shows it */
  author_name: string | null;
  /** the uploading account's handle (TikTok unique id) for an original sound; null for a licensed track */
  owner_handle: string | null;
  album: string | null;
  duration_seconds: number | null;
  /** uploaded by a creator (an "original sound"), not a licensed track */
  is_original: boolean;
  /** licensed for commercial use (TikTok's Commercial Music Library) */
  is_commerce: boolean;
  cover_url: string | null;
  play_url: string | null;
  /** the sound's public page */
  url: string;
  /** how many videos use the sound, as the platform reports it (its count, not what a listing can reach) */
  video_count: number | null;
  /** when the sound was first published, ISO 8601; null when unknown */
  created_at: string | null;
}

/** A video that uses a sound, as a sound's video listing returns it: the post plus what the listing says of its author. */
export interface SoundVideo extends Post {
  music_id: string;
  /** the author's handle, TikTok's `unique_id` (stable across a listing: deduplicate creators by it) */
  author_handle: string;
  /** the platform's numeric id for the author */
  author_user_id: string | null;
  author_display_name: string | null;
  author_followers: number | null;
  author_is_verified: boolean | null;
  /** this video's use of the sound is a commercially licensed clip (promoted or branded content) */
  is_commerce_music: boolean | null;
}

export interface SoundVideoPage {
  videos: SoundVideo[];
  /** opaque cursor for the next page; null at the end */
  next_cursor: string | null;
  /** how many videos the listing can reach in all, when the source says; null when it does not */
  total: number | null;
}

export { PROVIDER_FAILURES, type ProviderFailureKind } from './failures';

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderFailureKind,
    message: string,
    /** seconds the platform asked us to wait (429), when it said */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ProviderError';
  }

  /** private, deleted, blocked and empty will not change on a retry a few seconds later (domain/failures.ts) */
  get permanent(): boolean {
    return isPermanent(this.kind);
  }
}

/**
 * A source refused our own credentials or configuration (a bad API key or token, a caller the upstream does not know).
 * Not the platform's answer about a creator: the work fails as `misconfigured`, is refunded, and is not retried until
 * an operator fixes the setting the message names.
 */
export class SourceConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceConfigError';
  }
}

/** The one interface every platform data source implements (simulated, YouTube Data API, Apify actors). */
export interface PlatformProvider {
  readonly name: string;
  getProfile(platform: Platform, handle: string): Promise<ProfileMetrics>;
  /**
   * Most recent first; `cursor` from the previous page. `total` is how many posts the caller means to page through
   * in all: sources that fetch in bulk (an Apify actor run) fetch that many at once and page through the result.
   */
  listPosts(
    platform: Platform,
    handle: string,
    opts: { limit: number; cursor?: string | null; total?: number },
  ): Promise<PostPage>;
  /** `url` is the post's public address when the caller knows it (sources that read posts by URL need one) */
  getPost(platform: Platform, platformVideoId: string, opts?: { url?: string }): Promise<Post>;
  listComments(
    platform: Platform,
    platformVideoId: string,
    opts: { limit: number; cursor?: string | null; url?: string },
  ): Promise<{ comments: Comment[]; next_cursor: string | null }>;
  /**
   * Up to `perPost` comments of each post (by platform video id), in one request where the source allows it: an
   * Apify actor run takes many post URLs at once. Optional: without it, callers page through `listComments` per post
   * (`commentsOfPosts` in providers/comments.ts does either).
   */
  listCommentsOfPosts?(
    platform: Platform,
    posts: readonly Pick<Post, 'platform_video_id' | 'url'>[],
    opts: { perPost: number },
  ): Promise<Map<string, Comment[]>>;
  /** an account's followers, most recent first (TikTok exposes them; elsewhere this throws `blocked`) */
  listFollowers(
    platform: Platform,
    handle: string,
    opts: { limit: number; cursor?: string | null },
  ): Promise<{ accounts: AudienceAccount[]; next_cursor: string | null }>;
  /**
   * A sound's metadata (TikTok only today). Optional: a source without it does not support sound lookups. A sound the
   * platform does not know throws `deleted`; a platform without sounds throws `blocked`.
   */
  getSound?(platform: Platform, musicId: string): Promise<Sound>;
  /**
   * The videos that use a sound, one page at a time, `cursor` from the previous page; the order is the source's own
   * (TikTok's: most popular first). Optional, like `getSound`; failures as there. `total` is how many the caller means
   * to page through in all (sources that fetch in bulk fetch that many at once, as for `listPosts`).
   */
  listSoundVideos?(
    platform: Platform,
    musicId: string,
    opts: { limit: number; cursor?: string | null; total?: number },
  ): Promise<SoundVideoPage>;
}
