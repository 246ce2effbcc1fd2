import type { Pool } from 'pg';
import { attachSnapshot, finishJob, jobById, storeAudienceSnapshot } from '../db/jobs';
import { capture, refund } from '../db/ledger';
import { inTransaction } from '../db/transaction';
import {
  analyzeAudience,
  MIN_AUDIENCE_SAMPLE,
  profileOnlyHint,
  type AudienceEvidence,
  type AudienceSnapshotData,
} from '../domain/audience';
import type { AudienceAccount, Platform, PlatformProvider } from '../domain/platform';
import { commentsOfPosts } from '../providers/comments';
import { whileHeartbeating } from './heartbeat';
import { recordJobEnd, type PaidJobRef } from './jobs';

export type AudienceOutcome =
  { kind: 'snapshot'; snapshot: AudienceSnapshotData } | { kind: 'insufficient_sample'; message: string };

export interface SampleAudienceInput {
  creatorId: string;
  platform: Platform;
  handle: string;
  referenceDate: string;
}

export interface CompleteAudienceInput extends PaidJobRef {
  reservationKey: string;
  captureKey: string;
  refundKey: string;
  snapshotId: string;
  snapshotAt: string;
  outcome: AudienceOutcome;
}

/** The comment-sampling rungs of the audience ladder (the last rungs need no comments). */
export const AUDIENCE_SAMPLING = {
  /** first rung: recent posts, newest comments of each */
  comments: { posts: 10, commentsPerPost: 100 },
  /** Instagram and YouTube: a wider window when the first rung is too sparse */
  widened: { posts: 30, commentsPerPost: 200 },
  /** TikTok: follower accounts blended in when comments are too sparse */
  followers: 500,
} as const;

async function sampleCommenters(
  provider: PlatformProvider,
  platform: Platform,
  handle: string,
  window: { posts: number; commentsPerPost: number },
): Promise<{ commenters: AudienceEvidence['commenters']; postsSampled: number }> {
  const page = await provider.listPosts(platform, handle, { limit: window.posts });
  const byHandle = new Map<string, { account: AudienceAccount; texts: string[] }>();
  const byPost = await commentsOfPosts(provider, platform, page.posts, window.commentsPerPost);
  for (const post of page.posts) {
    for (const comment of byPost.get(post.platform_video_id) ?? []) {
      const account = comment.author ?? { handle: comment.author_handle, location: null, pronouns: null, bio: null };
      const seen = byHandle.get(account.handle);
      if (seen) seen.texts.push(comment.text);
      else byHandle.set(account.handle, { account, texts: [comment.text] });
    }
  }
  return { commenters: [...byHandle.values()], postsSampled: page.posts.length };
}

/** The audience refresh's own steps; its reservation and compensation are the shared ones in jobs.ts. */
export function createAudienceActivities({ pool, provider }: { pool: Pool; provider: PlatformProvider }) {
  return {
    /**
     * The audience ladder: commenters of recent posts → a wider comment window (Instagram, YouTube) → follower
     * accounts blended in (TikTok) → a hint from the declared profile → INSUFFICIENT_SAMPLE.
     */
    async sampleAudience(input: SampleAudienceInput): Promise<AudienceOutcome> {
      // one slow provider call must not look like a dead worker
      return whileHeartbeating(
        () => undefined,
        async (): Promise<AudienceOutcome> => {
          const profile = await provider.getProfile(input.platform, input.handle);
          const evidence = (sample: { commenters: AudienceEvidence['commenters']; postsSampled: number }) => ({
            ...sample,
            followers: [] as AudienceAccount[],
            referenceDate: input.referenceDate,
          });
          let sample = await sampleCommenters(provider, input.platform, input.handle, AUDIENCE_SAMPLING.comments);
          if (sample.commenters.length >= MIN_AUDIENCE_SAMPLE) {
            return { kind: 'snapshot', snapshot: analyzeAudience(evidence(sample), 'comments') };
          }
          if (input.platform === 'tiktok') {
            const followers = await provider.listFollowers(input.platform, input.handle, {
              limit: AUDIENCE_SAMPLING.followers,
            });
            if (sample.commenters.length + followers.accounts.length >= MIN_AUDIENCE_SAMPLE) {
              const blended = { ...evidence(sample), followers: followers.accounts };
              return { kind: 'snapshot', snapshot: analyzeAudience(blended, 'comments_and_followers') };
            }
          } else {
            sample = await sampleCommenters(provider, input.platform, input.handle, AUDIENCE_SAMPLING.widened);
            if (sample.commenters.length >= MIN_AUDIENCE_SAMPLE) {
              return { kind: 'snapshot', snapshot: analyzeAudience(evidence(sample), 'comments_extended') };
            }
          }
          const hint = profileOnlyHint(profile);
          if (hint) return { kind: 'snapshot', snapshot: hint };
          return {
            kind: 'insufficient_sample',
            message:
              `Found ${sample.commenters.length} commenters (at least ${MIN_AUDIENCE_SAMPLE} are needed) and the ` +
              'profile declares no country, language or bio',
          };
        },
      );
    },

    /**
     * Stores the snapshot, settles the reservation (refunded for `profile_only`, captured otherwise), completes the
     * job and records `audience.snapshot.completed`, in one transaction. INSUFFICIENT_SAMPLE is refunded, fails the
     * job and records `audience.snapshot.failed`, in one transaction too.
     */
    async completeAudienceJob(input: CompleteAudienceInput): Promise<void> {
      await inTransaction(pool, async (client) => {
        const job = await jobById(client, input.jobId);
        if (job.status === 'completed' || job.status === 'failed') return;
        if (input.outcome.kind === 'insufficient_sample') {
          await refund(
            client,
            input.reservationKey,
            input.refundKey,
            `audience refresh ${input.jobId}: INSUFFICIENT_SAMPLE`,
          );
          const ended = await finishJob(client, input.jobId, {
            status: 'failed',
            creditsUsed: 0,
            error: 'INSUFFICIENT_SAMPLE',
            message: input.outcome.message,
          });
          if (ended) await recordJobEnd(client, ended);
        } else {
          const s = input.outcome.snapshot;
          await storeAudienceSnapshot(client, {
            id: input.snapshotId,
            jobId: input.jobId,
            teamId: input.teamId,
            creatorId: input.creatorId,
            snapshotAt: input.snapshotAt,
            snapshot: s,
          });
          const profileOnly = s.data_source === 'profile_only';
          if (profileOnly) {
            await refund(
              client,
              input.reservationKey,
              input.refundKey,
              `audience refresh ${input.jobId}: profile_only`,
            );
          } else {
            await capture(client, input.reservationKey, input.captureKey);
          }
          await attachSnapshot(client, input.jobId, input.snapshotId);
          const ended = await finishJob(client, input.jobId, {
            status: 'completed',
            creditsUsed: profileOnly ? 0 : job.credits_reserved,
          });
          if (ended) await recordJobEnd(client, ended);
        }
      });
    },
  };
}
