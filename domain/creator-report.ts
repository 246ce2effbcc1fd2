/**
 * The deterministic heuristic analyst: the default creator report generator. Every field of the documented `analysis`
 * object is computed from the snapshots, posts and comments it is given; where the data is too thin it says so rather
 * than guessing. Pure (no I/O, no clock: `now` is an input), so the same input always yields the same report.
 */
import { median } from './outliers';
import { PLATFORM_NAMES, type Comment, type Post, type ProfileMetrics } from './platform';
import { creatorDeltas, growthSummary, type CreatorMetrics } from './snapshots';
import type { ReportGenerator } from './report-text';
import { cmpStr, compact, heuristicGenerator, joinWords, pct, plural, truncate } from './report-text';
import { DAY_MS } from './time';

export const HEURISTIC_MODEL_NAME = 'heuristic-analyst-v1';

export interface CreatorAnalysis {
  overview: { headline: string; recent_focus: string; content_focus: string; growth_insight: string };
  what_works: { insight: string; evidence: string; evidence_video_ids: string[] }[];
  content_themes: { name: string; avg_views: number; description: string; video_count: number }[];
  posting_patterns: { frequency: string; best_formats: string[]; optimal_duration: string };
  audience_sentiment: {
    overall_summary: string;
    sentiment_labels: string[];
    notable_comments: { likes: number; content: string; insight: string }[];
  };
}

export type CreatorReportProfile = Pick<
  ProfileMetrics,
  'platform' | 'handle' | 'display_name' | 'followers' | 'subscribers' | 'category'
>;

export interface CreatorReportInput {
  profile: CreatorReportProfile;
  snapshots: readonly (CreatorMetrics & { snapshot_at: Date })[];
  posts: readonly Post[];
  comments: readonly Comment[];
  /** the creator's previous report, so a model can say what changed; the heuristic analyst does not read it */
  prior?: { analysis: CreatorAnalysis; created_at: string } | null;
  now: Date;
}

/** Anything that can write a creator report: this heuristic analyst, or an LLM adapter. */
export type CreatorReportGenerator = ReportGenerator<CreatorReportInput, CreatorAnalysis>;

export const heuristicCreatorReportGenerator: CreatorReportGenerator = heuristicGenerator(
  HEURISTIC_MODEL_NAME,
  (input: CreatorReportInput) => generateCreatorReport(input),
);

export function generateCreatorReport(input: CreatorReportInput): CreatorAnalysis {
  const posts = normalisePosts(input.posts);
  const nowMs = input.now.getTime();
  const themes = contentThemes(posts);
  return {
    overview: {
      headline: headline(input, posts),
      recent_focus: recentFocus(posts, nowMs),
      content_focus: contentFocus(posts, themes),
      growth_insight: growthInsight(input),
    },
    what_works: whatWorks(posts),
    content_themes: themes,
    posting_patterns: postingPatterns(posts, nowMs),
    audience_sentiment: audienceSentiment(input.comments, posts),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// posts

interface NPost {
  id: string;
  views: number | null;
  publishedMs: number | null;
  duration: number | null;
  tags: string[];
  /** 'duet' | 'stitch' | 'original', or null where the platform does not say (everything but TikTok) */
  kind: string | null;
}

const MIN_POSTS_TO_COMPARE = 8;
const MAX_THEMES = 5;
const MAX_EVIDENCE_IDS = 5;

// platform-wide discovery tags say nothing about what a creator makes
// prettier-ignore
const GENERIC_TAGS = new Set([
  'fyp', 'fy', 'foryou', 'foryoupage', 'fypシ', 'viral', 'viralvideo', 'trending', 'trend', 'explore', 'explorepage',
  'reels', 'reel', 'instagram', 'insta', 'tiktok', 'shorts', 'short', 'youtube', 'youtubeshorts', 'xyzbca', 'parati',
  'pourtoi', 'perte', 'fürdich', 'capcut', 'duet', 'stitch',
]);

function normalisePosts(raw: readonly Post[]): NPost[] {
  const seen = new Set<string>();
  const out: NPost[] = [];
  for (const p of raw) {
    if (seen.has(p.platform_video_id)) continue;
    seen.add(p.platform_video_id);
    const published = Date.parse(p.published_at);
    const tags = new Set<string>();
    for (const t of p.hashtags) {
      const tag = t.trim().replace(/^#+/, '').toLowerCase();
      if (tag !== '' && !GENERIC_TAGS.has(tag)) tags.add(tag);
    }
    out.push({
      id: p.platform_video_id,
      views: isCount(p.views) ? p.views : null,
      publishedMs: Number.isNaN(published) ? null : published,
      duration:
        p.duration_seconds !== null && Number.isFinite(p.duration_seconds) && p.duration_seconds > 0
          ? p.duration_seconds
          : null,
      tags: [...tags].sort(cmpStr),
      kind: postKind(p),
    });
  }
  return out;
}

function postKind(p: Post): string | null {
  if (p.is_duet === true) return 'duet';
  if (p.is_stitch === true) return 'stitch';
  return p.is_duet === false || p.is_stitch === false ? 'original' : null;
}

const withViews = (posts: readonly NPost[]): (NPost & { views: number })[] =>
  posts.filter((p): p is NPost & { views: number } => p.views !== null);

const byViewsDesc = (a: NPost & { views: number }, b: NPost & { views: number }): number =>
  b.views - a.views || cmpStr(a.id, b.id);

// ---------------------------------------------------------------------------------------------------------------
// overview

function audienceMetric(input: CreatorReportInput): { noun: string; count: number | null } {
  const latest = [...input.snapshots].sort((a, b) => time(b.snapshot_at) - time(a.snapshot_at))[0];
  const followers = finiteOrNull(input.profile.followers) ?? finiteOrNull(latest?.followers);
  if (followers !== null) return { noun: 'follower', count: followers };
  const subscribers = finiteOrNull(input.profile.subscribers) ?? finiteOrNull(latest?.subscribers);
  if (subscribers !== null) return { noun: 'subscriber', count: subscribers };
  return { noun: input.profile.platform === 'youtube' ? 'subscriber' : 'follower', count: null };
}

function headline(input: CreatorReportInput, posts: NPost[]): string {
  const { profile } = input;
  const who =
    profile.display_name.trim() !== '' && profile.display_name.trim() !== profile.handle
      ? `${profile.display_name.trim()} (@${profile.handle})`
      : `@${profile.handle}`;
  const { noun, count } = audienceMetric(input);
  const category = profile.category?.trim() ? `${profile.category.trim()} ` : '';
  const platform = PLATFORM_NAMES[profile.platform] ?? profile.platform;
  const size =
    count === null
      ? `${platform} ${category}creator (${noun} count not available)`
      : `${compact(count)}-${noun} ${platform} ${category}creator`;
  const viewed = withViews(posts);
  const med = median(viewed.map((p) => p.views));
  const reach =
    med === null
      ? 'no collected posts with view counts yet'
      : `a median of ${compact(med)} views across ${plural(viewed.length, 'collected post')}`;
  return `${who}: ${size} with ${reach}.`;
}

function recentFocus(posts: NPost[], nowMs: number): string {
  const dated = posts
    .filter((p): p is NPost & { publishedMs: number } => p.publishedMs !== null)
    .sort((a, b) => b.publishedMs - a.publishedMs || cmpStr(a.id, b.id));
  if (dated.length === 0) return 'No dated posts collected yet, so there is no recent activity to describe.';

  if (dated.length === 1) {
    const only = dated[0]!;
    const views = only.views === null ? '' : `, with ${compact(only.views)} views`;
    return `Only one dated post so far (${isoDate(only.publishedMs)}${views}); more posts are needed to describe a recent focus.`;
  }

  let recent = dated.filter((p) => p.publishedMs >= nowMs - 30 * DAY_MS);
  let label = `The ${recent.length} posts from the last 30 days`;
  if (recent.length < 3) {
    recent = dated.slice(0, Math.min(5, dated.length));
    label = `The latest ${recent.length} posts (since ${isoDate(recent[recent.length - 1]!.publishedMs)})`;
  }
  const recentIds = new Set(recent.map((p) => p.id));
  const earlier = dated.filter((p) => !recentIds.has(p.id));

  const parts: string[] = [];
  const recentTag = topTag(recent);
  const earlierTag = topTag(earlier);
  if (recentTag !== null) {
    let s = `${label} centre on #${recentTag.tag} (${recentTag.count} of ${recent.length})`;
    if (earlierTag !== null && earlierTag.tag !== recentTag.tag) {
      s += `, a shift from #${earlierTag.tag}, which led earlier posts (${earlierTag.count} of ${earlier.length})`;
    }
    parts.push(`${s}.`);
  } else {
    parts.push(`${label} share no recurring hashtag.`);
  }

  const recentMed = median(withViews(recent).map((p) => p.views));
  const earlierMed = median(withViews(earlier).map((p) => p.views));
  if (recentMed !== null && earlierMed !== null && earlierMed > 0) {
    const change = (recentMed - earlierMed) / earlierMed;
    const direction = Math.abs(change) < 0.1 ? 'about level with' : change > 0 ? 'up on' : 'down on';
    parts.push(
      `Their median views are ${compact(recentMed)}, ${direction} ${compact(earlierMed)} for earlier posts (${signedPct(change)}).`,
    );
  } else if (recentMed !== null) {
    parts.push(`Their median views are ${compact(recentMed)}; there are no earlier posts with views to compare.`);
  }
  const recentDur = median(recent.flatMap((p) => (p.duration === null ? [] : [p.duration])));
  if (recentDur !== null) parts.push(`Typical length: ${seconds(recentDur)}.`);
  return parts.join(' ');
}

function contentFocus(posts: NPost[], themes: CreatorAnalysis['content_themes']): string {
  if (posts.length === 0) return 'No posts collected yet, so the content focus cannot be assessed.';
  const parts: string[] = [];
  if (themes.length === 0) {
    parts.push(
      `No hashtag recurs across the ${plural(posts.length, 'collected post')}, so no content themes stand out.`,
    );
  } else {
    const listed = themes.slice(0, 3).map((t) => `${t.name} (${t.video_count} of ${posts.length} posts)`);
    parts.push(`Content centres on ${joinWords(listed)}.`);
  }
  const durations = posts.flatMap((p) => (p.duration === null ? [] : [p.duration]));
  const med = median(durations);
  if (med !== null)
    parts.push(
      `Median post length is ${seconds(med)} across ${plural(durations.length, 'post')} with a known duration.`,
    );
  const kinds = countBy(posts.flatMap((p) => (p.kind === null ? [] : [p.kind])));
  const remixes = (kinds.get('duet') ?? 0) + (kinds.get('stitch') ?? 0);
  const known = remixes + (kinds.get('original') ?? 0);
  if (known > 0 && remixes > 0) parts.push(`${remixes} of ${known} posts are duets or stitches.`);
  return parts.join(' ');
}

function growthInsight(input: CreatorReportInput): string {
  const snaps = input.snapshots
    .filter((s) => Number.isFinite(time(s.snapshot_at)))
    .sort((a, b) => time(a.snapshot_at) - time(b.snapshot_at));
  if (snaps.length === 0) return 'No snapshots recorded yet; growth shows once tracking cycles have run.';

  const useFollowers = snaps.some((s) => finiteOrNull(s.followers) !== null);
  const noun = useFollowers ? 'follower' : 'subscriber';
  const series = snaps
    .map((s) => ({ count: finiteOrNull(useFollowers ? s.followers : s.subscribers), at: time(s.snapshot_at) }))
    .filter((s): s is { count: number; at: number } => s.count !== null);

  const parts: string[] = [];
  if (series.length === 0) {
    parts.push(`${plural(snaps.length, 'snapshot')} recorded, none with a ${noun} count.`);
  } else if (series.length === 1) {
    const only = series[0]!;
    parts.push(
      `One snapshot with a ${noun} count so far (${compact(only.count)} on ${isoDate(only.at)}); growth shows after the next cycle.`,
    );
  } else {
    const first = series[0]!;
    const last = series[series.length - 1]!;
    const change = last.count - first.count;
    const rate = first.count > 0 ? ` (${signedPct(change / first.count, 2)})` : '';
    parts.push(
      `${capitalise(noun)}s went from ${compact(first.count)} to ${compact(last.count)}, ${signedCompact(change)}${rate}, across ${series.length} snapshots between ${isoDate(first.at)} and ${isoDate(last.at)}.`,
    );
    const week = growthSummary(
      series.map((s) => ({ followers: s.count, snapshot_at: new Date(s.at) })),
      input.now,
      7,
    );
    if (week.followers_gained !== null) {
      const weekRate = week.growth_rate === null ? '' : ` (${week.growth_rate >= 0 ? '+' : ''}${week.growth_rate}%)`;
      parts.push(`7-day growth: ${signedCompact(week.followers_gained)}${weekRate}.`);
    }
    const trend = growthTrend(series);
    if (trend !== null) parts.push(trend);
  }

  const last = snaps[snaps.length - 1]!;
  const prev = snaps[snaps.length - 2];
  if (prev !== undefined) {
    const d = creatorDeltas(prev, last);
    const moved: string[] = [];
    if (d.delta_total_videos !== null) moved.push(`${signedCompact(d.delta_total_videos)} videos`);
    if (d.delta_total_likes !== null) moved.push(`${signedCompact(d.delta_total_likes)} likes`);
    // on TikTok/Instagram total_views is summed over collected posts, so it only compares like with like
    if (
      d.delta_total_views !== null &&
      (input.profile.platform === 'youtube' || prev.collected_post_count === last.collected_post_count)
    ) {
      moved.push(`${signedCompact(d.delta_total_views)} views`);
    }
    if (moved.length > 0) parts.push(`The latest cycle recorded ${joinWords(moved)}.`);
  }
  return parts.join(' ');
}

function growthTrend(series: { count: number; at: number }[]): string | null {
  if (series.length < 3) return null;
  const first = series[0]!;
  const mid = series[Math.floor((series.length - 1) / 2)]!;
  const last = series[series.length - 1]!;
  const earlyDays = (mid.at - first.at) / DAY_MS;
  const lateDays = (last.at - mid.at) / DAY_MS;
  if (earlyDays <= 0 || lateDays <= 0) return null;
  const early = (mid.count - first.count) / earlyDays;
  const late = (last.count - mid.count) / lateDays;
  const tolerance = 0.2 * Math.max(Math.abs(early), Math.abs(late));
  const verdict = Math.abs(late - early) <= tolerance ? 'steady' : late > early ? 'accelerating' : 'slowing';
  return `Growth is ${verdict}: ${signedCompact(late)}/day since ${isoDate(mid.at)} against ${signedCompact(early)}/day before.`;
}

// ---------------------------------------------------------------------------------------------------------------
// themes

function contentThemes(posts: NPost[]): CreatorAnalysis['content_themes'] {
  const byTag = new Map<string, Set<number>>();
  posts.forEach((p, i) => {
    for (const tag of p.tags) {
      let set = byTag.get(tag);
      if (set === undefined) byTag.set(tag, (set = new Set()));
      set.add(i);
    }
  });
  const candidates = [...byTag]
    .filter(([, set]) => set.size >= 2)
    .sort((a, b) => b[1].size - a[1].size || cmpStr(a[0], b[0]));
  const overallMedian = median(withViews(posts).map((p) => p.views));

  const used = new Set<string>();
  const themes: CreatorAnalysis['content_themes'] = [];
  for (const [anchor, anchorPosts] of candidates) {
    if (themes.length === MAX_THEMES) break;
    if (used.has(anchor)) continue;
    used.add(anchor);
    const members = new Set(anchorPosts);
    // a tag that mostly travels with the anchor is the same theme, not a new one
    const related: string[] = [];
    for (const [tag, tagPosts] of candidates) {
      if (used.has(tag)) continue;
      let overlap = 0;
      for (const i of tagPosts) if (anchorPosts.has(i)) overlap++;
      if (overlap / tagPosts.size >= 0.6) {
        related.push(tag);
        used.add(tag);
        for (const i of tagPosts) members.add(i);
      }
    }
    const inTheme = [...members].map((i) => posts[i]!);
    const viewed = withViews(inTheme);
    if (viewed.length === 0) continue;
    const avg = Math.round(viewed.reduce((a, p) => a + p.views, 0) / viewed.length);
    const name = [anchor, ...related.slice(0, 2)].map((t) => `#${t}`).join(' / ');
    let description = `${inTheme.length} posts tagged #${anchor}`;
    if (related.length > 0) description += ` or closely related tags (${related.map((t) => `#${t}`).join(', ')})`;
    description += `, averaging ${compact(avg)} views`;
    if (viewed.length < inTheme.length) description += ` over the ${viewed.length} with view counts`;
    if (overallMedian !== null && overallMedian > 0)
      description += `, ${ratio(avg / overallMedian)} the creator's median of ${compact(overallMedian)}`;
    themes.push({ name, avg_views: avg, description: `${description}.`, video_count: inTheme.length });
  }
  return themes.sort((a, b) => b.video_count - a.video_count || b.avg_views - a.avg_views || cmpStr(a.name, b.name));
}

function topTag(posts: NPost[]): { tag: string; count: number } | null {
  const counts = countBy(posts.flatMap((p) => p.tags));
  let best: { tag: string; count: number } | null = null;
  for (const [tag, count] of counts) {
    if (count < 2) continue;
    if (best === null || count > best.count || (count === best.count && tag < best.tag)) best = { tag, count };
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------------
// what works: top quartile by views against the rest

interface Finding {
  lift: number;
  topCount: number;
  item: CreatorAnalysis['what_works'][number];
}

function whatWorks(posts: NPost[]): CreatorAnalysis['what_works'] {
  const ranked = withViews(posts).sort(byViewsDesc);
  if (ranked.length < MIN_POSTS_TO_COMPARE) {
    return [
      {
        insight: 'Not enough posts yet to tell what works',
        evidence: `${ranked.length === 0 ? 'No collected post has' : `Only ${plural(ranked.length, 'collected post')} ${ranked.length === 1 ? 'has' : 'have'}`} a view count; comparing top performers needs at least ${MIN_POSTS_TO_COMPARE}. A post collection adds more.`,
        evidence_video_ids: ranked.slice(0, MAX_EVIDENCE_IDS).map((p) => p.id),
      },
    ];
  }
  const topSize = Math.max(2, Math.ceil(ranked.length / 4));
  const top = ranked.slice(0, topSize);
  const rest = ranked.slice(topSize);
  const overallMedian = median(ranked.map((p) => p.views))!;

  const findings: Finding[] = [];
  const band = overIndexed(top, rest, (p) => (p.duration === null ? [] : [durationBand(p.duration).label]));
  if (band !== null) {
    findings.push(
      finding(band, `Videos running ${band.value} drive the biggest results`, `run ${band.value}`, overallMedian),
    );
  }
  const tag = overIndexed(top, rest, (p) => p.tags);
  if (tag !== null) {
    findings.push(finding(tag, `Posts tagged #${tag.value} outperform`, `are tagged #${tag.value}`, overallMedian));
  }
  const day = overIndexed(top, rest, (p) =>
    p.publishedMs === null ? [] : [WEEKDAYS[new Date(p.publishedMs).getUTCDay()]!],
  );
  if (day !== null) {
    findings.push(
      finding(day, `Posts published on ${day.value}s (UTC) do best`, `went out on a ${day.value} (UTC)`, overallMedian),
    );
  }
  const hour = overIndexed(top, rest, (p) => (p.publishedMs === null ? [] : [hourBlock(p.publishedMs)]));
  if (hour !== null) {
    findings.push(
      finding(
        hour,
        `Posting between ${hour.value} UTC lines up with the biggest hits`,
        `went out between ${hour.value} UTC`,
        overallMedian,
      ),
    );
  }
  const kind = overIndexed(top, rest, (p) => (p.kind === null ? [] : [p.kind]));
  if (kind !== null) {
    const many =
      kind.value === 'duet' ? 'duets' : kind.value === 'stitch' ? 'stitches' : 'originals (no duet or stitch)';
    const insight =
      kind.value === 'original'
        ? 'Original posts beat duets and stitches'
        : `${capitalise(many)} punch above their weight`;
    findings.push(finding(kind, insight, `are ${many}`, overallMedian));
  }

  if (findings.length > 0) {
    return findings
      .sort((a, b) => b.lift - a.lift || b.topCount - a.topCount || cmpStr(a.item.insight, b.item.insight))
      .slice(0, 4)
      .map((f) => f.item);
  }
  const topAvg = top.reduce((a, p) => a + p.views, 0) / top.length;
  const restMedian = median(rest.map((p) => p.views))!;
  const spread = restMedian > 0 ? topAvg / restMedian : null;
  return [
    {
      insight:
        spread === null || spread >= 3
          ? 'A few breakout posts carry the account; no single format explains them'
          : 'Performance is even across posts; no single format stands out',
      evidence: `The top ${top.length} of ${ranked.length} posts average ${compact(topAvg)} views${spread === null ? ' while the rest have a median of 0' : `, ${ratio(spread)} the ${compact(restMedian)} median of the rest`}; no duration, hashtag, weekday, posting hour or format is clearly over-represented among them.`,
      evidence_video_ids: top.slice(0, MAX_EVIDENCE_IDS).map((p) => p.id),
    },
  ];
}

interface OverIndex {
  value: string;
  topCount: number;
  topKnown: number;
  restCount: number;
  restKnown: number;
  lift: number;
  topMatches: (NPost & { views: number })[];
}

const MIN_LIFT = 0.25;

/** The attribute value most over-represented among top posts: share in top − share in the rest ≥ MIN_LIFT. */
function overIndexed(
  top: (NPost & { views: number })[],
  rest: (NPost & { views: number })[],
  values: (p: NPost) => string[],
): OverIndex | null {
  const topKnown = top.filter((p) => values(p).length > 0);
  const restKnown = rest.filter((p) => values(p).length > 0);
  if (topKnown.length < 2 || restKnown.length < 2) return null;
  const topCounts = countBy(topKnown.flatMap(values));
  const restCounts = countBy(restKnown.flatMap(values));
  let best: OverIndex | null = null;
  for (const [value, topCount] of [...topCounts].sort((a, b) => cmpStr(a[0], b[0]))) {
    if (topCount < 2) continue;
    const restCount = restCounts.get(value) ?? 0;
    const lift = topCount / topKnown.length - restCount / restKnown.length;
    if (lift < MIN_LIFT) continue;
    if (best === null || lift > best.lift || (lift === best.lift && topCount > best.topCount)) {
      best = {
        value,
        topCount,
        topKnown: topKnown.length,
        restCount,
        restKnown: restKnown.length,
        lift,
        topMatches: topKnown.filter((p) => values(p).includes(value)),
      };
    }
  }
  return best;
}

function finding(o: OverIndex, insight: string, verb: string, overallMedian: number): Finding {
  const avg = o.topMatches.reduce((a, p) => a + p.views, 0) / o.topMatches.length;
  const evidence =
    `${o.topCount} of ${o.topKnown} top-quartile posts (${pct(o.topCount / o.topKnown)}) ${verb}, against ` +
    `${o.restCount} of ${o.restKnown} (${pct(o.restCount / o.restKnown)}) of the rest; those ${o.topCount} average ` +
    `${compact(avg)} views against a creator median of ${compact(overallMedian)}.`;
  return {
    lift: o.lift,
    topCount: o.topCount,
    item: { insight, evidence, evidence_video_ids: o.topMatches.slice(0, MAX_EVIDENCE_IDS).map((p) => p.id) },
  };
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function hourBlock(ms: number): string {
  const start = Math.floor(new Date(ms).getUTCHours() / 4) * 4;
  const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
  return `${hh(start)} and ${hh((start + 4) % 24)}`;
}

const DURATION_BANDS: readonly { max: number; label: string }[] = [
  { max: 15, label: 'under 15 s' },
  { max: 30, label: '15–30 s' },
  { max: 60, label: '30–60 s' },
  { max: 180, label: '1–3 min' },
  { max: 600, label: '3–10 min' },
  { max: 1200, label: '10–20 min' },
  { max: Infinity, label: 'over 20 min' },
];

function durationBand(durationSeconds: number): { index: number; label: string } {
  const index = DURATION_BANDS.findIndex((b) => durationSeconds < b.max);
  return { index, label: DURATION_BANDS[index]!.label };
}

// ---------------------------------------------------------------------------------------------------------------
// posting patterns

function postingPatterns(posts: NPost[], nowMs: number): CreatorAnalysis['posting_patterns'] {
  const { best_formats, optimal_duration } = durationFormats(posts);
  return { frequency: frequency(posts, nowMs), best_formats, optimal_duration };
}

function frequency(posts: NPost[], nowMs: number): string {
  const times = posts.flatMap((p) => (p.publishedMs === null ? [] : [p.publishedMs])).sort((a, b) => a - b);
  if (times.length < 2) {
    return times.length === 0
      ? 'No dated posts collected yet, so posting frequency cannot be measured.'
      : `Only one dated post (${isoDate(times[0]!)}), so posting frequency cannot be measured yet.`;
  }
  const first = times[0]!;
  const last = times[times.length - 1]!;
  const spanDays = (last - first) / DAY_MS;
  const parts: string[] = [];
  if (spanDays <= 0) {
    parts.push(`All ${times.length} dated posts carry the same publish time, so a posting rate cannot be measured.`);
  } else {
    const gapDays = spanDays / (times.length - 1);
    const perWeek = 7 / gapDays;
    const rate =
      perWeek >= 1 ? `About ${round1(perWeek)} posts per week` : `About ${round1(perWeek * (30 / 7))} posts per month`;
    parts.push(
      `${rate} (one every ${round1(gapDays)} days on average) across ${times.length} dated posts from ${isoDate(first)} to ${isoDate(last)}.`,
    );
  }
  const days = countBy(times.map((t) => WEEKDAYS[new Date(t).getUTCDay()]!));
  const [topDay, topDayCount] = [...days].sort(
    (a, b) => b[1] - a[1] || WEEKDAYS.indexOf(a[0]) - WEEKDAYS.indexOf(b[0]),
  )[0]!;
  if (topDayCount >= 3 && topDayCount >= times.length / 4)
    parts.push(`Most often on ${topDay}s (${topDayCount} of ${times.length}, UTC).`);
  const sinceLast = (nowMs - last) / DAY_MS;
  if (sinceLast >= 0) parts.push(`Latest post ${round1(sinceLast)} days ago.`);
  return parts.join(' ');
}

function durationFormats(posts: NPost[]): { best_formats: string[]; optimal_duration: string } {
  const usable = withViews(posts).filter((p): p is NPost & { views: number; duration: number } => p.duration !== null);
  if (usable.length === 0) {
    return {
      best_formats: [],
      optimal_duration: 'Not enough posts with both a duration and a view count to recommend a length.',
    };
  }
  const bands = new Map<number, (NPost & { views: number; duration: number })[]>();
  for (const p of usable) {
    const { index } = durationBand(p.duration);
    bands.set(index, [...(bands.get(index) ?? []), p]);
  }
  let ranked = [...bands].map(([index, members]) => ({ index, members, med: median(members.map((p) => p.views))! }));
  // a single post is an anecdote; use bands with two or more when there are any
  if (ranked.some((b) => b.members.length >= 2)) ranked = ranked.filter((b) => b.members.length >= 2);
  ranked.sort((a, b) => b.med - a.med || b.members.length - a.members.length || a.index - b.index);

  const best_formats = ranked
    .slice(0, 3)
    .map(
      (b) =>
        `${DURATION_BANDS[b.index]!.label} videos (median ${compact(b.med)} views over ${plural(b.members.length, 'post')})`,
    );
  const best = ranked[0]!.members;
  const lo = weightedQuantile(best, 0.25);
  const hi = weightedQuantile(best, 0.75);
  return { best_formats, optimal_duration: durationRange(lo, hi) };
}

/** The duration at quantile q when each post is weighted by its views (unweighted when every post has 0 views). */
function weightedQuantile(posts: { duration: number; views: number }[], q: number): number {
  const sorted = [...posts].sort((a, b) => a.duration - b.duration);
  const total = sorted.reduce((a, p) => a + p.views, 0);
  const weight = (p: { views: number }) => (total > 0 ? p.views : 1);
  const target = q * (total > 0 ? total : sorted.length);
  let cumulative = 0;
  for (const p of sorted) {
    cumulative += weight(p);
    if (cumulative >= target) return p.duration;
  }
  return sorted[sorted.length - 1]!.duration;
}

function durationRange(lo: number, hi: number): string {
  const a = Math.round(lo);
  const b = Math.round(hi);
  if (b < 120) return a === b ? `${a} seconds` : `${a}–${b} seconds`;
  return a === b ? `${minSec(a)} minutes` : `${minSec(a)}–${minSec(b)} minutes`;
}

// ---------------------------------------------------------------------------------------------------------------
// audience sentiment: a small keyword-and-emoji lexicon of our own (en, es, pt, fr, it, de), no dependency

// prettier-ignore
const LEXICON: ReadonlyMap<string, number> = new Map(
  Object.entries({
    // en
    love: 2, loved: 2, lovely: 2, amazing: 2, awesome: 2, great: 1, good: 1, best: 2, beautiful: 2, nice: 1, cool: 1,
    funny: 1, hilarious: 2, genius: 2, legend: 2, goat: 2, perfect: 2, wow: 1, brilliant: 2, fantastic: 2,
    incredible: 2, excellent: 2, thanks: 1, thank: 1, helpful: 2, useful: 1, favorite: 2, favourite: 2, king: 1,
    queen: 1, iconic: 2, wholesome: 2, cute: 1, talented: 2, inspiring: 2, respect: 1, congrats: 1, happy: 1,
    hate: -2, bad: -1, worst: -2, boring: -2, awful: -2, terrible: -2, cringe: -2, fake: -2, stupid: -2, dumb: -1,
    trash: -2, ugly: -1, annoying: -2, sad: -1, disappointed: -2, disappointing: -2, scam: -3, clickbait: -2,
    unfollow: -2, unfollowed: -2, overrated: -2, waste: -2, horrible: -2, gross: -1, disgusting: -2, worse: -1,
    // es
    amo: 2, encanta: 2, genial: 2, increíble: 2, gracias: 1, bueno: 1, buenísimo: 2, hermoso: 2, bonito: 1, mejor: 1,
    crack: 2, excelente: 2, maravilloso: 2, divertido: 1, odio: -2, malo: -1, peor: -2, aburrido: -2, asco: -2,
    basura: -2, feo: -1, falso: -2,
    // pt
    amei: 2, lindo: 2, maravilhoso: 2, incrível: 2, obrigado: 1, obrigada: 1, melhor: 1, demais: 1, perfeito: 2,
    ódio: -2, ruim: -1, pior: -2, chato: -2, horrível: -2, lixo: -2, nojo: -2,
    // fr
    adore: 2, génial: 2, magnifique: 2, merci: 1, super: 1, meilleur: 1, parfait: 2, bravo: 2, déteste: -2, nul: -2,
    nulle: -2, pire: -2, ennuyeux: -2,
    // it
    bellissimo: 2, bello: 1, grazie: 1, fantastico: 2, migliore: 1, perfetto: 2, adoro: 2, brutto: -1, peggiore: -2,
    noioso: -2, schifo: -2,
    // de
    toll: 1, danke: 1, liebe: 2, geil: 1, wunderschön: 2, großartig: 2, beste: 2, lustig: 1, perfekt: 2, hasse: -2,
    schlecht: -1, schlimm: -2, langweilig: -2, scheiße: -2, hässlich: -1,
    // emoji
    '😂': 1, '🤣': 1, '❤': 2, '😍': 2, '🥰': 2, '🔥': 1, '👏': 1, '🙌': 1, '💯': 1, '😊': 1, '👍': 1, '🙏': 1,
    '😡': -2, '🤬': -2, '👎': -2, '🤮': -2, '💩': -1, '😒': -1, '😠': -2, '🙄': -1, '😢': -1,
  }),
);
// prettier-ignore
const NEGATORS = new Set([
  'not', 'no', 'never', "don't", 'dont', "isn't", 'isnt', "doesn't", "wasn't", "ain't", 'nunca', 'nada', 'não', 'nao',
  'pas', 'jamais', 'nicht', 'kein', 'keine', 'non', 'ni',
]);
// prettier-ignore
const APPRECIATION = new Set([
  'thank', 'thanks', 'thx', 'gracias', 'obrigado', 'obrigada', 'merci', 'grazie', 'danke', 'respect', 'legend', 'goat',
  'genius', 'inspiring', 'helpful', 'useful', 'bravo', 'crack', '🙏', '👏', '🙌',
]);
const LAUGHTER = /^(?:(?:ha){2,}h?|(?:ja){2,}|(?:he){2,}|k{3,}|lol|lmao|lmfao|rofl|mdr|xd|😂|🤣)$/u;
const TOKEN = /[\p{L}\p{N}']+|\p{Extended_Pictographic}/gu;

export interface CommentTone {
  score: number;
  amused: boolean;
  appreciative: boolean;
  question: boolean;
}

export function commentTone(text: string): CommentTone {
  const tokens = (text.replace(/’/g, "'").toLowerCase().match(TOKEN) ?? []).map((t) => t.replace(/^'+|'+$/g, ''));
  let score = 0;
  let negateWithin = 0;
  let amused = false;
  let appreciative = false;
  for (const token of tokens) {
    if (LAUGHTER.test(token)) amused = true;
    if (APPRECIATION.has(token)) appreciative = true;
    if (NEGATORS.has(token)) {
      negateWithin = 3;
      continue;
    }
    const value = LEXICON.get(token) ?? (LAUGHTER.test(token) ? 1 : 0);
    if (value !== 0) {
      score += negateWithin > 0 ? -value : value;
      negateWithin = 0;
    } else if (negateWithin > 0) {
      negateWithin--;
    }
  }
  return { score, amused, appreciative, question: text.includes('?') };
}

function audienceSentiment(raw: readonly Comment[], posts: NPost[]): CreatorAnalysis['audience_sentiment'] {
  const seen = new Set<string>();
  const comments: Comment[] = [];
  for (const c of raw) {
    if (seen.has(c.id) || c.text.trim() === '') continue;
    seen.add(c.id);
    comments.push(c);
  }
  if (comments.length === 0) {
    return {
      overall_summary: 'No comments sampled yet, so audience sentiment cannot be assessed.',
      sentiment_labels: [],
      notable_comments: [],
    };
  }
  const scored = comments.map((c) => ({ c, likes: isCount(c.likes) ? c.likes : 0, tone: commentTone(c.text) }));
  const n = scored.length;
  const pos = scored.filter((s) => s.tone.score > 0).length / n;
  const neg = scored.filter((s) => s.tone.score < 0).length / n;
  const neu = 1 - pos - neg;
  const amused = scored.filter((s) => s.tone.amused).length / n;
  const appreciative = scored.filter((s) => s.tone.appreciative).length / n;
  const curious = scored.filter((s) => s.tone.question).length / n;
  const totalLikes = scored.reduce((a, s) => a + s.likes, 0);

  let tone: string;
  if (neu >= 0.6) tone = 'mostly_neutral';
  else if (pos >= 0.6 && neg <= 0.1) tone = 'highly_positive';
  else if (neg >= 0.5 && pos <= 0.15) tone = 'highly_negative';
  else if (pos >= 2 * neg) tone = 'positive';
  else if (neg >= 2 * pos) tone = 'negative';
  else tone = 'mixed';
  const labels = [tone];
  if (appreciative >= 0.15) labels.push('appreciative');
  if (amused >= 0.15) labels.push('amused');
  if (curious >= 0.2) labels.push('curious');
  if (neg >= 0.25 && !tone.endsWith('negative')) labels.push('critical');

  const videoCount = new Set(comments.map((c) => c.platform_video_id)).size;
  const parts = [
    `${capitalise(tone.replace(/_/g, ' '))} across ${plural(n, 'sampled comment')} on ${plural(videoCount, 'video')}: ` +
      `${pct(pos)} positive, ${pct(neg)} negative, ${pct(Math.max(0, neu))} neutral by a keyword-and-emoji lexicon (en, es, pt, fr, it, de).`,
  ];
  if (totalLikes > 0) {
    const positiveLikes = scored.filter((s) => s.tone.score > 0).reduce((a, s) => a + s.likes, 0);
    parts.push(`Weighted by comment likes, ${pct(positiveLikes / totalLikes)} of likes go to positive comments.`);
  }
  if (amused >= 0.15) parts.push(`${pct(amused)} react with laughter.`);
  if (appreciative >= 0.15) parts.push(`${pct(appreciative)} thank or praise the creator.`);
  if (curious >= 0.2) parts.push(`${pct(curious)} ask a question.`);
  if (n < 20) parts.push(`The sample is small (${n}), so treat these shares as rough.`);

  const viewsById = new Map(posts.map((p) => [p.id, p.views]));
  const notable_comments = [...scored]
    .sort((a, b) => b.likes - a.likes || cmpStr(a.c.id, b.c.id))
    .slice(0, 3)
    .map((s, i) => {
      const kind = s.tone.score > 0 ? 'positive' : s.tone.score < 0 ? 'negative' : 'neutral';
      const traits = [
        s.tone.appreciative ? 'praises or thanks the creator' : null,
        s.tone.amused ? 'reacts with laughter' : null,
        s.tone.question ? 'asks a question' : null,
      ].filter((t): t is string => t !== null);
      const share = totalLikes > 0 ? `, ${pct(s.likes / totalLikes)} of all likes in the sample` : '';
      const views = viewsById.get(s.c.platform_video_id);
      const on = `video ${s.c.platform_video_id}${views !== null && views !== undefined ? ` (${compact(views)} views)` : ''}`;
      return {
        likes: s.likes,
        content: truncate(s.c.text.replace(/\s+/g, ' ').trim(), 280),
        insight: `${i === 0 ? 'Most-liked' : `#${i + 1} most-liked`} comment: ${kind}${traits.length > 0 ? `, ${joinWords(traits)}` : ''}; ${compact(s.likes)} ${s.likes === 1 ? 'like' : 'likes'}${share}, on ${on}.`,
      };
    });
  return { overall_summary: parts.join(' '), sentiment_labels: labels, notable_comments };
}

// ---------------------------------------------------------------------------------------------------------------
// small helpers (locale-independent so the text is identical on every machine)

function isCount(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

// also copes with a Date that crossed a Temporal payload boundary and arrived as an ISO string
function time(d: Date): number {
  return new Date(d).getTime();
}

function countBy(values: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

function signedCompact(n: number): string {
  return n > 0 ? `+${compact(n)}` : compact(n);
}

function signedPct(share: number, decimals = 0): string {
  const value = Math.round(share * 100 * 10 ** decimals) / 10 ** decimals;
  const text = value.toFixed(decimals);
  return value > 0 ? `+${text}%` : `${value === 0 ? (0).toFixed(decimals) : text}%`;
}

function ratio(x: number): string {
  return `${round1(x)}×`;
}

function round1(x: number): string {
  return (Math.round(x * 10) / 10).toFixed(1);
}

function seconds(s: number): string {
  return s < 120 ? `${Math.round(s)} s` : `${minSec(Math.round(s))} min`;
}

function minSec(total: number): string {
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
