import type { Pool, PoolClient } from 'pg';
import {
  CREATOR_TABLES,
  creatorById,
  creatorPath,
  creatorSnapshotOfCycle,
  insertCreator,
  insertSnapshot,
  latestSnapshots,
  liveCreatorByHandle,
  recordCreatorCycle,
  snapshotBefore,
  updateCreatorProfile,
} from '../db/creators';
import { creatorDetail, snapshotItem } from '../api/schemas/creators';
import { createPendingCollection } from '../db/jobs';
import { reserve } from '../db/ledger';
import { flaggedVideoIds, insertOutlier } from '../db/outliers';
import { cycleReportId, latestTrackedReport, trailingSeries } from '../db/tracked';
import { recordEvent } from '../db/events';
import { inTransaction } from '../db/transaction';
import type { CreatorAnalysis, CreatorReportGenerator } from '../domain/creator-report';
import { detectOutliers } from '../domain/outliers';
import type { Comment, Platform, PlatformProvider, Post } from '../domain/platform';
import type { CollectionDepth } from '../domain/costs';
import {
  creatorDeltas,
  growthSummary,
  totalViewsFromPosts,
  type CreatorDeltas,
  type CreatorMetrics,
} from '../domain/snapshots';
import type { RegistrationResult } from '../workflows/messages';
import { commentsOfPosts } from '../providers/comments';
import { postCount, postViews, recentPosts, upsertPosts } from '../db/posts';
import { inRetriedTransaction, withDatabase } from './database-retry';
import { heartbeating } from './heartbeat';
import {
  captureAndRecordCycle,
  registerTracked,
  reserveCycle,
  storeReport,
  writeRecord,
  type RegistrationInput,
  type SequencedRecord,
} from './tracking';

/** Recent posts re-read on every cycle (the shallow refresh); deeper history comes from post collection. */
export const SHALLOW_REFRESH_POSTS = 30;
const REPORT_POSTS = 200;
const REPORT_SNAPSHOTS = 60;
const REPORT_COMMENT_POSTS = 3;
const REPORT_COMMENTS_PER_POST = 20;

export interface CreatorSnapshot extends CreatorMetrics, CreatorDeltas {
  snapshot_at: string;
}

export interface RegisterCreatorInput extends RegistrationInput {
  handle: string;
  /**
   * `collection_depth` on POST: its job row is created with the creator, pending until the first cycle has run, and
   * its credits are reserved with the cycle's, under the key the collection's own reservation uses (which then finds
   * it made): the 202 promises only credits that are held.
   */
  initialCollection?: { id: string; depth: CollectionDepth; amountCents: number; reservationKey: string };
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

/**
 * Flags posts above 3× the creator's median views, each video once, with an event for those published within the
 * announce window (`OUTLIER_ANNOUNCE_WINDOW_DAYS`).
 */
async function flagOutliers(client: PoolClient, input: CreatorCycleInput): Promise<number> {
  const posts = await recentPosts(client, input.id, 10_000);
  const outliers = detectOutliers(posts, {
    alreadyFlagged: await flaggedVideoIds(client, input.id),
    now: new Date(input.cycleAt),
  });
  let detected = 0;
  for (const outlier of outliers) {
    if (!(await insertOutlier(client, input.id, input.cycle, outlier))) continue;
    detected += 1;
    // every outlier is flagged (so it is never announced later); only a recent one is news
    if (!outlier.announce) continue;
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
          await insertCreator(client, { ...input, cadence: input.record.cadence });
          const initial = input.initialCollection;
          if (initial) {
            await createPendingCollection(client, { ...initial, teamId: input.teamId, creatorId: input.id });
            await reserve(client, {
              teamId: input.teamId,
              amountCents: initial.amountCents,
              idempotencyKey: initial.reservationKey,
              operation: 'post_collection',
              resourceType: 'creator',
              resourceId: input.id,
              description: `post collection ${initial.id} (${initial.depth})`,
            });
          }
        },
        {
          constraint: 'tracked_creators_one_live',
          find: async () => (await liveCreatorByHandle(pool, input.teamId, input.platform, input.handle))?.id,
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
        const views = await postViews(client, input.id);
        // TikTok and Instagram expose no profile-level views: total_views sums the posts collected so far
        const fromPosts = totalViewsFromPosts(views.map((v) => ({ views: v })));
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
        const prev = (await snapshotBefore(client, input.id, input.cycle)) ?? null;
        await updateCreatorProfile(client, input.id, profile, topHashtags(page.posts, 5));
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
            latestSnapshots(pool, input.id, REPORT_SNAPSHOTS),
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
          snapshots: [...snapshots.reverse(), { ...input.snapshot, snapshot_at: new Date(input.snapshot.snapshot_at) }],
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
        await insertSnapshot(client, input.id, input.cycle, s);
        const series = await trailingSeries(client, CREATOR_TABLES, input.id, s.snapshot_at);
        const growth = growthSummary(
          series.map((r) => ({ followers: r.value, snapshot_at: r.snapshot_at })),
          new Date(s.snapshot_at),
        );
        await recordCreatorCycle(client, input.id, { snapshot: s, growth, counted: first });
        await writeRecord(client, { resourceType: 'creator', ...input }, input.record);
        const creator = await creatorById(client, input.id);
        const stored = await creatorSnapshotOfCycle(client, input.id, input.cycle);
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
            snapshot: stored ? snapshotItem(stored) : null,
            post_count: await postCount(client, input.id),
            url: creatorPath(input.id),
          },
        });
        return { outliers };
      });
    },
  };
}
