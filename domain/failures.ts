/**
 * Every kind a failed step is recorded as, and which of them a retry cannot change. The activity boundary
 * (`activityFailure`), the retry policies (workflows/activity-options.ts) and the recorded failures (`failureOf`) all
 * read this one list.
 */
/** Typed outcomes a provider can fail with; recorded on the failed cycle. */
export const PROVIDER_FAILURES = [
  'blocked',
  'private',
  'deleted',
  'rate_limited',
  'empty',
  'unavailable',
  'timeout',
] as const;
export type ProviderFailureKind = (typeof PROVIDER_FAILURES)[number];

export const FAILURE_KINDS = [...PROVIDER_FAILURES, 'misconfigured', 'error'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

const PERMANENT: ReadonlySet<string> = new Set<FailureKind>([
  'private',
  'deleted',
  'blocked',
  'empty',
  'misconfigured',
]);

/** Whether a step that failed this way would fail the same way a few seconds later. */
export const isPermanent = (kind: string): boolean => PERMANENT.has(kind);

export const isFailureKind = (kind: string): kind is FailureKind => (FAILURE_KINDS as readonly string[]).includes(kind);

/**
 * Failure types of our own bugs (a key reused for another ledger movement, a row that should exist and does not):
 * no retry can fix them, so they fail the step at once instead of retrying forever.
 */
export const BUG_FAILURE_TYPES = ['idempotency_conflict', 'missing_row'] as const;
