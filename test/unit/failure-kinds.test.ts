import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { failureOf } from '../../workflows/failures';

describe('failureOf', () => {
  const activityFailed = (cause: Error) =>
    new ActivityFailure(
      'activity failed',
      'collectCreatorMetrics',
      '1',
      RetryState.MAXIMUM_ATTEMPTS_REACHED,
      undefined,
      cause,
    );

  it('records a provider outcome as its kind', () => {
    const failure = failureOf(activityFailed(ApplicationFailure.create({ type: 'empty', message: 'no posts' })));
    expect(failure).toEqual({ kind: 'empty', message: 'no posts' });
  });

  it('records anything undocumented (an exception class name) as `error`', () => {
    for (const type of ['Error', 'DatabaseError', 'TypeError']) {
      expect(failureOf(activityFailed(ApplicationFailure.create({ type, message: 'boom' }))).kind).toBe('error');
    }
    expect(failureOf(activityFailed(ApplicationFailure.create({ type: 'misconfigured', message: 'key' }))).kind).toBe(
      'misconfigured',
    );
  });

  it('gives a timeout a message when the SDK has none', () => {
    const failure = failureOf(activityFailed(new TimeoutFailure(undefined, undefined, TimeoutType.START_TO_CLOSE)));
    expect(failure.kind).toBe('timeout');
    expect(failure.message).toBe('the step did not finish within its time limit');
  });
});
