import { Registry } from 'prom-client';
import { ConfigError, parseConfig, parseSourceConfig } from '../../domain/config';
import { describeSources, OFFLINE_SOURCES, sourcePlan } from '../../domain/sources';
import { ApifyProvider } from '../../providers/apify';
import { SimulatedProvider } from '../../providers/simulated';
import { createSources, PlatformRouter } from '../../providers/sources';
import { YouTubeProvider } from '../../providers/youtube';

const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };

describe('choosing data sources from configuration', () => {
  it('is entirely simulated with no settings', () => {
    const config = parseConfig(base);
    expect(sourcePlan(config)).toEqual(OFFLINE_SOURCES);
    const sources = createSources(config, { registry: new Registry() });
    expect(sources.provider).toBeInstanceOf(SimulatedProvider);
    expect(sources.upstreams).toEqual([]);
    expect(sources.creatorReports.name).toBe('heuristic-analyst-v1');
  });

  it('serves YouTube from the Data API once a key is set, the rest stays simulated', () => {
    const config = parseConfig({ ...base, YOUTUBE_API_KEY: 'yt-key' });
    expect(sourcePlan(config).platforms).toEqual({
      tiktok: 'simulated',
      youtube: 'youtube-data-api',
      instagram: 'simulated',
    });
    const sources = createSources(config, { registry: new Registry() });
    expect(sources.provider).toBeInstanceOf(PlatformRouter);
    expect(sources.provider.name).toBe('tiktok:simulated,youtube:youtube-data-api,instagram:simulated');
    expect(sources.upstreams.map((u) => u.source)).toEqual(['youtube']);
  });

  it('serves TikTok and Instagram through Apify with a token, and reports from a model with a key or base URL', () => {
    const config = parseConfig({ ...base, APIFY_TOKEN: 'apify-token', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' });
    const plan = sourcePlan(config);
    expect(plan.platforms).toEqual({ tiktok: 'apify', youtube: 'simulated', instagram: 'apify' });
    expect(plan.reports).toEqual({
      generator: 'openai-compatible',
      model: 'gpt-4o-mini',
      base_url: 'http://127.0.0.1:11434/v1',
    });
    const sources = createSources(config, { registry: new Registry() });
    expect(sources.upstreams.map((u) => u.source)).toEqual(['apify', 'llm']);
    expect(sources.provider.name).toBe('tiktok:apify,youtube:simulated,instagram:apify');
    expect(describeSources(plan)).toBe(
      'tiktok: apify · youtube: simulated · instagram: apify · reports: gpt-4o-mini at http://127.0.0.1:11434/v1',
    );
  });

  it('routes each platform to its provider', async () => {
    const config = parseConfig({ ...base, YOUTUBE_API_KEY: 'k', APIFY_TOKEN: 't' });
    const simulated = new SimulatedProvider();
    const sources = createSources(config, { registry: new Registry(), simulated });
    const router = sources.provider as PlatformRouter;
    expect(router).toBeInstanceOf(PlatformRouter);
    expect((router as unknown as { byPlatform: Record<string, unknown> }).byPlatform.youtube).toBeInstanceOf(
      YouTubeProvider,
    );
    expect((router as unknown as { byPlatform: Record<string, unknown> }).byPlatform.tiktok).toBeInstanceOf(
      ApifyProvider,
    );
    const offline = createSources(parseConfig({ ...base, APIFY_TOKEN: 't' }), { registry: new Registry(), simulated });
    // YouTube stays on the simulated provider given, so its numbers are the simulated ones
    await expect(offline.provider.getProfile('youtube', 'somechannel')).resolves.toEqual(
      await simulated.getProfile('youtube', 'somechannel'),
    );
  });

  it('forwards sound lookups to the platform’s provider, and a provider without sounds answers `blocked`', async () => {
    const simulated = new SimulatedProvider();
    const sources = createSources(parseConfig({ ...base, YOUTUBE_API_KEY: 'k' }), {
      registry: new Registry(),
      simulated,
    });
    expect(sources.provider).toBeInstanceOf(PlatformRouter);
    const id = '7570679470014532374';
    await expect(sources.provider.getSound!('tiktok', id)).resolves.toEqual(await simulated.getSound('tiktok', id));
    const page = await sources.provider.listSoundVideos!('tiktok', id, { limit: 5 });
    expect(page).toEqual(await simulated.listSoundVideos('tiktok', id, { limit: 5 }));
    expect(page.videos).toHaveLength(5);
    // the YouTube Data API has no sounds
    await expect(sources.provider.getSound!('youtube', id)).rejects.toMatchObject({ kind: 'blocked' });
    await expect(sources.provider.listSoundVideos!('youtube', id, { limit: 5 })).rejects.toMatchObject({
      kind: 'blocked',
    });
  });

  it('finds sound trends with the configured model, and with the named heuristic analyst offline', () => {
    expect(createSources(parseConfig(base), { registry: new Registry() }).soundTrends.name).toBe(
      'heuristic-sound-trends-v1',
    );
    const llm = createSources(parseConfig({ ...base, OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }), {
      registry: new Registry(),
    });
    expect(llm.soundTrends.name).toBe('gpt-4o-mini');
  });

  it('keeps everything offline with DATA_SOURCE=simulated whatever else is set', () => {
    const config = parseConfig({
      ...base,
      DATA_SOURCE: 'simulated',
      YOUTUBE_API_KEY: 'k',
      APIFY_TOKEN: 't',
      OPENAI_API_KEY: 'o',
    });
    expect(sourcePlan(config)).toEqual(OFFLINE_SOURCES);
  });

  it('never shows credentials or query strings of a model URL', () => {
    const plan = sourcePlan(
      parseConfig({
        ...base,
        OPENAI_BASE_URL: 'https://user:secret@llm.example.com/v1?api-key=abc',
        OPENAI_MODEL: 'm',
      }),
    );
    expect(JSON.stringify(plan)).not.toMatch(/secret|abc/);
    expect(plan.reports).toMatchObject({ base_url: 'https://llm.example.com/v1' });
  });

  it('refuses bad source settings with the variable named, and needs no database to check sources', () => {
    expect(() => parseConfig({ ...base, DATA_SOURCE: 'live' })).toThrow(/DATA_SOURCE/);
    expect(() => parseConfig({ ...base, APIFY_API_BASE_URL: 'ftp://x' })).toThrow(/APIFY_API_BASE_URL/);
    expect(() => parseConfig({ ...base, APIFY_RUN_TIMEOUT_SECONDS: '0' })).toThrow(ConfigError);
    expect(parseSourceConfig({ YOUTUBE_API_KEY: 'k' }).YOUTUBE_API_BASE_URL).toBe(
      'https://www.googleapis.com/youtube/v3',
    );
  });
});

describe('source deadlines', () => {
  it('refuses settings under which a platform step could never finish inside its activity', () => {
    const apify = { ...base, APIFY_TOKEN: 't' };
    // two actor runs of 330 s each cannot fit in 600 s
    expect(() => parseConfig({ ...apify, APIFY_RUN_TIMEOUT_SECONDS: '300' })).toThrow(
      /platform step take 660 s, more than the 600 s/,
    );
    // one run and two model calls: 150 + 2 × 240
    expect(() => parseConfig({ ...apify, OPENAI_BASE_URL: 'http://m/v1', OPENAI_TIMEOUT_SECONDS: '240' })).toThrow(
      /take 630 s/,
    );
    expect(() => parseConfig({ ...apify, OPENAI_BASE_URL: 'http://m/v1' })).not.toThrow();
    // sources not in use do not count
    expect(() =>
      parseConfig({ ...base, APIFY_RUN_TIMEOUT_SECONDS: '300', OPENAI_TIMEOUT_SECONDS: '600' }),
    ).not.toThrow();
  });
});
