import type { Pool, PoolClient } from 'pg';
import {
  CREATOR_TABLES,
  creatorById,
  creatorDetail,
  creatorPath,
  snapshotItem,
  type SnapshotRow,
} from '../db/creators';
import { cycleReportId, latestTrackedReport } from '../db/tracked';
import { recordEvent } from '../db/events';
import { inTransaction } from '../db/transaction';
import type { CreatorAnalysis, CreatorReportGenerator } from '../domain/creator-report';
import { detectOutliers } from '../domain/outliers';
import type { Comment, Platform, PlatformProvider, Post } from '../domain/platform';
import { COLLECTION_COSTS, COLLECTION_MAX_VIDEOS, type CollectionDepth } from '../domain/costs';
import { profileUrlFor } from '../domain/urls';
import {
  creatorDeltas,
  growthSummary,
  totalViewsFromPosts,
  type CreatorDeltas,
  type CreatorMetrics,
} from '../domain/snapshots';
import type { RegistrationResult } from '../workflows/messages';
import { commentsOfPosts } from '../providers/comments';
import { recentPosts, upsertPosts } from '../db/posts';
import { inRetriedTransaction, withDatabase } from './database-retry';
import { heartbeating } from './heartbeat';
import {
  captureAndRecordCycle,
  registerTracked,
  reserveCycle,
  storeReport,
  writeRecord,
  type SequencedRecord,
} from './tracking';

/** Recent posts re-read on every cycle (the shallow refresh); deeper history comes from post collection. */
export const SHALLOW_REFRESH_POSTS = 30;
const REPORT_POSTS = 200;
const REPORT_COMMENT_POSTS = 3;
const REPORT_COMMENTS_PER_POST = 20;

export interface CreatorSnapshot extends CreatorMetrics, CreatorDeltas {
  snapshot_at: string;
}

export interface RegisterCreatorInput {
  id: string;
  teamId: string;
  platform: Platform;
  handle: string;
  amountCents: number;
  reservationKey: string;
  startedAt: string;
  record: SequencedRecord;
  /** `collection_depth` on POST: its job row is created with the creator, pending until the first cycle has run */
  initialCollection?: { id: string; depth: CollectionDepth };
}

export interface CreatorCycleInput {
  id: string;
  teamId: string;
  platform: Platform;
  handle: string;
  cycle: number;
  cycleAt: string;
}

/** The metrics step reserves the cycle first: it needs the price and the reservation's key. */
export interface CreatorMetricsInput extends CreatorCycleInput {
  amountCents: number;
  reservationKey: string;
}

export type CreatorMetricsResult =
  { reserved: true; snapshot: CreatorSnapshot } | { reserved: false; balanceCents: number | null };

export interface CompleteCreatorCycleInput extends CreatorCycleInput {
  snapshot: CreatorSnapshot;
  reservationKey: string;
  captureKey: string;
  record: SequencedRecord;
}

function topHashtags(posts: readonly Post[], n: number): string[] {
  const counts = new Map<string, number>();
  for (const post of posts) for (const tag of post.hashtags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, n)
    .map(([tag]) => tag);
}

/** Flags posts above 3× the creator's median views, each video once, with its event. */
async function flagOutliers(client: PoolClient, input: CreatorCycleInput): Promise<number> {
  const posts = await recentPosts(client, input.id, 10_000);
  const flagged = await client.query<{ platform_video_id: string }>(
    'SELECT platform_video_id FROM creator_outliers WHERE tracking_account_id = $1',
    [input.id],
  );
  const outliers = detectOutliers(posts, {
    alreadyFlagged: flagged.rows.map((r) => r.platform_video_id),
    now: new Date(input.cycleAt),
  });
  let detected = 0;
  for (const outlier of outliers) {
    const inserted = await client.query(
      `INSERT INTO creator_outliers (tracking_account_id, platform_video_id, url, views, median_views, outlier_ratio,
         weighted_score, cycle) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [
        input.id,
        outlier.platform_video_id,
        outlier.url,
        outlier.views,
        outlier.median_views,
        outlier.outlier_ratio,
        outlier.weighted_score,
        input.cycle,
      ],
    );
    if (inserted.rowCount !== 1) continue;
    detected += 1;
    await recordEvent(client, {
      key: `creator:${input.id}:outlier:${outlier.platform_video_id}`,
      teamId: input.teamId,
      type: 'tracking.outlier_video.detected',
      resourceType: 'creator',
      resourceId: input.id,
      data: {
        tracking_account_id: input.id,
        platform: input.platform,
        platform_handle: input.handle,
        video_url: outlier.url,
        platform_video_id: outlier.platform_video_id,
        views: outlier.views,
        median_views: outlier.median_views,
        outlier_ratio: outlier.outlier_ratio,
        weighted_score: outlier.weighted_score,
        url: creatorPath(input.id),
      },
    });
  }
  return detected;
}

export interface CreatorActivityDeps {
  pool: Pool;
  provider: PlatformProvider;
  reportGenerator: CreatorReportGenerator;
}

export function createCreatorActivities({ pool, provider, reportGenerator }: CreatorActivityDeps) {
  return {
    /** Registers the creator with its first reservation (see `registerTracked`). */
    async registerCreator(input: RegisterCreatorInput): Promise<RegistrationResult> {
      return registerTracked(
        pool,
        { resourceType: 'creator', cycle: 1, ...input },
        async (client) => {
          await client.query(
            `INSERT INTO tracked_creators (id, team_id, platform, platform_handle, profile_url, scrape_cadence)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
            [
              input.id,
              input.teamId,
              input.platform,
              input.handle,
              profileUrlFor(input.platform, input.handle),
              input.record.cadence,
            ],
          );
          const initial = input.initialCollection;
          if (initial) {
            await client.query(
              `INSERT INTO paid_jobs (id, kind, team_id, tracking_account_id, status, depth, max_videos, credits_reserved)
               VALUES ($1, 'post_collection', $2, $3, 'pending', $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
              [
                initial.id,
                input.teamId,
                input.id,
                initial.depth,
                COLLECTION_MAX_VIDEOS[initial.depth],
                COLLECTION_COSTS[initial.depth],
              ],
            );
          }
        },
        {
          constraint: 'tracked_creators_one_live',
          find: async () =>
            (
              await pool.query<{ id: string }>(
                `SELECT id FROM tracked_creators
                  WHERE team_id = $1 AND platform = $2 AND lower(platform_handle) = lower($3) AND deleted_at IS NULL`,
                [input.teamId, input.platform, input.handle],
              )
            ).rows[0]?.id,
        },
      );
    },

    /**
     * Reads the profile and the most recent posts, upserts the posts, refreshes the profile fields and returns the
     * cycle's snapshot with deltas against the previous one. The snapshot itself is stored when the cycle completes.
     */
    collectCreatorMetrics: heartbeating(async (input: CreatorMetricsInput): Promise<CreatorMetricsResult> => {
      const reservation = await reserveCycle(pool, { resourceType: 'creator', ...input, startedAt: input.cycleAt });
      if (!reservation.reserved) return reservation;
      const profile = await provider.getProfile(input.platform, input.handle);
      const page = await provider.listPosts(input.platform, input.handle, { limit: SHALLOW_REFRESH_POSTS });
      return inRetriedTransaction(pool, async (client) => {
        await upsertPosts(client, input.id, page.posts);
        const counted = await client.query<{ views: number | null }>(
          'SELECT views FROM creator_posts WHERE tracking_account_id = $1',
          [input.id],
        );
        // TikTok and Instagram expose no profile-level views: total_views sums the posts collected so far
        const fromPosts = totalViewsFromPosts(counted.rows);
        const exposesViews = profile.total_views !== null;
        const metrics: CreatorMetrics = {
          followers: profile.followers,
          following: profile.following,
          total_videos: profile.total_videos,
          total_views: exposesViews ? profile.total_views : fromPosts.total_views,
          total_likes: profile.total_likes,
          collected_post_count: exposesViews ? null : fromPosts.collected_post_count,
          subscribers: profile.subscribers,
        };
        const previous = await client.query<SnapshotRow>(
          `SELECT * FROM creator_snapshots WHERE tracking_account_id = $1 AND cycle < $2
            ORDER BY cycle DESC LIMIT 1`,
          [input.id, input.cycle],
        );
        const prev = previous.rows[0] ?? null;
        await client.query(
          `UPDATE tracked_creators SET platform_user_id = $2, display_name = $3, avatar_url = $4, profile_url = $5,
             bio = $6, is_verified = $7, category = $8, content_tags = $9, profile_metadata = $10, updated_at = now()
           WHERE id = $1`,
          [
            input.id,
            profile.platform_user_id,
            profile.display_name,
            profile.avatar_url,
            profile.profile_url,
            profile.bio,
            profile.is_verified,
            profile.category,
            topHashtags(page.posts, 5),
            JSON.stringify({
              country: profile.country,
              language: profile.language,
              external_links: profile.external_links,
            }),
          ],
        );
        return {
          reserved: true as const,
          snapshot: { ...metrics, ...creatorDeltas(prev, metrics), snapshot_at: input.cycleAt },
        };
      });
    }),

    /** Writes the cycle's report from the stored snapshots and posts and a sample of recent comments. */
    generateCreatorReport: heartbeating(
      async (input: CreatorCycleInput & { snapshot: CreatorSnapshot }): Promise<{ reportId: string }> => {
        const done = await withDatabase(() => cycleReportId(pool, CREATOR_TABLES, input.id, input.cycle));
        if (done) return { reportId: done };
        // read before the paid calls below, and waited for separately, so an outage never repeats those calls
        const [creator, posts, snapshots, prior] = await withDatabase(() =>
          Promise.all([
            creatorById(pool, input.id),
            recentPosts(pool, input.id, REPORT_POSTS),
            pool.query<SnapshotRow>(
              `SELECT * FROM creator_snapshots WHERE tracking_account_id = $1 ORDER BY snapshot_at DESC LIMIT 60`,
              [input.id],
            ),
            latestTrackedReport(pool, CREATOR_TABLES, input.id),
          ]),
        );
        const comments: Comment[] = [];
        const mostViewed = [...posts].sort((a, b) => (b.views ?? 0) - (a.views ?? 0)).slice(0, REPORT_COMMENT_POSTS);
        const byPost = await commentsOfPosts(provider, input.platform, mostViewed, REPORT_COMMENTS_PER_POST);
        for (const post of mostViewed) comments.push(...(byPost.get(post.platform_video_id) ?? []));
        const report = await reportGenerator.generate({
          profile: {
            platform: input.platform,
            handle: input.handle,
            display_name: creator.display_name ?? input.handle,
            followers: input.snapshot.followers,
            subscribers: input.snapshot.subscribers,
            category: creator.category,
          },
          snapshots: [
            ...snapshots.rows.reverse(),
            { ...input.snapshot, snapshot_at: new Date(input.snapshot.snapshot_at) },
          ],
          posts,
          comments,
          prior: prior
            ? { analysis: prior.analysis as CreatorAnalysis, created_at: prior.created_at.toISOString() }
            : null,
          now: new Date(input.cycleAt),
        });
        return { reportId: await storeReport(pool, CREATOR_TABLES, input, report) };
      },
    ),

    /**
     * The cycle's last step, in one transaction: the outlier check (posts above 3× the median, each flagged once with
     * its event), the capture of the reservation, the snapshot, the read model (latest metrics, growth, the workflow's
     * record of its state) and the `tracking.cycle.completed` event. A retry changes nothing.
     */
    async detectOutliersAndComplete(input: CompleteCreatorCycleInput): Promise<{ outliers: number }> {
      return inTransaction(pool, async (client) => {
        const outliers = await flagOutliers(client, input);
        const { first } = await captureAndRecordCycle(client, { resourceType: 'creator', ...input });
        const s = input.snapshot;
        await client.query(
          `INSERT INTO creator_snapshots (tracking_account_id, cycle, followers, following, total_videos, total_views,
             total_likes, collected_post_count, subscribers, delta_followers, delta_following, delta_total_videos,
             delta_total_views, delta_total_likes, snapshot_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           ON CONFLICT (tracking_account_id, cycle) DO NOTHING`,
          [
            input.id,
            input.cycle,
            s.followers,
            s.following,
            s.total_videos,
            s.total_views,
            s.total_likes,
            s.collected_post_count,
            s.subscribers,
            s.delta_followers,
            s.delta_following,
            s.delta_total_videos,
            s.delta_total_views,
            s.delta_total_likes,
            s.snapshot_at,
          ],
        );
        const series = await client.query<{ followers: number | null; snapshot_at: Date }>(
          `SELECT followers, snapshot_at FROM creator_snapshots
            WHERE tracking_account_id = $1 AND snapshot_at >= $2::timestamptz - interval '60 days'`,
          [input.id, s.snapshot_at],
        );
        const growth = growthSummary(series.rows, new Date(s.snapshot_at));
        await client.query(
          `UPDATE tracked_creators SET
             latest_followers = $2, latest_following = $3, latest_total_videos = $4, latest_total_likes = $5,
             latest_total_views = $6, latest_subscribers = $7, growth_rate = $8, followers_gained = $9,
             enrichment_status = 'ready', last_scraped_at = $10, consecutive_failures = 0, last_failure = NULL,
             cycles_completed = cycles_completed + $11, cycle_in_progress = NULL, cycle_started_at = NULL
           WHERE id = $1`,
          [
            input.id,
            s.followers,
            s.following,
            s.total_videos,
            s.total_likes,
            s.total_views,
            s.subscribers,
            growth.growth_rate,
            growth.followers_gained,
            s.snapshot_at,
            first ? 1 : 0,
          ],
        );
        await writeRecord(client, { resourceType: 'creator', ...input }, input.record);
        const creator = await creatorById(client, input.id);
        const postCount = await client.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM creator_posts WHERE tracking_account_id = $1',
          [input.id],
        );
        const stored = await client.query<SnapshotRow>(
          'SELECT * FROM creator_snapshots WHERE tracking_account_id = $1 AND cycle = $2',
          [input.id, input.cycle],
        );
        await recordEvent(client, {
          key: `creator:${input.id}:cycle:${input.cycle}:completed`,
          teamId: input.teamId,
          type: 'tracking.cycle.completed',
          resourceType: 'creator',
          resourceId: input.id,
          data: {
            resource_type: 'creator',
            cycle: input.cycle,
            creator: creatorDetail(creator),
            snapshot: stored.rows[0] ? snapshotItem(stored.rows[0]) : null,
            post_count: postCount.rows[0]?.n ?? 0,
            url: creatorPath(input.id),
          },
        });
        return { outliers };
      });
    },
  };
}
