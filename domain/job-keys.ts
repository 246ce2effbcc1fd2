/** A paid job's workflow id and ledger keys: derived, never random, the same wherever they are computed. */

export interface JobKeys {
  reservationKey: string;
  captureKey: string;
  refundKey: string;
}

/** A job's workflow id: `collection:<uuid>` or `audience:<uuid>`. */
export const jobWorkflowId = (kind: 'post_collection' | 'audience_refresh', jobId: string): string =>
  `${kind === 'post_collection' ? 'collection' : 'audience'}:${jobId}`;

/** Ledger keys of a job, from its workflow id: the same in the job, the creator workflow and the reconciler. */
export const jobKeys = (workflowId: string): JobKeys => ({
  reservationKey: `${workflowId}:reserve`,
  captureKey: `${workflowId}:capture`,
  refundKey: `${workflowId}:refund`,
});
