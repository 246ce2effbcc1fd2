import { MockActivityEnvironment } from '@temporalio/testing';
import type { Pool } from 'pg';
import { createAudienceActivities, type AudienceOutcome } from '../../activities/audience';
import { withTypedFailures } from '../../activities/failures';
import { MIN_AUDIENCE_SAMPLE } from '../../domain/audience';
import type { Platform } from '../../domain/platform';
import { SimulatedProvider } from '../../providers/simulated';

/**
 * The audience ladder as the activity walks it, against the simulated world: which rung answers for which creator,
 * per platform. sampleAudience touches no database, so no pool is given.
 */
describe('audience ladder (sampleAudience)', () => {
  const provider = new SimulatedProvider({ now: () => new Date('2026-11-01T00:00:00Z') });
  // typed as the worker registers it: a provider's failure becomes its kind
  const { sampleAudience } = withTypedFailures(
    createAudienceActivities({ pool: undefined as unknown as Pool, provider }),
  );
  const sample = (platform: Platform, handle: string): Promise<AudienceOutcome> =>
    new MockActivityEnvironment().run(sampleAudience, {
      creatorId: 'c',
      platform,
      handle,
      referenceDate: '2026-11-01T00:00:00Z',
    });
  const sourceOf = (outcome: AudienceOutcome) =>
    outcome.kind === 'snapshot' ? outcome.snapshot.data_source : 'INSUFFICIENT_SAMPLE';

  /** The first of `ladder0…ladder39` whose snapshot comes from `source`. */
  async function firstWith(platform: Platform, source: string) {
    for (let i = 0; i < 40; i++) {
      const outcome = await sample(platform, `ladder${i}`);
      if (sourceOf(outcome) === source) return outcome;
    }
    return undefined;
  }

  it('answers from comments alone for a creator with a large audience', async () => {
    const outcome = await sample('tiktok', 'khaby.lame');
    expect(sourceOf(outcome)).toBe('comments');
    if (outcome.kind !== 'snapshot') throw new Error('expected a snapshot');
    expect(outcome.snapshot.sample_size).toBeGreaterThanOrEqual(MIN_AUDIENCE_SAMPLE);
    expect(outcome.snapshot.signal_breakdown).toEqual({ comments: outcome.snapshot.sample_size, followers: 0 });
  });

  it('widens the comment window on Instagram and YouTube, never blending followers there', async () => {
    for (const platform of ['instagram', 'youtube'] as const) {
      const widened = await firstWith(platform, 'comments_extended');
      expect(widened).toBeDefined();
      if (widened?.kind !== 'snapshot') throw new Error('expected a snapshot');
      expect(widened.snapshot.sample_size).toBeGreaterThanOrEqual(MIN_AUDIENCE_SAMPLE);
      expect(widened.snapshot.signal_breakdown.followers).toBe(0);
      expect(await firstWith(platform, 'comments_and_followers')).toBeUndefined();
    }
  });

  it('blends follower accounts in on TikTok when comments are sparse, never widening there', async () => {
    const blended = await firstWith('tiktok', 'comments_and_followers');
    expect(blended).toBeDefined();
    if (blended?.kind !== 'snapshot') throw new Error('expected a snapshot');
    expect(blended.snapshot.signal_breakdown.followers).toBeGreaterThan(0);
    expect(blended.snapshot.signal_breakdown.comments).toBeLessThan(MIN_AUDIENCE_SAMPLE);
    expect(await firstWith('tiktok', 'comments_extended')).toBeUndefined();
  });

  it('falls back to the declared profile, then to INSUFFICIENT_SAMPLE', async () => {
    for (const platform of ['tiktok', 'instagram', 'youtube'] as const) {
      const hint = await sample(platform, 'silent_ladder');
      expect(sourceOf(hint)).toBe('profile_only');
      if (hint.kind !== 'snapshot') throw new Error('expected a snapshot');
      expect(hint.snapshot.confidence_level).toBe('low');
      const nothing = await sample(platform, 'empty_quietladder');
      expect(nothing).toMatchObject({ kind: 'insufficient_sample' });
    }
  });

  it('fails with the platform typed reason when the account cannot be read', async () => {
    await expect(sample('youtube', 'blocked_ladder')).rejects.toMatchObject({ type: 'blocked' });
  });
});
