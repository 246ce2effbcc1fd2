import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apifyWorld, APIFY_TEST_TOKEN, fakeApify, WORLD_TIKTOK_HANDLE } from '../helpers/fake-apify';
import { FAKE_MODEL, fakeOpenAi } from '../helpers/fake-openai';
import { FakeUpstream } from '../helpers/fake-upstream';
import { FAKE_YOUTUBE_API_KEY, fakeYouTube, youtubeWorld } from '../helpers/fake-youtube';
import { apiClient, eventually } from '../helpers/http';
import { start, startEnv, stop } from '../helpers/start-script';

const creatorAnalysis = JSON.parse(
  JSON.parse(readFileSync(path.join(__dirname, '../fixtures/openai/creator-report.json'), 'utf8')).choices[0].message
    .content,
) as unknown;

/**
 * What a user does to track real creators: `npm start` with the YOUTUBE_*, APIFY_* and OPENAI_* settings (here
 * pointed at local servers speaking those APIs) and the demo key it prints.
 */
describe('npm start on real sources', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'creator-tracker-real-'));
  chmodSync(dataDir, 0o755);
  const youtube = youtubeWorld({ now: new Date() });
  const apify = apifyWorld();
  const servers = [
    new FakeUpstream(fakeYouTube(youtube)),
    new FakeUpstream(fakeApify(apify)),
    new FakeUpstream(fakeOpenAi({ kind: 'report', analysis: creatorAnalysis })),
  ] as const;
  beforeAll(() => Promise.all(servers.map((s) => s.start())));
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('tracks a YouTube channel and a TikTok creator with the upstreams’ numbers and the model’s text', async () => {
    const { env, apiPort } = await startEnv(dataDir, {
      YOUTUBE_API_KEY: FAKE_YOUTUBE_API_KEY,
      YOUTUBE_API_BASE_URL: `${servers[0].url}/youtube/v3`,
      APIFY_TOKEN: APIFY_TEST_TOKEN,
      APIFY_API_BASE_URL: servers[1].url,
      OPENAI_API_KEY: 'sk-local',
      OPENAI_BASE_URL: `${servers[2].url}/v1`,
      OPENAI_MODEL: 'llama3.1',
    });
    const started = await start(env);
    try {
      expect(started.output()).toContain(
        `Data:         tiktok: apify · youtube: youtube-data-api · instagram: apify · reports: llama3.1 at ${servers[2].url}/v1`,
      );
      const api = apiClient(`http://127.0.0.1:${apiPort}`, started.key);
      const firstCycle = async (platform: string, handle: string) => {
        const created = await api.post('/v1/tracking/creators', { platform, handle });
        expect(created.status).toBe(202);
        const id = created.body.data.id as string;
        return eventually(
          `${platform} @${handle}`,
          async () => {
            const res = await api.get(`/v1/tracking/creators/${id}`);
            return res.body.data.enrichment_status === 'pending' ? undefined : res.body.data;
          },
          30_000,
        );
      };

      const channel = youtube.channels[0]!;
      const yt = await firstCycle('youtube', channel.handle);
      expect(yt).toMatchObject({ enrichment_status: 'ready', latest_followers: channel.subscriberCount });
      const ytSnapshot = (await api.get(`/v1/tracking/creators/${yt.id}/snapshots`)).body.data[0];
      expect(ytSnapshot).toMatchObject({ total_views: channel.viewCount, total_videos: channel.videos.length });
      const ytReport = (await api.get(`/v1/tracking/creators/${yt.id}/report`)).body.data.report;
      expect(ytReport).toMatchObject({ model_used: FAKE_MODEL, analysis: creatorAnalysis });

      const tiktok = apify.tiktok[WORLD_TIKTOK_HANDLE]!;
      const tt = await firstCycle('tiktok', WORLD_TIKTOK_HANDLE);
      expect(tt).toMatchObject({ enrichment_status: 'ready', latest_followers: tiktok.authorMeta.fans });
      const ttPosts = (await api.get(`/v1/tracking/creators/${tt.id}/posts?limit=5`)).body.data;
      expect(ttPosts.map((p: { views: number }) => p.views)).toEqual(
        tiktok.videos.slice(0, 5).map((v) => Number(v.playCount)),
      );

      const before = (await api.get('/v1/account')).body.data;
      const unknown = await firstCycle('youtube', 'nosuchchannel');
      expect(unknown).toMatchObject({ enrichment_status: 'failed', last_failure: { kind: 'deleted' } });
      const refunds = await eventually('the refund', async () => {
        const usage = await api.get(`/v1/usage?resource_id=${unknown.id}`);
        const rows = usage.body.data as { cost: number }[];
        return rows.some((r) => r.cost < 0) ? rows : undefined;
      });
      expect(refunds.reduce((sum, r) => sum + r.cost, 0)).toBe(0);
      expect((await api.get('/v1/account')).body.data.balance).toBe(before.balance);
    } finally {
      expect(await stop(started)).toBe(0);
    }
  }, 180_000);
});
