import { randomUUID } from 'node:crypto';
import { trackAndFinalize } from '../helpers/creators';
import { requireEnv } from '../helpers/env';
import { recordHistory } from '../helpers/histories';
import { eventually } from '../helpers/http';
import { stackForSuite } from '../helpers/stack';
import { ledgerOf, teamClient } from '../helpers/teams';

const TIKTOK = (id: string) => `https://www.tiktok.com/@khaby.lame/video/${id}`;
const tiktokId = () =>
  ((BigInt(Math.floor(Date.now() / 1000) - 86_400) << 32n) | BigInt(Math.floor(Math.random() * 1e9))).toString();

describe('videos API over HTTP against the real stack', () => {
  const suite = stackForSuite();

  it('follows the Video Performance Tracking recipe: track, snapshots, report, trajectory, adaptive, pause, delete', async () => {
    const { api, teamId } = await teamClient(suite.stack);
    const videoId = tiktokId();
    const { id, created, detail } = await trackAndFinalize(api, '/v1/tracking/videos', {
      url: TIKTOK(videoId),
      platform: 'tiktok',
      scrape_cadence: 'six_hours',
    });
    expect(created).toMatchObject({ id, status: 'active', finalized: false });
    expect(detail).toMatchObject({
      id,
      platform: 'tiktok',
      platform_video_id: videoId,
      url: TIKTOK(videoId),
      author_handle: 'khaby.lame',
      status: 'active',
      scrape_cadence: 'six_hours',
      enrichment_status: 'ready',
      finalized: true,
      pending_jobs: [],
    });
    expect(typeof detail.latest_views).toBe('number');
    expect(typeof detail.title).toBe('string');

    const snapshots = await api.get(`/v1/tracking/videos/${id}/snapshots`);
    expect(snapshots.body.data).toHaveLength(1);
    expect(Object.keys(snapshots.body.data[0]).sort()).toEqual(
      [
        'id',
        'tracking_video_id',
        'views',
        'likes',
        'comments',
        'shares',
        'bookmarks',
        'snapshot_at',
        'delta_views',
        'delta_likes',
        'delta_comments',
        'delta_shares',
        'delta_bookmarks',
      ].sort(),
    );
    expect(snapshots.body.data[0].delta_views).toBeNull();

    const report = await api.get(`/v1/tracking/videos/${id}/report`);
    expect(report.body.data.video).toMatchObject({ id, platform: 'tiktok' });
    expect(report.body.data.analysis).toEqual({
      performance: expect.any(String),
      sentiment: expect.any(String),
      recommendations: expect.any(Array),
    });
    expect(report.body.data.analysis_updated_at).toEqual(expect.any(String));

    const trajectory = await api.get(`/v1/tracking/videos/${id}/trajectory`);
    expect(trajectory.status).toBe(200);
    expect(trajectory.body.data).toMatchObject({
      platform: 'tiktok',
      video_id: videoId,
      metrics: { n: 1, true_vpd: null, accel: null, peaking: false },
    });
    expect(trajectory.body.data.snapshots).toEqual([
      { captured_at: expect.any(String), views: detail.latest_views, views_per_day: null },
    ]);

    const adaptive = await api.patch(`/v1/tracking/videos/${id}`, { scrape_cadence: 'adaptive' });
    expect(adaptive.status).toBe(200);
    expect(adaptive.body.data).toMatchObject({ scrape_cadence: 'adaptive', status: 'active' });
    expect(Date.parse(adaptive.body.data.next_scrape_at) - Date.parse(detail.last_scraped_at)).toBe(3600_000);

    const paused = await api.patch(`/v1/tracking/videos/${id}`, { status: 'paused' });
    expect(paused.body.data).toMatchObject({ status: 'paused', next_scrape_at: null });

    expect((await api.delete(`/v1/tracking/videos/${id}`)).status).toBe(204);
    expect((await api.get('/v1/tracking/videos')).body.data.map((v: any) => v.id)).not.toContain(id);
    expect((await api.get(`/v1/tracking/videos/${id}`)).body.data.status).toBe('stopped');
    expect((await api.get(`/v1/tracking/videos/${id}/snapshots`)).body.data).toHaveLength(1);
    expect((await ledgerOf(suite.stack.pool, teamId)).balance).toBe(10_000 - 25);
    await eventually('workflow completion', async () => {
      const d = await suite.stack.client.workflow.getHandle(`video:${id}`).describe();
      return d.status.name === 'COMPLETED' ? d : undefined;
    });
    recordHistory(requireEnv('TEMPORAL_ADDRESS'), `video:${id}`, 'video-lifecycle');
  });

  it('parses TikTok, YouTube and Instagram video URLs and refuses anything else with 400', async () => {
    const { api } = await teamClient(suite.stack);
    for (const [platform, url] of [
      ['youtube', 'https://www.youtube.com/watch?v=dQw4w9WgXcQ'],
      ['youtube', 'https://youtu.be/oHg5SJYRHA0'],
      ['youtube', 'https://www.youtube.com/shorts/abcdefghijk'],
      ['instagram', 'https://www.instagram.com/reel/C1a2b3c4d5E/'],
      ['instagram', 'https://www.instagram.com/p/B9x8y7z6w5V/'],
    ]) {
      const res = await api.post('/v1/tracking/videos', { url, platform });
      expect([res.status, res.body.data?.status]).toEqual([202, 'active']);
    }
    for (const [platform, url] of [
      ['tiktok', 'https://www.tiktok.com/@khaby.lame'],
      ['tiktok', 'https://example.com/video/1'],
      ['youtube', TIKTOK(tiktokId())],
      ['instagram', 'https://www.instagram.com/explore/'],
      ['tiktok', 'javascript:alert(1)'],
    ]) {
      const res = await api.post('/v1/tracking/videos', { url, platform });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    expect((await api.post('/v1/tracking/videos', { url: TIKTOK(tiktokId()) })).status).toBe(400);
    expect(
      (await api.post('/v1/tracking/videos', { url: TIKTOK(tiktokId()), platform: 'tiktok', scrape_cadence: 'hourly' }))
        .status,
    ).toBe(400);
  });

  it('returns the existing video when tracked twice, and links only to the team’s own creators', async () => {
    const owner = await teamClient(suite.stack);
    const stranger = await teamClient(suite.stack);
    const url = TIKTOK(tiktokId());
    const { id } = await trackAndFinalize(owner.api, '/v1/tracking/videos', { url, platform: 'tiktok' });
    const again = await owner.api.post('/v1/tracking/videos', { url, platform: 'tiktok' });
    expect(again.status).toBe(200);
    expect(again.body.data.id).toBe(id);
    expect((await ledgerOf(suite.stack.pool, owner.teamId)).entries.filter((e) => e.kind === 'reserve')).toHaveLength(
      1,
    );

    const creator = await owner.api.post('/v1/tracking/creators', { platform: 'tiktok', handle: 'khaby.lame' });
    const linked = await owner.api.post('/v1/tracking/videos', {
      url: TIKTOK(tiktokId()),
      platform: 'tiktok',
      tracking_account_id: creator.body.data.id,
    });
    expect(linked.status).toBe(202);
    const foreign = await stranger.api.post('/v1/tracking/videos', {
      url: TIKTOK(tiktokId()),
      platform: 'tiktok',
      tracking_account_id: creator.body.data.id,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message).toBe('Tracked creator not found');
    const missing = await owner.api.post('/v1/tracking/videos', {
      url: TIKTOK(tiktokId()),
      platform: 'tiktok',
      tracking_account_id: randomUUID(),
    });
    expect(missing.status).toBe(404);

    for (const path of [
      `/v1/tracking/videos/${id}`,
      `/v1/tracking/videos/${id}/trajectory`,
      `/v1/tracking/videos/${id}/report`,
    ]) {
      const res = await stranger.api.get(path);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe('Tracked video not found');
    }
    expect((await stranger.api.delete(`/v1/tracking/videos/${id}`)).status).toBe(404);
    expect((await stranger.api.patch(`/v1/tracking/videos/${id}`, { status: 'paused' })).status).toBe(404);
  });

  it('lists with pagination, platform filter and search on title or URL', async () => {
    const { api } = await teamClient(suite.stack);
    const ids = [tiktokId(), tiktokId()];
    for (const videoId of ids)
      expect((await api.post('/v1/tracking/videos', { url: TIKTOK(videoId), platform: 'tiktok' })).status).toBe(202);
    expect(
      (await api.post('/v1/tracking/videos', { url: 'https://youtu.be/zzzzzzzzzzz', platform: 'youtube' })).status,
    ).toBe(202);
    const page = await api.get('/v1/tracking/videos?limit=2');
    expect(page.body.pagination).toMatchObject({ total: 3, total_pages: 2, has_next_page: true });
    expect((await api.get('/v1/tracking/videos?platform=youtube')).body.data).toHaveLength(1);
    const byUrl = await api.get(`/v1/tracking/videos?search=${ids[0]}`);
    expect(byUrl.body.data.map((v: any) => v.url)).toEqual([TIKTOK(ids[0]!)]);
    expect((await api.get('/v1/tracking/videos?limit=101')).status).toBe(400);
  });

  it('answers 402 for a video when the balance cannot pay the first cycle', async () => {
    const { api } = await teamClient(suite.stack, 24);
    const res = await api.post('/v1/tracking/videos', { url: TIKTOK(tiktokId()), platform: 'tiktok' });
    expect(res.status).toBe(402);
    expect((await api.get('/v1/tracking/videos')).body.pagination.total).toBe(0);
  });
});
