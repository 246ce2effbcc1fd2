/**
 * A sound's trends: what a model (or the heuristic analyst) is asked for, and how its answer becomes the result's
 * `trends` block. The model only names clusters of video ids; every date, count, window, `resurged` and `momentum`
 * is computed here from the evidence videos' real publish dates (domain/sound-lookup.ts), and ids not in the corpus
 * are stripped first.
 */
import { z } from 'zod';
import { cmpStr, heuristicGenerator, type ReportGenerator, type ReportTokens } from './report-text';
import {
  momentum,
  resurged,
  sanitizeEvidence,
  timeWindows,
  type Momentum,
  type SoundLookupVideo,
  type TimeWindow,
} from './sound-lookup';

/** What the analyst answers (the JSON schema sent to a model is derived from this). */
export const soundTrendAnalysisSchema = z.object({
  summary: z.string().min(1).max(1200).describe('plain-language overview of what is happening on the sound'),
  trends: z
    .array(
      z.object({
        name: z.string().min(1).max(80).describe('short label, e.g. "Cinematic montage edits"'),
        description: z.string().min(1).max(600).describe('1–3 sentences on the creative pattern'),
        tactics: z.array(z.string().min(1).max(200)).max(6).describe('concrete production cues a creator could copy'),
        confidence: z.number().min(0).max(1).describe('how clean the cluster is, 0–1'),
        evidence_video_ids: z.array(z.string()).max(300).describe('platform_video_id values of the videos in it'),
      }),
    )
    .max(8),
});
export type SoundTrendAnalysis = z.output<typeof soundTrendAnalysisSchema>;

/** What the analyst reads: the sound and its (diversity-sampled) videos. */
export interface SoundTrendInput {
  sound: { title: string; author_name: string | null; is_original: boolean };
  videos: readonly SoundLookupVideo[];
}

export type SoundTrendGenerator = ReportGenerator<SoundTrendInput, SoundTrendAnalysis>;

export interface SoundTrendItem {
  name: string;
  description: string;
  tactics: string[];
  confidence: number;
  video_count: number;
  evidence_video_ids: string[];
  time_windows: TimeWindow[];
  resurged: boolean;
  momentum: Momentum | null;
}

export interface SoundTrends {
  analyzed: boolean;
  status: 'ok' | 'insufficient_corpus' | 'skipped';
  summary: string;
  trends: SoundTrendItem[];
  model_used: string | null;
  cost_usd: number | null;
  tokens_used: number | null;
}

export const skippedTrends = (): SoundTrends => ({
  analyzed: false,
  status: 'skipped',
  summary: 'Trend analysis was not requested (trend_analysis=false).',
  trends: [],
  model_used: null,
  cost_usd: null,
  tokens_used: null,
});

export const insufficientTrends = (videos: number): SoundTrends => ({
  analyzed: true,
  status: 'insufficient_corpus',
  summary: `Only ${videos} video${videos === 1 ? '' : 's'} use this sound: too few to find trends in. The trend surcharge was not billed.`,
  trends: [],
  model_used: null,
  cost_usd: null,
  tokens_used: null,
});

/**
 * The `trends` block from an analyst's answer: evidence sanitized against the corpus, trends left without evidence
 * dropped, then windows, `resurged` and `momentum` computed from the evidence's publish dates. Trends are ordered by
 * how many videos anchor them.
 */
export function assembleTrends(
  analysis: SoundTrendAnalysis,
  corpus: readonly SoundLookupVideo[],
  generated: { modelUsed: string; tokens: ReportTokens | null },
): SoundTrends {
  const byId = new Map(corpus.map((v) => [v.platform_video_id, v]));
  const ids = new Set(byId.keys());
  const trends = analysis.trends
    .map((t) => {
      const evidence = sanitizeEvidence(t.evidence_video_ids, ids);
      const windows = timeWindows(evidence.map((id) => byId.get(id)!));
      return {
        name: t.name,
        description: t.description,
        tactics: t.tactics,
        confidence: Math.round(t.confidence * 100) / 100,
        video_count: evidence.length,
        evidence_video_ids: evidence,
        time_windows: windows,
        resurged: resurged(windows),
        momentum: momentum(windows),
      };
    })
    .filter((t) => t.video_count > 0)
    .sort((a, b) => b.video_count - a.video_count || cmpStr(a.name, b.name));
  return {
    analyzed: true,
    status: 'ok',
    summary: analysis.summary,
    trends,
    model_used: generated.modelUsed,
    cost_usd: null,
    tokens_used: generated.tokens === null ? null : generated.tokens.prompt + generated.tokens.completion,
  };
}

/** A hashtag needs this many videos of the corpus to be a trend of the heuristic analyst. */
const HEURISTIC_MIN_VIDEOS = 3;
const HEURISTIC_MAX_TRENDS = 5;

/**
 * The deterministic analyst: one trend per hashtag shared by several videos (the most-viewed tags first), its
 * evidence the videos carrying it; a corpus without shared tags gets one trend by the videos' typical length.
 * Confidence is the share of the corpus the cluster covers. It says what it is in `model_used`.
 */
export const heuristicSoundTrendGenerator: SoundTrendGenerator = heuristicGenerator(
  'heuristic-sound-trends-v1',
  ({ sound, videos }) => {
    const tags = new Map<string, { ids: string[]; views: number }>();
    for (const v of videos) {
      for (const tag of new Set(v.hashtags.map((t) => t.toLowerCase()))) {
        const entry = tags.get(tag) ?? { ids: [], views: 0 };
        entry.ids.push(v.platform_video_id);
        entry.views += v.views ?? 0;
        tags.set(tag, entry);
      }
    }
    const clusters = [...tags.entries()]
      .filter(([, e]) => e.ids.length >= HEURISTIC_MIN_VIDEOS)
      .sort(([a, x], [b, y]) => y.views - x.views || cmpStr(a, b))
      .slice(0, HEURISTIC_MAX_TRENDS);
    const share = (n: number) => Math.round((n / Math.max(1, videos.length)) * 100) / 100;
    const trends = clusters.map(([tag, e]) => ({
      name: `#${tag} videos`,
      description: `${e.ids.length} of the ${videos.length} sampled videos pair the sound with #${tag}.`,
      tactics: [`Tag the video #${tag}`, `Use "${sound.title}" as the video's sound`],
      confidence: share(e.ids.length),
      evidence_video_ids: e.ids,
    }));
    if (trends.length === 0 && videos.length > 0) {
      const short = videos.filter((v) => v.duration_seconds !== null && v.duration_seconds < 15);
      const group = short.length * 2 >= videos.length ? short : videos.filter((v) => !short.includes(v));
      trends.push({
        name: short.length * 2 >= videos.length ? 'Short clips under 15 seconds' : 'Clips of 15 seconds or more',
        description: `${group.length} of the ${videos.length} sampled videos share this length.`,
        tactics: ['Match the clip length most uses of the sound have'],
        confidence: share(group.length),
        evidence_video_ids: group.map((v) => v.platform_video_id),
      });
    }
    const owner = sound.is_original ? `original sound by ${sound.author_name ?? 'its uploader'}` : 'licensed track';
    return {
      summary:
        `"${sound.title}" (${owner}) is used by ${videos.length} sampled videos. ` +
        (clusters.length > 0
          ? `The clearest patterns are the hashtags ${clusters.map(([t]) => `#${t}`).join(', ')}.`
          : 'No hashtag is shared widely enough to call a trend; the grouping is by clip length.'),
      trends,
    };
  },
);
