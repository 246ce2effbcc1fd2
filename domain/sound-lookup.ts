/**
 * The TikTok sound lookup (seed 003) as plain data and pure functions: the normalized video, the stats block, the
 * sample-quality ladder, the diversity sample the trend step reads, and the mechanical half of every trend
 * (`time_windows`, `resurged`, `momentum`). No I/O, no clock: `now` is always a parameter. Conventions as in
 * domain/satellite-stats.ts (a hidden count is null and is skipped, never a 0).
 */
import {
  durationDistribution,
  engagementRate,
  rankGroups,
  round2,
  summarize,
  usageVelocity,
  type DurationDistribution,
  type UsageVelocity,
} from './satellite-stats';
import type { SoundTrends } from './sound-trends';
import { DAY_MS } from './time';

/** Base price of a sound lookup, in credits (cents): $0.50. */
export const SOUND_LOOKUP_COST = 50;
/** Added when trend analysis runs: $0.50, not billed on an insufficient corpus. */
export const SOUND_TRENDS_SURCHARGE = 50;
/** `max_videos` when the caller does not say, and its bounds. */
export const SOUND_DEFAULT_MAX_VIDEOS = 50;
export const SOUND_MAX_VIDEOS = 100;
/** The corpus trend analysis reads (`videos` then holds it). */
export const SOUND_TREND_SAMPLE = 300;
/** Videos per listing page, and the hard pagination cap: 25 pages, 500 videos. */
export const SOUND_PAGE_SIZE = 20;
export const SOUND_PAGE_CAP = 25;
export const SOUND_VIDEO_CAP = 500;
/** top_creators and top_hashtags length */
export const SOUND_TOP_LIMIT = 10;

/** One video using the sound, as the result lists it (`SoundCustomerVideo`). */
export interface SoundLookupVideo {
  platform_video_id: string;
  url: string;
  description: string | null;
  views: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  /** TikTok's "favorites" */
  collects: number | null;
  publish_date: string;
  duration_seconds: number | null;
  thumbnail_url: string | null;
  /** lower-cased, without '#' */
  hashtags: string[];
  author: {
    unique_id: string;
    nickname: string | null;
    user_id: string | null;
    followers: number | null;
    is_verified: boolean | null;
  };
  is_commerce_music: boolean | null;
}

export interface SoundStatsCreator {
  unique_id: string;
  nickname: string | null;
  is_verified: boolean | null;
  video_count: number;
  total_views: number;
}

export interface SoundStatsHashtag {
  hashtag: string;
  video_count: number;
  total_views: number;
}

export interface SoundStats {
  videos_analyzed: number;
  views: { total: number | null; avg: number | null; median: number | null; max: number | null; min: number | null };
  engagement: {
    total_likes: number | null;
    total_comments: number | null;
    total_shares: number | null;
    total_collects: number | null;
    avg_likes: number | null;
    avg_comments: number | null;
    avg_shares: number | null;
    avg_collects: number | null;
    engagement_rate: number | null;
  };
  velocity: UsageVelocity;
  verified_creator_count: number;
  /** 0–100, 2 decimals; null without creators */
  verified_creator_pct: number | null;
  /** 0–100 of the videos whose flag is known, 2 decimals; null when no video says */
  commerce_music_pct: number | null;
  duration_distribution: DurationDistribution;
  top_creators: SoundStatsCreator[];
  top_hashtags: SoundStatsHashtag[];
  top_video: SoundLookupVideo | null;
}

const pct = (part: number, whole: number): number | null => (whole === 0 ? null : round2((100 * part) / whole));

/**
 * The stats block, computed mechanically from the sampled videos. A count no video exposes is null in its total and
 * average (not 0). The engagement rate uses only videos whose views are known, so a hidden view count does not
 * inflate it. Creators are deduplicated by `unique_id`; one is verified when any of their listed videos says so.
 */
export function soundStats(videos: readonly SoundLookupVideo[], now: Date): SoundStats {
  const block = (pick: (v: SoundLookupVideo) => number | null) => {
    const s = summarize(videos.map(pick));
    return { total: s.count === 0 ? null : s.total, avg: s.avg, median: s.median, max: s.max, min: s.min };
  };
  const views = block((v) => v.views);
  const likes = block((v) => v.likes);
  const comments = block((v) => v.comments);
  const shares = block((v) => v.shares);
  const collects = block((v) => v.collects);
  const viewed = videos.filter((v) => v.views !== null && v.views >= 0);
  const sumOf = (pick: (v: SoundLookupVideo) => number | null) =>
    viewed.reduce((acc, v) => acc + Math.max(0, pick(v) ?? 0), 0);

  const creators = new Map<string, boolean>();
  for (const v of videos)
    creators.set(v.author.unique_id, creators.get(v.author.unique_id) === true || v.author.is_verified === true);
  const verified = [...creators.values()].filter(Boolean).length;
  const flagged = videos.filter((v) => v.is_commerce_music !== null);

  const byAuthor = new Map(videos.map((v) => [v.author.unique_id, v.author]));
  const top_creators = rankGroups(
    videos,
    (v) => v.author.unique_id,
    (v) => v.views,
    SOUND_TOP_LIMIT,
  ).map((g) => ({
    unique_id: g.key,
    nickname: byAuthor.get(g.key)?.nickname ?? null,
    is_verified: creators.get(g.key) ?? null,
    video_count: g.count,
    total_views: g.total,
  }));
  const tagged = videos.flatMap((v) =>
    [...new Set(v.hashtags.map((t) => t.toLowerCase()))].map((tag) => ({ tag, views: v.views })),
  );
  const top_hashtags = rankGroups(
    tagged,
    (t) => t.tag,
    (t) => t.views,
    SOUND_TOP_LIMIT,
  ).map((g) => ({
    hashtag: g.key,
    video_count: g.count,
    total_views: g.total,
  }));

  return {
    videos_analyzed: videos.length,
    views,
    engagement: {
      total_likes: likes.total,
      total_comments: comments.total,
      total_shares: shares.total,
      total_collects: collects.total,
      avg_likes: likes.avg,
      avg_comments: comments.avg,
      avg_shares: shares.avg,
      avg_collects: collects.avg,
      engagement_rate: engagementRate(
        sumOf((v) => v.likes),
        sumOf((v) => v.comments),
        sumOf((v) => v.shares),
        viewed.length === 0 ? null : sumOf((v) => v.views),
      ),
    },
    velocity: usageVelocity(
      videos.map((v) => v.publish_date),
      now,
    ),
    verified_creator_count: verified,
    verified_creator_pct: pct(verified, creators.size),
    commerce_music_pct: pct(flagged.filter((v) => v.is_commerce_music).length, flagged.length),
    duration_distribution: durationDistribution(videos.map((v) => v.duration_seconds)),
    top_creators,
    top_hashtags,
    top_video: topVideo(videos),
  };
}

/** The most-viewed video (ties: the earlier published, then the smaller id); null on an empty corpus. */
export function topVideo(videos: readonly SoundLookupVideo[]): SoundLookupVideo | null {
  let best: SoundLookupVideo | null = null;
  for (const v of videos) {
    if (v.views === null || !(v.views >= 0)) continue;
    if (best === null || v.views > (best.views as number) || (v.views === best.views && before(v, best))) best = v;
  }
  return best;
}

const before = (a: SoundLookupVideo, b: SoundLookupVideo): boolean =>
  a.publish_date < b.publish_date || (a.publish_date === b.publish_date && a.platform_video_id < b.platform_video_id);

// ---- sample quality ----

export const SAMPLE_NOTES = ['insufficient_corpus', 'small_corpus_workable', 'healthy_corpus', 'deep_corpus'] as const;
export type SampleNote = (typeof SAMPLE_NOTES)[number];

/** The ladder's lower bounds (videos): below 20 a corpus is insufficient, from 50 healthy, from 200 deep. */
export const SAMPLE_NOTE_FLOORS: Readonly<Record<Exclude<SampleNote, 'insufficient_corpus'>, number>> = {
  small_corpus_workable: 20,
  healthy_corpus: 50,
  deep_corpus: 200,
};

/** Where a corpus of `videos` stands on the ladder; trend analysis needs at least `small_corpus_workable`. */
export function sampleNote(videos: number): SampleNote {
  if (videos >= SAMPLE_NOTE_FLOORS.deep_corpus) return 'deep_corpus';
  if (videos >= SAMPLE_NOTE_FLOORS.healthy_corpus) return 'healthy_corpus';
  if (videos >= SAMPLE_NOTE_FLOORS.small_corpus_workable) return 'small_corpus_workable';
  return 'insufficient_corpus';
}

/**
 * Up to `n` videos spread over as many creators as possible: creators in order of their best video's views, each
 * creator's videos by views, taken round-robin (every creator's best, then every creator's second best…). A sound
 * dominated by a few regulars then still shows the many one-off creators its trends come from. Deterministic; the
 * result is ordered by views (most first), like the listing.
 */
export function diversitySample(videos: readonly SoundLookupVideo[], n: number): SoundLookupVideo[] {
  if (videos.length <= n) return [...videos];
  const byViews = (a: SoundLookupVideo, b: SoundLookupVideo) =>
    (b.views ?? -1) - (a.views ?? -1) || (a.platform_video_id < b.platform_video_id ? -1 : 1);
  const groups = new Map<string, SoundLookupVideo[]>();
  for (const v of [...videos].sort(byViews)) {
    const list = groups.get(v.author.unique_id) ?? [];
    list.push(v);
    groups.set(v.author.unique_id, list);
  }
  const lists = [...groups.values()];
  const picked: SoundLookupVideo[] = [];
  for (let round = 0; picked.length < n; round++) {
    for (const list of lists) {
      const v = list[round];
      if (v && picked.length < n) picked.push(v);
    }
  }
  return picked.sort(byViews);
}

// ---- trends: the mechanical half ----

export interface TimeWindow {
  start_date: string;
  end_date: string;
  video_count: number;
  total_views: number;
  total_likes: number;
  total_comments: number;
  total_shares: number;
  avg_views: number | null;
  description: string;
}

export type Momentum = 'stronger' | 'weaker' | 'similar';

/** Evidence spanning less than this gets no windows: it is a single point in time. */
export const WINDOW_MIN_SPAN_DAYS = 14;
/** A quiet stretch longer than this between two evidence videos ends one window and starts the next. */
export const WINDOW_GAP_DAYS = 14;
/** The ± deadband of `momentum` (15 %). */
export const MOMENTUM_DEADBAND = 0.15;

/**
 * Time windows of a trend from the publish dates of its evidence videos: sorted by date, a new window starts after a
 * gap of more than 14 days without evidence. So windows are disjoint and in order, their counts add up to the
 * evidence, and each one's dates are real publish dates. Evidence spanning less than 14 days (or with fewer than two
 * dated videos) gets none. Dates are 'YYYY-MM-DD' (UTC); counts a video hides add nothing to the totals, and
 * avg_views is over the videos whose views are known.
 */
export function timeWindows(evidence: readonly SoundLookupVideo[]): TimeWindow[] {
  const dated = evidence
    .map((v) => ({ v, t: new Date(v.publish_date).getTime() }))
    .filter((e) => Number.isFinite(e.t))
    .sort((a, b) => a.t - b.t);
  if (dated.length < 2) return [];
  const first = dated[0]!.t;
  const last = dated[dated.length - 1]!.t;
  if (last - first < WINDOW_MIN_SPAN_DAYS * DAY_MS) return [];
  const groups: SoundLookupVideo[][] = [];
  let previous = -Infinity;
  for (const { v, t } of dated) {
    if (t - previous > WINDOW_GAP_DAYS * DAY_MS) groups.push([]);
    groups[groups.length - 1]!.push(v);
    previous = t;
  }
  return groups.map(windowOf);
}

function windowOf(videos: SoundLookupVideo[]): TimeWindow {
  const sum = (pick: (v: SoundLookupVideo) => number | null) =>
    videos.reduce((acc, v) => acc + (isCount(pick(v)) ? (pick(v) as number) : 0), 0);
  const viewed = videos.filter((v) => isCount(v.views));
  const start = videos[0]!.publish_date.slice(0, 10);
  const end = videos[videos.length - 1]!.publish_date.slice(0, 10);
  const total = sum((v) => v.views);
  const avg = viewed.length === 0 ? null : round2(total / viewed.length);
  return {
    start_date: start,
    end_date: end,
    video_count: videos.length,
    total_views: total,
    total_likes: sum((v) => v.likes),
    total_comments: sum((v) => v.comments),
    total_shares: sum((v) => v.shares),
    avg_views: avg,
    description:
      `${videos.length} video${videos.length === 1 ? '' : 's'} ` +
      (start === end ? `on ${start}` : `from ${start} to ${end}`) +
      (avg === null ? '' : `, ${Math.round(avg).toLocaleString('en-US')} views on average`),
  };
}

/** A trend resurged when it has at least two disjoint windows: it faded and came back. */
export const resurged = (windows: readonly TimeWindow[]): boolean => windows.length >= 2;

/**
 * The latest window's avg_views against the one before: more than 15 % above → 'stronger', more than 15 % below →
 * 'weaker', otherwise 'similar' (both bounds inside the band). null with fewer than two windows or an unknown average;
 * a prior average of 0 gives 'stronger' when the latest is above 0.
 */
export function momentum(windows: readonly TimeWindow[]): Momentum | null {
  if (windows.length < 2) return null;
  const latest = windows[windows.length - 1]!.avg_views;
  const prior = windows[windows.length - 2]!.avg_views;
  if (latest === null || prior === null) return null;
  if (prior === 0) return latest > 0 ? 'stronger' : 'similar';
  const change = (latest - prior) / prior;
  if (change > MOMENTUM_DEADBAND) return 'stronger';
  if (change < -MOMENTUM_DEADBAND) return 'weaker';
  return 'similar';
}

/**
 * The ids a model grouped, kept only when they are in the corpus, once each, in the order given: a hallucinated id
 * never reaches the caller.
 */
export function sanitizeEvidence(ids: readonly string[], corpus: ReadonlySet<string>): string[] {
  return [...new Set(ids.filter((id) => corpus.has(id)))];
}

function isCount(v: number | null): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

// ---- the result ----

/** The sound as the result shows it (`SoundMetadata`). */
export interface SoundMetadata {
  music_id: string;
  title: string;
  /** the artist, or an original sound's uploader as the sound page names them */
  author_name: string | null;
  /** an original sound's uploading account (TikTok unique id); null for a licensed track */
  owner_unique_id: string | null;
  album: string | null;
  duration_seconds: number | null;
  is_original: boolean;
  is_commerce: boolean;
  cover_url: string | null;
  play_url: string | null;
  url: string;
  reported_usage_count: number | null;
  created_at: string | null;
}

export interface SampleQuality {
  truncated_by_cap: boolean;
  pages_fetched: number;
  note: SampleNote;
}

/** The completed sound lookup's `result` (seed 003). */
export interface SoundLookupResult {
  request: { music_id: string; platform: 'tiktok'; trend_analysis: boolean; max_videos: number };
  sound: SoundMetadata;
  data_captured_at: string;
  stats: SoundStats;
  sample_quality: SampleQuality;
  trends: SoundTrends;
  videos: SoundLookupVideo[];
}
