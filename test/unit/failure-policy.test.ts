import { ApplicationFailure } from '@temporalio/common';
import { IdempotencyConflictError } from '../../db/ledger';
import { MissingRowError } from '../../db/missing-row';
import { FAILURE_KINDS, isPermanent } from '../../domain/failures';
import { ProviderError } from '../../domain/platform';
import { withTypedFailures } from '../../activities/failures';
import { platformRetry } from '../../workflows/activity-options';

describe('failures typed once', () => {
  it('gives the retry policy exactly the kinds that are permanent, plus our own bugs', () => {
    expect([...platformRetry.nonRetryableErrorTypes].sort()).toEqual(
      ['blocked', 'deleted', 'empty', 'idempotency_conflict', 'misconfigured', 'missing_row', 'private'].sort(),
    );
    for (const kind of ['rate_limited', 'unavailable', 'timeout', 'error']) expect(isPermanent(kind)).toBe(false);
    expect(FAILURE_KINDS).toContain('misconfigured');
  });

  it('has a provider error agree with the list on what a retry cannot change', () => {
    for (const kind of ['blocked', 'private', 'deleted', 'rate_limited', 'empty', 'unavailable', 'timeout'] as const) {
      expect(new ProviderError(kind, 'x').permanent).toBe(isPermanent(kind));
    }
  });

  it.each([
    ['idempotency_conflict', new IdempotencyConflictError('creator:x:1:reserve', 'a capture')],
    ['missing_row', new MissingRowError('paid job 42')],
  ])('fails an activity that hits %s at once, not retried', async (type, error) => {
    const { step } = withTypedFailures({
      step: async () => {
        throw error;
      },
    });
    const failure = await step().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type, nonRetryable: true, message: error.message });
  });

  it('lets every other error through unchanged', async () => {
    const error = new Error('connection refused');
    const { step } = withTypedFailures({
      step: async () => {
        throw error;
      },
    });
    await expect(step()).rejects.toBe(error);
  });
});
