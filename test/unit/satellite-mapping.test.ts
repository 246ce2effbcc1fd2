import { satelliteCreator, satelliteVideo, storedInput } from '../../activities/satellite';
import { resolveVideoOutlier } from '../../api/satellite';
import { EVENT_BODIES } from '../../api/schemas/events';
import {
  satelliteCreatorSchema,
  satelliteLookupEndedData,
  satellitePendingJobs,
  satelliteVideoSchema,
  videoOutlierInputSchema,
  videoOutlierResultExample,
  videoOutlierStatus,
  videoOutlierStatusSchema,
} from '../../api/schemas/satellite';
import type { SatelliteJobRow } from '../../db/satellite';
import type { Platform, Post, ProfileMetrics } from '../../domain/platform';
import { deliveryBody } from '../../domain/webhooks';

/** The pure mappings of the video outlier analysis: provider shapes → stored shapes → API answers and events. */

const NOW = new Date('2026-12-01T12:00:00.000Z');
const JOB_ID = 'a1b2c3d4-e5f6-4890-abcd-ef1234567890';
const RUN_ID = '5e7f9a1b-3c5d-4e7f-9a1b-3c5d7e9f1a2b';

const post = (over: Partial<Post> = {}): Post => ({
  platform: 'tiktok',
  platform_video_id: '7350123456789012345',
  url: 'https://www.tiktok.com/@khaby.lame/video/7350123456789012345',
  title: null,
  description: 'When the life hack is too complicated #lifehack',
  thumbnail_url: null,
  published_at: '2026-11-20T18:30:00Z',
  duration_seconds: 14,
  views: 98_400_000,
  likes: 7_200_000,
  comments: null,
  shares: 212_000,
  bookmarks: null,
  hashtags: ['lifehack'],
  is_duet: null,
  is_stitch: null,
  ...over,
});

const profile = (platform: Platform, over: Partial<ProfileMetrics> = {}): ProfileMetrics => ({
  platform,
  platform_user_id: '6784563164518679557',
  handle: 'khaby.lame',
  display_name: 'Khabane lame',
  avatar_url: null,
  profile_url: 'https://www.tiktok.com/@khaby.lame',
  bio: null,
  is_verified: true,
  followers: 162_400_000,
  following: 82,
  total_videos: 1_287,
  total_likes: platform === 'tiktok' ? 2_480_000_000 : null,
  total_views: platform === 'youtube' ? 1_930_000_000 : null,
  subscribers: platform === 'youtube' ? 162_400_000 : null,
  category: null,
  country: null,
  language: null,
  external_links: [],
  ...over,
});

const jobRow = (over: Partial<SatelliteJobRow> = {}): SatelliteJobRow => ({
  id: JOB_ID,
  team_id: '0b6f3a52-3f6e-4d0b-9a51-2f3c1d7e8a90',
  type: 'video_outlier',
  platform: 'tiktok',
  input: {},
  status: 'processing',
  error: null,
  error_message: null,
  run_id: null,
  credits_reserved: 25,
  credits_used: null,
  created_at: new Date(NOW.getTime() - 4_000),
  completed_at: null,
  ...over,
});

describe('satellite video mapping', () => {
  it('keeps the contract’s names, the caption as title where there is none, and null for hidden counts', () => {
    const video = satelliteVideo(post());
    expect(video).toEqual({
      platform_video_id: '7350123456789012345',
      url: 'https://www.tiktok.com/@khaby.lame/video/7350123456789012345',
      title: 'When the life hack is too complicated #lifehack',
      views: 98_400_000,
      likes: 7_200_000,
      comments: null,
      shares: 212_000,
      publishDate: '2026-11-20T18:30:00.000Z',
      thumbnail_url: null,
      duration_seconds: 14,
    });
    expect(satelliteVideoSchema.safeParse(video).success).toBe(true);
    expect(satelliteVideo(post({ title: 'A real title' })).title).toBe('A real title');
    expect(satelliteVideo(post({ description: null })).title).toBeNull();
    // a source answering with an offset is normalised to UTC
    expect(satelliteVideo(post({ published_at: '2026-11-20T20:30:00+02:00' })).publishDate).toBe(
      '2026-11-20T18:30:00.000Z',
    );
  });

  it('shows each platform’s creator without inventing a number', () => {
    const tiktok = satelliteCreator('tiktok', 'khaby.lame', profile('tiktok'));
    expect(tiktok).toEqual({
      username: 'khaby.lame',
      platform: 'tiktok',
      profile: {
        followers: 162_400_000,
        following: 82,
        avatar_url: null,
        url: 'https://www.tiktok.com/@khaby.lame',
        description: null,
        is_verified: true,
        total_videos: 1_287,
        total_likes: 2_480_000_000,
        total_views: null,
        total_posts: 1_287,
      },
    });
    const youtube = satelliteCreator('youtube', 'khaby', profile('youtube', { followers: null }));
    expect(youtube.profile).toMatchObject({ followers: 162_400_000, total_views: 1_930_000_000, total_likes: null });
    // Instagram's count includes photos: a post count, not a video count
    const instagram = satelliteCreator('instagram', 'khaby', profile('instagram'));
    expect(instagram.profile).toMatchObject({ total_videos: null, total_posts: 1_287, total_likes: null });
    for (const creator of [tiktok, youtube, instagram]) {
      expect(satelliteCreatorSchema.safeParse(creator).success).toBe(true);
    }
  });

  it('records the request as sent, with the video and creator it resolved to', () => {
    const input = storedInput('youtube', 'video_outlier', {
      submittedUrl: 'youtu.be/dQw4w9WgXcQ',
      url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
      platformVideoId: 'dQw4w9WgXcQ',
      handle: 'rickastley',
    });
    expect(input).toEqual({
      url: 'youtu.be/dQw4w9WgXcQ',
      platform: 'youtube',
      platform_video_id: 'dQw4w9WgXcQ',
      handle: 'rickastley',
    });
    expect(videoOutlierInputSchema.safeParse(input).success).toBe(true);
  });
});

describe('resolving a video outlier request', () => {
  const tiktok = 'https://www.tiktok.com/@Khaby.Lame/video/7350123456789012345?lang=en';

  it('takes the creator from a URL that names one, or from `handle`', () => {
    expect(resolveVideoOutlier({ url: tiktok, platform: 'tiktok' })).toMatchObject({
      ref: { platformVideoId: '7350123456789012345' },
      handle: 'khaby.lame',
    });
    expect(resolveVideoOutlier({ url: tiktok, platform: 'tiktok', handle: '@KHABY.LAME' }).handle).toBe('khaby.lame');
    expect(
      resolveVideoOutlier({ url: 'https://youtu.be/dQw4w9WgXcQ', platform: 'youtube', handle: 'RickAstley' }),
    ).toMatchObject({ ref: { canonicalUrl: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' }, handle: 'rickastley' });
    expect(
      resolveVideoOutlier({ url: 'https://www.instagram.com/khaby00/reel/DVMBt9pE4ob/', platform: 'instagram' }).handle,
    ).toBe('khaby00');
  });

  it.each([
    [{ url: 'https://www.instagram.com/reels/DVMBt9pE4ob/', platform: 'instagram' as const }, /cannot be resolved/],
    [{ url: 'https://youtu.be/dQw4w9WgXcQ', platform: 'youtube' as const }, /cannot be resolved/],
    [{ url: tiktok, platform: 'instagram' as const }, /tiktok video but platform is instagram/],
    [{ url: tiktok, platform: 'tiktok' as const, handle: 'someone' }, /names the creator @khaby\.lame/],
    [{ url: 'https://vm.tiktok.com/ZM123/', platform: 'tiktok' as const }, /Short links/],
  ])('refuses %j with a 400', (body, message) => {
    expect(() => resolveVideoOutlier(body)).toThrow(message);
    try {
      resolveVideoOutlier(body);
    } catch (err) {
      expect(err).toMatchObject({ status: 400, code: 'invalid_request' });
    }
  });
});

describe('satellite job answers and events', () => {
  it('lists a running job as its own pending job, and nothing once it ended', () => {
    const running = videoOutlierStatus(jobRow(), undefined);
    expect(running).toEqual({
      job_id: JOB_ID,
      status: 'processing',
      created_at: '2026-12-01T11:59:56.000Z',
      finalized: false,
      pending_jobs: satellitePendingJobs(jobRow()),
    });
    expect(running.pending_jobs).toEqual([
      expect.objectContaining({ type: 'video_outlier', poll_url: `/v1/satellite/video-outlier/status/${JOB_ID}` }),
    ]);
    expect(videoOutlierStatusSchema.safeParse(running).success).toBe(true);
    expect(satellitePendingJobs(jobRow({ status: 'failed' }))).toEqual([]);
  });

  it('shows a completed job with its run’s result, and a failed one with its error', () => {
    const completed = jobRow({ status: 'completed', run_id: RUN_ID, credits_used: 25, completed_at: NOW });
    const answer = videoOutlierStatus(completed, { result: videoOutlierResultExample as never });
    expect(answer).toMatchObject({ status: 'completed', run_id: RUN_ID, credits_used: 25, finalized: true });
    expect(videoOutlierStatusSchema.safeParse(answer).success).toBe(true);
    expect(() => videoOutlierStatus(completed, undefined)).toThrow(/without its run/);

    const failed = jobRow({ status: 'failed', error: 'private', error_message: 'private', credits_used: 0 });
    const failedAnswer = videoOutlierStatus({ ...failed, completed_at: NOW }, undefined);
    expect(failedAnswer).toMatchObject({ status: 'failed', error: 'private', credits_used: 0, pending_jobs: [] });
    expect(videoOutlierStatusSchema.safeParse(failedAnswer).success).toBe(true);
  });

  it('builds satellite.lookup.completed for both outcomes, valid as delivered', () => {
    const completed = satelliteLookupEndedData(
      jobRow({ status: 'completed', run_id: RUN_ID, credits_used: 25, completed_at: NOW }),
    );
    const failed = satelliteLookupEndedData(
      jobRow({
        status: 'failed',
        error: 'deleted',
        error_message: 'no such video',
        credits_used: 0,
        completed_at: NOW,
      }),
    );
    expect(completed).toMatchObject({ status: 'completed', run_url: `/v1/satellite/runs/${RUN_ID}`, error: null });
    expect(failed).toMatchObject({ status: 'failed', run_id: null, error: 'deleted', credits_used: 0 });
    for (const data of [completed, failed]) {
      const body = JSON.parse(
        deliveryBody({
          id: 'e2a4c6e8-0b1d-5f3a-9c7e-6d8f0a2b4c6e',
          type: 'satellite.lookup.completed',
          createdAt: NOW,
          data,
        }),
      );
      expect(EVENT_BODIES['satellite.lookup.completed'].safeParse(body).success).toBe(true);
    }
    expect(() => satelliteLookupEndedData(jobRow())).toThrow(/has not ended/);
  });
});
