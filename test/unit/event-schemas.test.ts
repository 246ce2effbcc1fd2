import { creatorDetail, snapshotItem } from '../../api/schemas/creators';
import {
  audienceCompletedData,
  audienceFailedData,
  collectionEndedData,
  CREATOR_CYCLE_EXAMPLE,
  EVENT_BODIES,
  EVENT_DATA,
  EVENT_DATA_EXAMPLES,
  videoCycleCompletedSchema,
} from '../../api/schemas/events';
import { audienceSnapshotItem } from '../../api/schemas/jobs';
import { videoDetail, videoSnapshotItem } from '../../api/schemas/videos';
import { creatorPath, type CreatorRow, type SnapshotRow } from '../../db/creators';
import { EVENT_TYPES, type EventType } from '../../db/events';
import type { AudienceSnapshotRow, PaidJobRow } from '../../db/jobs';
import { videoPath, type VideoRow, type VideoSnapshotRow } from '../../db/videos';
import { detectOutliers, type OutlierCandidatePost } from '../../domain/outliers';
import { DAY_MS } from '../../domain/time';
import { trajectoryFlags, trajectoryTransitions, videoTrajectory } from '../../domain/trajectory';
import { deliveryBody } from '../../domain/webhooks';

/**
 * Each event's `data` built the way the activities build it (the same mappers fed stored rows), wrapped the way a
 * delivery wraps it (`deliveryBody`), must match the schema the OpenAPI document publishes for that event.
 */

const NOW = new Date('2026-12-01T12:00:00.000Z');
const CREATOR_ID = '7c1e2d4a-5b6f-4a8e-9c0d-1e2f3a4b5c6d';
const VIDEO_ID = '3f9a1c2e-8b4d-4e6f-a1b2-c3d4e5f6a7b8';
const DELIVERY_ID = 'e2a4c6e8-0b1d-5f3a-9c7e-6d8f0a2b4c6e';

/** The body a receiver gets, parsed back from the bytes sent. */
const delivered = (type: EventType, data: unknown): unknown =>
  JSON.parse(deliveryBody({ id: DELIVERY_ID, type, createdAt: NOW, data }));

function expectValid(type: EventType, data: unknown): void {
  const result = EVENT_BODIES[type].safeParse(delivered(type, data));
  if (!result.success) throw new Error(`${type}: ${result.error.message}`);
}

/** A row as Postgres hands it back: jsonb parsed, timestamps as Dates, int8 as numbers (db/pool.ts). */
const creatorRow = (over: Partial<CreatorRow> = {}): CreatorRow => ({
  id: CREATOR_ID,
  team_id: '0b6f3a52-3f6e-4d0b-9a51-2f3c1d7e8a90',
  platform: 'tiktok',
  platform_handle: 'khaby.lame',
  platform_user_id: '6784563164518679557',
  display_name: 'Khabane lame',
  avatar_url: 'https://p16-sign.tiktokcdn.com/avatar/khaby.lame.jpeg',
  profile_url: 'https://www.tiktok.com/@khaby.lame',
  bio: 'If u wanna laugh u r in the right place',
  is_verified: true,
  category: 'Comedy',
  content_tags: ['comedy', 'lifehack'],
  profile_metadata: { country: 'IT', language: 'it', external_links: [] },
  status: 'active',
  pause_reason: null,
  pause_note: null,
  stop_reason: null,
  scrape_cadence: 'daily',
  enrichment_status: 'ready',
  latest_followers: 162_400_000,
  latest_following: 82,
  latest_total_videos: 1_287,
  latest_total_likes: 2_480_000_000,
  latest_total_views: 1_930_000_000,
  latest_subscribers: null,
  growth_rate: 0.12,
  followers_gained: 194_000,
  cycles_completed: 3,
  cycles_failed: 0,
  consecutive_failures: 0,
  cycle_in_progress: null,
  cycle_started_at: null,
  last_failure: null,
  last_scraped_at: NOW,
  next_scrape_at: new Date(NOW.getTime() + DAY_MS),
  created_at: new Date('2026-11-28T12:00:00.000Z'),
  updated_at: NOW,
  deleted_at: null,
  ...over,
});

const creatorSnapshotRow: SnapshotRow = {
  id: '5d2e8f14-7a3b-4c9d-8e1f-2a3b4c5d6e7f',
  tracking_account_id: CREATOR_ID,
  cycle: 3,
  followers: 162_400_000,
  following: 82,
  total_videos: 1_287,
  total_views: 1_930_000_000,
  total_likes: 2_480_000_000,
  collected_post_count: 50,
  subscribers: null,
  snapshot_at: NOW,
  delta_followers: 27_500,
  delta_following: 0,
  delta_total_videos: 1,
  delta_total_views: 41_200_000,
  delta_total_likes: 3_100_000,
};

const videoRow = (over: Partial<VideoRow> = {}): VideoRow => ({
  id: VIDEO_ID,
  team_id: '0b6f3a52-3f6e-4d0b-9a51-2f3c1d7e8a90',
  tracking_account_id: null,
  platform: 'youtube',
  platform_video_id: 'dQw4w9WgXcQ',
  url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
  title: null,
  description: null,
  author_handle: null,
  author_name: null,
  thumbnail_url: null,
  published_at: null,
  duration_seconds: null,
  status: 'active',
  pause_reason: null,
  pause_note: null,
  stop_reason: null,
  scrape_cadence: 'adaptive',
  adaptive_interval_seconds: 3_600,
  enrichment_status: 'ready',
  latest_views: 1_200_000,
  latest_likes: null,
  latest_comments: 3_100,
  latest_shares: null,
  latest_bookmarks: null,
  growth_rate: null,
  true_vpd: 250_000.5,
  accel: null,
  lifetime_vpd: null,
  is_breakout: true,
  is_accelerating: false,
  is_peaking: false,
  cycles_completed: 1,
  cycles_failed: 0,
  consecutive_failures: 0,
  cycle_in_progress: null,
  cycle_started_at: null,
  last_failure: null,
  last_scraped_at: NOW,
  next_scrape_at: new Date(NOW.getTime() + 3_600_000),
  created_at: new Date('2026-11-30T12:00:00.000Z'),
  updated_at: NOW,
  deleted_at: null,
  ...over,
});

const videoSnapshotRow: VideoSnapshotRow = {
  id: '5b2c8d1e-0f3a-4c6b-9e7d-2a1b3c4d5e6f',
  tracking_video_id: VIDEO_ID,
  cycle: 2,
  views: 1_200_000,
  likes: null,
  comments: 3_100,
  shares: null,
  bookmarks: null,
  snapshot_at: NOW,
  delta_views: 250_000,
  delta_likes: null,
  delta_comments: 140,
  delta_shares: null,
  delta_bookmarks: null,
};

describe('webhook event schemas', () => {
  it('describe every event type', () => {
    expect(Object.keys(EVENT_DATA).sort()).toEqual([...EVENT_TYPES].sort());
    expect(Object.keys(EVENT_BODIES).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('accept a creator’s tracking.cycle.completed as activities/creators.ts builds it', () => {
    expectValid('tracking.cycle.completed', {
      resource_type: 'creator',
      cycle: 3,
      creator: creatorDetail(creatorRow()),
      snapshot: snapshotItem(creatorSnapshotRow),
      post_count: 50,
      url: creatorPath(CREATOR_ID),
    });
    // a retried step may find no snapshot; a creator whose cycle is still marked running has a pending job
    expectValid('tracking.cycle.completed', {
      resource_type: 'creator',
      cycle: 4,
      creator: creatorDetail(creatorRow({ cycle_in_progress: 4, cycle_started_at: NOW })),
      snapshot: null,
      post_count: 0,
      url: creatorPath(CREATOR_ID),
    });
  });

  it('accept a video’s tracking.cycle.completed as activities/videos.ts builds it', () => {
    const data = {
      resource_type: 'video',
      cycle: 2,
      video: videoDetail(videoRow()),
      snapshot: videoSnapshotItem(videoSnapshotRow),
      url: videoPath(VIDEO_ID),
    };
    expectValid('tracking.cycle.completed', data);
    // the union picks the video branch, and that branch itself holds
    const body = delivered('tracking.cycle.completed', data) as { data: unknown };
    expect(videoCycleCompletedSchema.safeParse(body.data).success).toBe(true);
  });

  it('refuse a cycle.completed whose video is not the API’s shape', () => {
    const data = {
      resource_type: 'video',
      cycle: 2,
      video: { ...videoDetail(videoRow()), status: 'deleted' },
      snapshot: null,
      url: videoPath(VIDEO_ID),
    };
    expect(
      EVENT_BODIES['tracking.cycle.completed'].safeParse(delivered('tracking.cycle.completed', data)).success,
    ).toBe(false);
  });

  it('accept tracking.outlier_video.detected as activities/creators.ts builds it from detectOutliers', () => {
    const post = (id: string, views: number): OutlierCandidatePost => ({
      platform_video_id: id,
      url: `https://www.tiktok.com/@khaby.lame/video/${id}`,
      views,
      likes: Math.round(views / 10),
      comments: null,
      shares: 12,
      published_at: new Date(NOW.getTime() - 2 * DAY_MS).toISOString(),
    });
    const posts = [100, 120, 90, 110, 105, 95].map((views, i) => post(`73500000000000${i}`, views));
    const [outlier] = detectOutliers([...posts, post('7350123456789012345', 1_050)], { alreadyFlagged: [], now: NOW });
    if (!outlier) throw new Error('expected an outlier');
    expectValid('tracking.outlier_video.detected', {
      tracking_account_id: CREATOR_ID,
      platform: 'tiktok',
      platform_handle: 'khaby.lame',
      video_url: outlier.url,
      platform_video_id: outlier.platform_video_id,
      views: outlier.views,
      median_views: outlier.median_views,
      outlier_ratio: outlier.outlier_ratio,
      weighted_score: outlier.weighted_score,
      url: creatorPath(CREATOR_ID),
    });
  });

  it('accept tracking.paused as activities/tracking.ts builds it, with and without a stored failure', () => {
    // markCycleFailed stores `{ ...failure, cycle, at }` as jsonb; writeTrackingState reads it back
    const lastFailure = {
      kind: 'rate_limited',
      message: 'rate limited by the platform',
      cycle: 7,
      at: NOW.toISOString(),
    };
    for (const [resourceType, id, url] of [
      ['creator', CREATOR_ID, creatorPath(CREATOR_ID)],
      ['video', VIDEO_ID, videoPath(VIDEO_ID)],
    ] as const) {
      expectValid('tracking.paused', {
        resource_type: resourceType,
        id,
        status: 'paused',
        pause_reason: 'consecutive_failures',
        consecutive_failures: 3,
        last_failure: lastFailure,
        url,
      });
    }
    expectValid('tracking.paused', {
      resource_type: 'creator',
      id: CREATOR_ID,
      status: 'paused',
      pause_reason: 'insufficient_credits',
      consecutive_failures: 0,
      last_failure: null,
      url: creatorPath(CREATOR_ID),
    });
  });

  it('accept the trajectory events as activities/videos.ts builds them', () => {
    const trajectory = videoTrajectory(
      [
        { captured_at: '2026-11-30T12:00:00.000Z', views: 10_000 },
        { captured_at: '2026-11-30T18:00:00.000Z', views: 60_000 },
        { captured_at: '2026-12-01T06:00:00.000Z', views: 400_000 },
        { captured_at: '2026-12-01T12:00:00.000Z', views: 1_200_000 },
      ],
      { publishedAt: '2026-11-29T12:00:00.000Z', now: NOW },
    );
    const t = trajectory.metrics;
    const types = trajectoryTransitions(null, trajectoryFlags(t));
    expect(types.length).toBeGreaterThan(0);
    const video = videoRow();
    for (const type of types) {
      expectValid(type, {
        id: VIDEO_ID,
        cycle: 4,
        platform: video.platform,
        platform_video_id: video.platform_video_id,
        url: video.url,
        true_vpd: t.true_vpd,
        accel: t.accel,
        lifetime_vpd: t.lifetime_vpd,
        peaking: t.peaking,
        snapshots: t.n,
        resource_url: videoPath(VIDEO_ID),
      });
    }
  });

  it('accept audience.snapshot.completed as activities/audience.ts builds it', () => {
    const jobId = '4a6c8e0a-2b4d-4f6a-8c0e-1a3c5e7a9b1d';
    const stored: AudienceSnapshotRow = {
      id: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
      job_id: jobId,
      team_id: '0b6f3a52-3f6e-4d0b-9a51-2f3c1d7e8a90',
      tracking_account_id: CREATOR_ID,
      snapshot_at: NOW,
      sample_size: 0,
      age_distribution: null,
      gender_distribution: null,
      language_distribution: { it: 1 },
      country_distribution: [{ code: 'IT', name: 'Italy', pct: 1, confidence: 0.3 }],
      city_distribution: null,
      confidence_per_signal: { age: 0, gender: 0, country: 0.3, city: 0, language: 0.3 },
      confidence_level: 'low',
      data_source: 'profile_only',
      signal_breakdown: { comments: 0, followers: 0 },
      evidence_summary: 'No commenters sampled; the profile declares Italy and Italian.',
      model_version: 'heuristic-1',
    };
    expectValid('audience.snapshot.completed', {
      job_id: jobId,
      status: 'completed',
      error: null,
      creator_id: CREATOR_ID,
      snapshot: audienceSnapshotItem(stored),
      credits_used: 0,
      credit_unit: 'cent',
      url: `${creatorPath(CREATOR_ID)}/audience-refresh/${jobId}`,
    });
  });

  /** A paid job row as finishJob / refuseJob return it once the job has ended. */
  const jobRow = (over: Partial<PaidJobRow> = {}): PaidJobRow => ({
    id: '4a6c8e0a-2b4d-4f6a-8c0e-1a3c5e7a9b1d',
    kind: 'audience_refresh',
    team_id: '0b6f3a52-3f6e-4d0b-9a51-2f3c1d7e8a90',
    tracking_account_id: CREATOR_ID,
    status: 'failed',
    depth: null,
    max_videos: null,
    videos_collected: 0,
    credits_reserved: 50,
    credits_used: 0,
    error: 'INSUFFICIENT_SAMPLE',
    error_message: 'Found 3 commenters (at least 50 are needed) and the profile declares no country, language or bio',
    snapshot_id: null,
    created_at: new Date(NOW.getTime() - 20_000),
    started_at: new Date(NOW.getTime() - 20_000),
    completed_at: NOW,
    ...over,
  });

  it('accept audience.snapshot.completed as recordJobEnd builds it from the ended row', () => {
    const row = jobRow({ status: 'completed', error: null, error_message: null, credits_used: 50 });
    const snapshot: AudienceSnapshotRow = {
      id: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
      job_id: row.id,
      team_id: row.team_id,
      tracking_account_id: CREATOR_ID,
      snapshot_at: NOW,
      sample_size: 120,
      age_distribution: { '18-24': 0.6, '25-34': 0.4 },
      gender_distribution: { female: 0.55, male: 0.45 },
      language_distribution: { en: 1 },
      country_distribution: [{ code: 'US', name: 'United States', pct: 1, confidence: 0.6 }],
      city_distribution: null,
      confidence_per_signal: { age: 0.3, gender: 0.4, country: 0.6, city: 0, language: 0.8 },
      confidence_level: 'medium',
      data_source: 'comments',
      signal_breakdown: { comments: 120, followers: 0 },
      evidence_summary: '120 commenters on 10 posts.',
      model_version: 'heuristic-1',
    };
    const data = audienceCompletedData({ ...row, snapshot_id: snapshot.id }, snapshot);
    expect(data).toMatchObject({ job_id: row.id, status: 'completed', credits_used: 50, creator_id: CREATOR_ID });
    expectValid('audience.snapshot.completed', data);
  });

  it('accept audience.snapshot.failed as recordJobEnd builds it, refunded or charged', () => {
    const refunded = audienceFailedData(jobRow());
    expect(refunded).toEqual({
      job_id: '4a6c8e0a-2b4d-4f6a-8c0e-1a3c5e7a9b1d',
      status: 'failed',
      error: 'INSUFFICIENT_SAMPLE',
      error_message: expect.stringMatching(/commenters/),
      creator_id: CREATOR_ID,
      snapshot: null,
      credits_used: 0,
      credit_unit: 'cent',
      url: `${creatorPath(CREATOR_ID)}/audience-refresh/4a6c8e0a-2b4d-4f6a-8c0e-1a3c5e7a9b1d`,
    });
    expectValid('audience.snapshot.failed', refunded);
    // a platform error keeps the charge, as documented
    const charged = audienceFailedData(jobRow({ error: 'blocked', error_message: 'blocked', credits_used: 50 }));
    expect(charged.credits_used).toBe(50);
    expectValid('audience.snapshot.failed', charged);
    // a refused job (never reserved) and a cancelled one
    expectValid('audience.snapshot.failed', audienceFailedData(jobRow({ error: 'insufficient_credits' })));
    expectValid('audience.snapshot.failed', audienceFailedData(jobRow({ error: 'cancelled', started_at: null })));
    // the failed event is not a completed one, nor the reverse
    expect(
      EVENT_BODIES['audience.snapshot.completed'].safeParse(delivered('audience.snapshot.failed', refunded)),
    ).toMatchObject({ success: false });
  });

  it('accept posts.collection.completed and posts.collection.failed as recordJobEnd builds them', () => {
    const collection = (over: Partial<PaidJobRow>) =>
      jobRow({ kind: 'post_collection', depth: 'deep', max_videos: 200, credits_reserved: 100, ...over });
    const completed = collectionEndedData(
      collection({ status: 'completed', videos_collected: 200, credits_used: 100, error: null, error_message: null }),
    );
    expect(completed).toMatchObject({
      collection_id: '4a6c8e0a-2b4d-4f6a-8c0e-1a3c5e7a9b1d',
      status: 'completed',
      depth: 'deep',
      videos_collected: 200,
      credits_used: 100,
      error: null,
      creator_id: CREATOR_ID,
      url: `${creatorPath(CREATOR_ID)}/posts/collect/4a6c8e0a-2b4d-4f6a-8c0e-1a3c5e7a9b1d`,
    });
    expectValid('posts.collection.completed', completed);
    expect(
      EVENT_BODIES['posts.collection.failed'].safeParse(delivered('posts.collection.failed', completed)).success,
    ).toBe(false);

    for (const error of ['private', 'cancelled', 'tracking_stopped', 'job_in_progress', 'ended']) {
      const failed = collectionEndedData(
        collection({ status: 'failed', videos_collected: 50, credits_used: 0, error, error_message: `it: ${error}` }),
      );
      expect(failed).toMatchObject({ status: 'failed', error, credits_used: 0 });
      expectValid('posts.collection.failed', failed);
    }
    // an initial collection stopped before it started was never started
    expectValid(
      'posts.collection.failed',
      collectionEndedData(collection({ status: 'failed', started_at: null, error: 'tracking_stopped' })),
    );
  });

  it('accept the examples the document shows', () => {
    for (const type of EVENT_TYPES) expectValid(type, EVENT_DATA_EXAMPLES[type]);
    expectValid('tracking.cycle.completed', CREATOR_CYCLE_EXAMPLE);
  });
});
