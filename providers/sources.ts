/** The providers and report writers a worker runs with, built from configuration (see domain/sources.ts). */
import { register, type Registry } from 'prom-client';
import type { Config } from '../domain/config';
import { heuristicCreatorReportGenerator, type CreatorReportGenerator } from '../domain/creator-report';
import { PLATFORM_NAMES, PLATFORMS, ProviderError, type Platform, type PlatformProvider } from '../domain/platform';
import { heuristicSoundTrendGenerator, type SoundTrendGenerator } from '../domain/sound-trends';
import { sourcePlan, type SourcePlan } from '../domain/sources';
import { heuristicVideoReportGenerator, type VideoReportGenerator } from '../domain/video-report';
import { ApifyProvider } from './apify';
import { commentsOfPosts } from './comments';
import { llmCreatorReportGenerator, llmSoundTrendGenerator, llmVideoReportGenerator } from './llm-reports';
import { SimulatedProvider } from './simulated';
import { Upstream } from './upstream';
import { YouTubeProvider } from './youtube';

/** Sends each platform's calls to the provider configured for it. */
export class PlatformRouter implements PlatformProvider {
  readonly name: string;

  constructor(private readonly byPlatform: Readonly<Record<Platform, PlatformProvider>>) {
    this.name = PLATFORMS.map((p) => `${p}:${byPlatform[p].name}`).join(',');
  }

  getProfile: PlatformProvider['getProfile'] = (platform, ...rest) =>
    this.byPlatform[platform].getProfile(platform, ...rest);
  listPosts: PlatformProvider['listPosts'] = (platform, ...rest) =>
    this.byPlatform[platform].listPosts(platform, ...rest);
  getPost: PlatformProvider['getPost'] = (platform, ...rest) => this.byPlatform[platform].getPost(platform, ...rest);
  listComments: PlatformProvider['listComments'] = (platform, ...rest) =>
    this.byPlatform[platform].listComments(platform, ...rest);
  listFollowers: PlatformProvider['listFollowers'] = (platform, ...rest) =>
    this.byPlatform[platform].listFollowers(platform, ...rest);
  /** a platform whose provider reads comments in batches does so; the others page post by post */
  listCommentsOfPosts: NonNullable<PlatformProvider['listCommentsOfPosts']> = (platform, posts, opts) =>
    commentsOfPosts(this.byPlatform[platform], platform, posts, opts.perPost);
  /** sounds are optional: a platform whose source has none answers `blocked`, as a platform without sounds does */
  getSound: NonNullable<PlatformProvider['getSound']> = async (platform, musicId) =>
    this.soundSource(platform, 'getSound').getSound!(platform, musicId);
  listSoundVideos: NonNullable<PlatformProvider['listSoundVideos']> = async (platform, musicId, opts) =>
    this.soundSource(platform, 'listSoundVideos').listSoundVideos!(platform, musicId, opts);

  private soundSource(platform: Platform, method: 'getSound' | 'listSoundVideos'): PlatformProvider {
    const source = this.byPlatform[platform];
    if (typeof source[method] !== 'function') {
      throw new ProviderError('blocked', `${PLATFORM_NAMES[platform]} sounds are not available from ${source.name}`);
    }
    return source;
  }
}

export interface Sources {
  plan: SourcePlan;
  provider: PlatformProvider;
  creatorReports: CreatorReportGenerator;
  videoReports: VideoReportGenerator;
  soundTrends: SoundTrendGenerator;
  /** the real upstreams in use, for metering and shutdown */
  upstreams: Upstream[];
}

type SourceConfig = Pick<
  Config,
  | 'DATA_SOURCE'
  | 'YOUTUBE_API_KEY'
  | 'YOUTUBE_API_BASE_URL'
  | 'YOUTUBE_CONCURRENCY'
  | 'YOUTUBE_REQUESTS_PER_MINUTE'
  | 'APIFY_TOKEN'
  | 'APIFY_API_BASE_URL'
  | 'APIFY_TIKTOK_ACTOR'
  | 'APIFY_TIKTOK_COMMENTS_ACTOR'
  | 'APIFY_TIKTOK_SOUND_ACTOR'
  | 'APIFY_INSTAGRAM_PROFILE_ACTOR'
  | 'APIFY_INSTAGRAM_POST_ACTOR'
  | 'APIFY_INSTAGRAM_COMMENT_ACTOR'
  | 'APIFY_TIKTOK_FOLLOWERS_ACTOR'
  | 'APIFY_RUN_TIMEOUT_SECONDS'
  | 'APIFY_CONCURRENCY'
  | 'APIFY_RUNS_PER_MINUTE'
  | 'OPENAI_API_KEY'
  | 'OPENAI_BASE_URL'
  | 'OPENAI_MODEL'
  | 'OPENAI_TIMEOUT_SECONDS'
  | 'OPENAI_CONCURRENCY'
  | 'OPENAI_REQUESTS_PER_MINUTE'
  | 'UPSTREAM_TIMEOUT_SECONDS'
>;

/**
 * Builds what the configuration asks for. Credentials stay here, in the worker's activity dependencies: they never
 * enter workflow inputs, results or histories. `simulated` is used for platforms without credentials (and may be
 * given, so tests can inject faults into it).
 */
export function createSources(
  config: SourceConfig,
  options: {
    registry?: Registry;
    simulated?: PlatformProvider;
    /** the signal of the work each upstream call serves: the worker passes the running activity's cancellation */
    ambientSignal?: () => AbortSignal | undefined;
  } = {},
): Sources {
  const plan = sourcePlan(config);
  const registry = options.registry ?? register;
  const simulated = options.simulated ?? new SimulatedProvider();
  const upstreams: Upstream[] = [];
  const upstream = (source: string, concurrency: number, perMinute: number, timeoutMs: number): Upstream => {
    const created = new Upstream(source, { concurrency, perMinute, timeoutMs }, registry, options.ambientSignal);
    upstreams.push(created);
    return created;
  };

  let youtube: PlatformProvider = simulated;
  if (plan.platforms.youtube === 'youtube-data-api') {
    youtube = new YouTubeProvider({
      apiKey: config.YOUTUBE_API_KEY as string,
      baseUrl: config.YOUTUBE_API_BASE_URL,
      upstream: upstream(
        'youtube',
        config.YOUTUBE_CONCURRENCY,
        config.YOUTUBE_REQUESTS_PER_MINUTE,
        config.UPSTREAM_TIMEOUT_SECONDS * 1000,
      ),
    });
  }
  let apify: PlatformProvider = simulated;
  if (plan.platforms.tiktok === 'apify') {
    apify = new ApifyProvider({
      token: config.APIFY_TOKEN as string,
      baseUrl: config.APIFY_API_BASE_URL,
      actors: {
        tiktok: config.APIFY_TIKTOK_ACTOR,
        tiktokComments: config.APIFY_TIKTOK_COMMENTS_ACTOR,
        tiktokSound: config.APIFY_TIKTOK_SOUND_ACTOR,
        instagramProfile: config.APIFY_INSTAGRAM_PROFILE_ACTOR,
        instagramPosts: config.APIFY_INSTAGRAM_POST_ACTOR,
        instagramComments: config.APIFY_INSTAGRAM_COMMENT_ACTOR,
        ...(config.APIFY_TIKTOK_FOLLOWERS_ACTOR ? { tiktokFollowers: config.APIFY_TIKTOK_FOLLOWERS_ACTOR } : {}),
      },
      runTimeoutSeconds: config.APIFY_RUN_TIMEOUT_SECONDS,
      // an actor run's own deadline, plus time to start it and read its dataset
      upstream: upstream(
        'apify',
        config.APIFY_CONCURRENCY,
        config.APIFY_RUNS_PER_MINUTE,
        (config.APIFY_RUN_TIMEOUT_SECONDS + config.UPSTREAM_TIMEOUT_SECONDS) * 1000,
      ),
    });
  }

  let creatorReports: CreatorReportGenerator = heuristicCreatorReportGenerator;
  let videoReports: VideoReportGenerator = heuristicVideoReportGenerator;
  let soundTrends: SoundTrendGenerator = heuristicSoundTrendGenerator;
  if (plan.reports.generator === 'openai-compatible') {
    const llm = {
      apiKey: config.OPENAI_API_KEY,
      baseUrl: config.OPENAI_BASE_URL,
      model: config.OPENAI_MODEL,
      timeoutMs: config.OPENAI_TIMEOUT_SECONDS * 1000,
      upstream: upstream(
        'llm',
        config.OPENAI_CONCURRENCY,
        config.OPENAI_REQUESTS_PER_MINUTE,
        config.OPENAI_TIMEOUT_SECONDS * 1000,
      ),
    };
    creatorReports = llmCreatorReportGenerator(llm);
    videoReports = llmVideoReportGenerator(llm);
    soundTrends = llmSoundTrendGenerator(llm);
  }

  const provider =
    youtube === simulated && apify === simulated
      ? simulated
      : new PlatformRouter({ tiktok: apify, youtube, instagram: apify });
  return { plan, provider, creatorReports, videoReports, soundTrends, upstreams };
}
