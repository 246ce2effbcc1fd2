/**
 * The deterministic heuristic video analyst: the default video report generator. Every sentence is computed from the
 * video's own counts, its snapshot series (via `videoTrajectory`), the sampled comments (via `commentTone`) and, when
 * known, the creator's median views; hidden metrics are named as hidden, never guessed. Pure: `now` is an input.
 */
import { commentTone, HEURISTIC_MODEL_NAME } from './creator-report';
import { DEFAULT_OUTLIER_THRESHOLD } from './outliers';
import { PLATFORM_NAMES, type Platform } from './platform';
import { trajectoryFlags, videoTrajectory, type TrajectoryMetrics } from './trajectory';
import type { ReportGenerator } from './report-text';
import { cmpStr, compact, heuristicGenerator, joinWords, pct, plural, truncate } from './report-text';
import { DAY_MS } from './time';

/** Same analyst as the creator reports, so `model_used` reads the same. */
export const VIDEO_HEURISTIC_MODEL_NAME: typeof HEURISTIC_MODEL_NAME = 'heuristic-analyst-v1';

/** The seed's `analysis` of a tracked video. */
export interface VideoAnalysis {
  performance: string;
  sentiment: string;
  recommendations: string[];
}

export interface VideoReportInput {
  video: {
    platform: Platform;
    title: string | null;
    published_at: Date | string | null;
    duration_seconds: number | null;
    views: number | null;
    likes: number | null;
    comments: number | null;
    shares: number | null;
    bookmarks: number | null;
  };
  snapshots: readonly {
    snapshot_at: Date | string;
    views: number | null;
    likes?: number | null;
    comments?: number | null;
    shares?: number | null;
    bookmarks?: number | null;
  }[];
  comments: readonly { text: string; likes: number }[];
  creatorMedianViews?: number | null;
  now: Date;
}

/** Anything that can write a video report: this heuristic analyst, or an LLM adapter. */
export type VideoReportGenerator = ReportGenerator<VideoReportInput, VideoAnalysis>;

export const heuristicVideoReportGenerator: VideoReportGenerator = heuristicGenerator(
  VIDEO_HEURISTIC_MODEL_NAME,
  (input: VideoReportInput) => generateVideoReport(input),
);

/**
 * Engagement bands, as (likes + comments + shares) ÷ views: ≥ 10 % exceptional, ≥ 5 % strong, ≥ 2 % typical, below
 * 2 % weak. Short-form platforms commonly sit at 2–5 %; these are this analyst's labels, not a platform benchmark.
 */
export const ENGAGEMENT_BANDS = { exceptional: 0.1, strong: 0.05, typical: 0.02 } as const;

const QUESTION_SHARE = 0.2;
const CRITICAL_SHARE = 0.25;
const SHARE_RATE_HIGH = 0.01;
const SMALL_SAMPLE = 20;

interface Facts {
  views: number | null;
  engagement: { rate: number; counted: string[]; hidden: string[] } | null;
  metrics: TrajectoryMetrics;
  lastGapDays: number | null;
  medianRatio: number | null;
  medianViews: number | null;
}

export function generateVideoReport(input: VideoReportInput): VideoAnalysis {
  const v = input.video;
  const trajectory = videoTrajectory(
    input.snapshots.map((s) => ({ captured_at: s.snapshot_at, views: s.views })),
    { publishedAt: v.published_at, now: input.now },
  );
  const usable = trajectory.snapshots.filter((s) => s.views !== null);
  const lastTwo = usable.slice(-2);
  const views = count(v.views);
  const medianViews = positive(input.creatorMedianViews);
  const facts: Facts = {
    views,
    engagement: engagement(v),
    metrics: trajectory.metrics,
    lastGapDays:
      lastTwo.length === 2
        ? (Date.parse(lastTwo[1]!.captured_at) - Date.parse(lastTwo[0]!.captured_at)) / DAY_MS
        : null,
    medianRatio: views !== null && medianViews !== null ? views / medianViews : null,
    medianViews,
  };
  const comments = sampleTone(input.comments);
  return {
    performance: performance(input, facts),
    sentiment: sentiment(comments, count(v.comments)),
    recommendations: recommendations(input, facts, comments),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// performance

function engagement(v: VideoReportInput['video']): Facts['engagement'] {
  const views = count(v.views);
  if (views === null || views === 0) return null;
  const parts: [string, number | null][] = [
    ['likes', count(v.likes)],
    ['comments', count(v.comments)],
    ['shares', count(v.shares)],
  ];
  const counted = parts.filter((p): p is [string, number] => p[1] !== null);
  if (counted.length === 0) return null;
  return {
    rate: counted.reduce((a, [, n]) => a + n, 0) / views,
    counted: counted.map(([name]) => name),
    hidden: parts.filter((p) => p[1] === null).map(([name]) => name),
  };
}

function band(rate: number): string {
  if (rate >= ENGAGEMENT_BANDS.exceptional) return 'exceptional';
  if (rate >= ENGAGEMENT_BANDS.strong) return 'strong';
  if (rate >= ENGAGEMENT_BANDS.typical) return 'typical';
  return 'weak';
}

function performance(input: VideoReportInput, f: Facts): string {
  const v = input.video;
  const parts: string[] = [];
  const platform = PLATFORM_NAMES[v.platform] ?? v.platform;
  const title = v.title?.trim() ? `"${truncate(v.title.replace(/\s+/g, ' ').trim(), 80)}"` : 'This video';

  const counts: string[] = [];
  const hidden: string[] = [];
  for (const [name, n] of [
    ['views', v.views],
    ['likes', v.likes],
    ['comments', v.comments],
    ['shares', v.shares],
    ['saves', v.bookmarks],
  ] as const) {
    const c = count(n);
    if (c === null) hidden.push(name);
    else counts.push(`${compact(c)} ${name}`);
  }
  const published = v.published_at === null ? NaN : new Date(v.published_at).getTime();
  const ageDays = (input.now.getTime() - published) / DAY_MS;
  const age = Number.isFinite(ageDays) && ageDays >= 0 ? ` ${days(ageDays)} after publishing` : '';
  parts.push(
    counts.length === 0
      ? `${title} on ${platform}: the platform shows none of its counts yet.`
      : `${title} on ${platform}: ${joinWords(counts)}${age}.`,
  );
  if (hidden.length > 0 && counts.length > 0) parts.push(`Hidden by the platform: ${joinWords(hidden)}.`);

  if (f.engagement !== null) {
    const only = f.engagement.hidden.length > 0 ? `, counting only ${joinWords(f.engagement.counted)}` : '';
    parts.push(
      `Engagement rate ${pct(f.engagement.rate, 2)} ((likes + comments + shares) ÷ views${only}), ${band(f.engagement.rate)} for short-form video.`,
    );
  } else if (f.views === 0) {
    parts.push('No views yet, so there is no engagement rate.');
  } else if (f.views === null) {
    parts.push('Without a view count there is no engagement rate.');
  }

  parts.push(...velocity(f));

  if (f.medianRatio !== null && f.medianViews !== null) {
    const verdict =
      f.medianRatio >= DEFAULT_OUTLIER_THRESHOLD
        ? `an outlier (${DEFAULT_OUTLIER_THRESHOLD}× or more)`
        : f.medianRatio >= 1
          ? 'above their typical post'
          : 'below their typical post';
    parts.push(
      `That is ${ratio(f.medianRatio)} the creator's median of ${compact(f.medianViews)} views per post: ${verdict}.`,
    );
  }
  return parts.join(' ');
}

function velocity(f: Facts): string[] {
  const m = f.metrics;
  if (m.n === 0) return ['No snapshot with a view count yet, so velocity is unknown.'];
  if (m.n === 1) return ['One snapshot so far; views/day velocity shows after the next cycle.'];
  if (m.true_vpd === null) {
    return [
      'The view count fell at the latest snapshot (a platform correction); velocity resumes from the corrected count next cycle.',
    ];
  }
  const parts: string[] = [];
  const gap = f.lastGapDays === null ? '' : ` (${days(f.lastGapDays)} apart)`;
  parts.push(
    m.true_vpd < 0
      ? `Views fell by ${compact(-m.true_vpd)}/day between the last two snapshots${gap}, a platform correction.`
      : `Gaining ${compact(m.true_vpd)} views/day between the last two snapshots${gap}.`,
  );
  if (m.accel !== null) {
    if (m.accel === 0) parts.push('Velocity is flat across the last two intervals.');
    else
      parts.push(
        `Velocity is ${m.accel > 0 ? 'rising' : 'falling'} by ${compact(Math.abs(m.accel))} views/day per day across the last two intervals.`,
      );
  }
  const flags = trajectoryFlags(m);
  if (flags.breakout) parts.push('That crosses the breakout threshold.');
  if (flags.peaking) parts.push('Velocity rose and has now turned down: the video is peaking.');
  if (m.lifetime_vpd !== null) {
    const vs =
      m.true_vpd > 0 && m.lifetime_vpd > 0 ? `; current velocity is ${ratio(m.true_vpd / m.lifetime_vpd)} that` : '';
    parts.push(`Lifetime average ${compact(m.lifetime_vpd)} views/day${vs}.`);
  }
  return parts;
}

// ---------------------------------------------------------------------------------------------------------------
// sentiment

interface SampleTone {
  n: number;
  positive: number;
  negative: number;
  amused: number;
  appreciative: number;
  questions: number;
  likeShareOfPositive: number | null;
  top: { text: string; likes: number; kind: string } | null;
}

function sampleTone(raw: readonly { text: string; likes: number }[]): SampleTone {
  const scored = raw
    .filter((c) => c.text.trim() !== '')
    .map((c) => ({ text: c.text, likes: count(c.likes) ?? 0, tone: commentTone(c.text) }));
  const n = scored.length;
  const share = (pred: (s: (typeof scored)[number]) => boolean) => (n === 0 ? 0 : scored.filter(pred).length / n);
  const totalLikes = scored.reduce((a, s) => a + s.likes, 0);
  const top = [...scored].sort((a, b) => b.likes - a.likes || cmpStr(a.text, b.text))[0];
  return {
    n,
    positive: share((s) => s.tone.score > 0),
    negative: share((s) => s.tone.score < 0),
    amused: share((s) => s.tone.amused),
    appreciative: share((s) => s.tone.appreciative),
    questions: share((s) => s.tone.question),
    likeShareOfPositive:
      totalLikes > 0 ? scored.filter((s) => s.tone.score > 0).reduce((a, s) => a + s.likes, 0) / totalLikes : null,
    top:
      top === undefined
        ? null
        : {
            text: truncate(top.text.replace(/\s+/g, ' ').trim(), 140),
            likes: top.likes,
            kind: top.tone.score > 0 ? 'positive' : top.tone.score < 0 ? 'negative' : 'neutral',
          },
  };
}

function sentiment(s: SampleTone, totalComments: number | null): string {
  if (s.n === 0) {
    return totalComments === 0
      ? 'No comments on the video yet, so audience sentiment cannot be assessed.'
      : 'No comments sampled, so audience sentiment cannot be assessed.';
  }
  const neutral = Math.max(0, 1 - s.positive - s.negative);
  let tone: string;
  if (neutral >= 0.6) tone = 'Mostly neutral';
  else if (s.positive >= 0.6 && s.negative <= 0.1) tone = 'Overwhelmingly positive';
  else if (s.negative >= 0.5 && s.positive <= 0.15) tone = 'Overwhelmingly negative';
  else if (s.positive >= 2 * s.negative) tone = 'Positive';
  else if (s.negative >= 2 * s.positive) tone = 'Negative';
  else tone = 'Mixed';
  const of = totalComments !== null && totalComments >= s.n ? ` of ${compact(totalComments)}` : '';
  const parts = [
    `${tone} across ${plural(s.n, 'sampled comment')}${of}: ${pct(s.positive)} positive, ${pct(s.negative)} negative, ` +
      `${pct(neutral)} neutral by a keyword-and-emoji lexicon.`,
  ];
  if (s.likeShareOfPositive !== null)
    parts.push(`${pct(s.likeShareOfPositive)} of comment likes go to positive comments.`);
  if (s.amused >= 0.15) parts.push(`${pct(s.amused)} react with laughter.`);
  if (s.appreciative >= 0.15) parts.push(`${pct(s.appreciative)} thank or praise the creator.`);
  if (s.questions >= QUESTION_SHARE) parts.push(`${pct(s.questions)} ask a question.`);
  if (s.top !== null && s.top.likes > 0) {
    parts.push(`Most-liked comment (${compact(s.top.likes)} likes, ${s.top.kind}): "${s.top.text}".`);
  }
  if (s.n < SMALL_SAMPLE) parts.push(`The sample is small (${s.n}), so treat these shares as rough.`);
  return parts.join(' ');
}

// ---------------------------------------------------------------------------------------------------------------
// recommendations

function recommendations(input: VideoReportInput, f: Facts, s: SampleTone): string[] {
  const m = f.metrics;
  const flags = trajectoryFlags(m);
  const out: string[] = [];

  if (f.medianRatio !== null && f.medianRatio >= DEFAULT_OUTLIER_THRESHOLD) {
    out.push(
      `Leverage this format: at ${ratio(f.medianRatio)} the creator's median views it is an outlier worth repeating (same hook, length and topic).`,
    );
  }
  if (flags.accelerating || flags.breakout) {
    out.push(
      `Act while momentum builds (${compact(m.true_vpd ?? 0)} views/day): reply to top comments and post a follow-up within days.`,
    );
  } else if (flags.peaking) {
    out.push('It is peaking now: pin a comment pointing to related videos to carry the traffic over before it fades.');
  } else if (m.accel !== null && m.accel < 0 && m.true_vpd !== null && m.true_vpd >= 0) {
    const cooling =
      m.lifetime_vpd !== null && m.lifetime_vpd > 0 && m.true_vpd < m.lifetime_vpd
        ? ` and below its lifetime average of ${compact(m.lifetime_vpd)}/day`
        : '';
    out.push(
      `Growth is slowing (${compact(m.true_vpd)} views/day${cooling}): a longer cadence or adaptive tracking follows it for fewer credits.`,
    );
  }

  if (f.engagement !== null) {
    const rate = f.engagement.rate;
    if (rate < ENGAGEMENT_BANDS.typical) {
      out.push(
        `Engagement of ${pct(rate, 2)} is below ${pct(ENGAGEMENT_BANDS.typical)}: test a stronger first seconds and an explicit prompt to comment.`,
      );
    } else if (rate >= ENGAGEMENT_BANDS.strong) {
      out.push(`Engagement of ${pct(rate, 2)} is ${band(rate)}: reuse this hook and call to action.`);
    }
  }
  const shares = count(input.video.shares);
  if (shares !== null && f.views !== null && f.views > 0 && shares / f.views >= SHARE_RATE_HIGH) {
    out.push(
      `Shares are ${pct(shares / f.views, 2)} of views: people pass this on, so make the next one just as easy to send.`,
    );
  }
  if (s.n > 0 && s.questions >= QUESTION_SHARE) {
    out.push(`${pct(s.questions)} of sampled comments ask a question: answer them in a reply video or pinned comment.`);
  }
  if (s.n > 0 && s.negative >= CRITICAL_SHARE) {
    out.push(
      `${pct(s.negative)} of sampled comments are negative: read them for a fixable complaint before reposting.`,
    );
  }
  if (m.n < 3) {
    const more = 3 - m.n;
    out.push(`Let ${plural(more, 'more tracking cycle')} run before judging acceleration (it needs 3 snapshots).`);
  }
  if (out.length === 0) {
    out.push('Nothing stands out yet: keep tracking and compare again once velocity changes.');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// small helpers (locale-independent so the text is identical on every machine)

function count(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

function positive(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
}

function ratio(x: number): string {
  return `${(Math.round(x * 10) / 10).toFixed(1)}×`;
}

function days(d: number): string {
  if (d < 1) {
    const hours = Math.round(d * 24);
    return hours === 1 ? '1 hour' : `${hours} hours`;
  }
  const r = Math.round(d * 10) / 10;
  return `${r.toFixed(1)} days`;
}
