/** Which data source serves each platform and who writes reports, as the configuration says. Pure. */
import type { Config } from './config';
import type { Platform } from './platform';

export type PlatformSource = 'simulated' | 'youtube-data-api' | 'apify';

export type ReportSource =
  { generator: 'heuristic' } | { generator: 'openai-compatible'; model: string; base_url: string };

export interface SourcePlan {
  platforms: Record<Platform, PlatformSource>;
  reports: ReportSource;
}

/** Every platform simulated, reports by the heuristic analyst: what a process with no source settings runs. */
export const OFFLINE_SOURCES: SourcePlan = {
  platforms: { tiktok: 'simulated', youtube: 'simulated', instagram: 'simulated' },
  reports: { generator: 'heuristic' },
};

type SourceSettings = Pick<
  Config,
  'DATA_SOURCE' | 'YOUTUBE_API_KEY' | 'APIFY_TOKEN' | 'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'OPENAI_MODEL'
>;

const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * A platform is real once its credentials are set: `YOUTUBE_API_KEY` for YouTube, `APIFY_TOKEN` for TikTok and
 * Instagram; reports come from a model once `OPENAI_API_KEY` or `OPENAI_BASE_URL` is set. `DATA_SOURCE=simulated`
 * keeps everything offline (simulated platforms and the heuristic analyst) whatever else is set.
 */
export function sourcePlan(config: SourceSettings): SourcePlan {
  const offline = config.DATA_SOURCE === 'simulated';
  const apify: PlatformSource = !offline && config.APIFY_TOKEN ? 'apify' : 'simulated';
  const model = !offline && (config.OPENAI_API_KEY !== undefined || config.OPENAI_BASE_URL !== undefined);
  return {
    platforms: {
      tiktok: apify,
      youtube: !offline && config.YOUTUBE_API_KEY ? 'youtube-data-api' : 'simulated',
      instagram: apify,
    },
    reports: model
      ? {
          generator: 'openai-compatible',
          model: config.OPENAI_MODEL,
          base_url: withoutCredentials(config.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL),
        }
      : { generator: 'heuristic' },
  };
}

/** A URL fit to print: user, password and query (where keys hide) removed. */
function withoutCredentials(raw: string): string {
  const url = new URL(raw);
  url.username = '';
  url.password = '';
  url.search = '';
  return url.toString().replace(/\/$/, '');
}

/** One line for banners and logs: `tiktok: apify · youtube: simulated · instagram: apify · reports: gpt-4o-mini`. */
export function describeSources(plan: SourcePlan): string {
  const platforms = Object.entries(plan.platforms).map(([platform, source]) => `${platform}: ${source}`);
  const reports =
    plan.reports.generator === 'heuristic'
      ? 'reports: heuristic analyst'
      : `reports: ${plan.reports.model} at ${plan.reports.base_url}`;
  return [...platforms, reports].join(' · ');
}
