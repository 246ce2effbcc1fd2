import { defineSignal } from '@temporalio/workflow';

/**
 * Messages of the webhook delivery workflow, apart from its logic so the API can import them. A signal, so an operator
 * can also send it from the Temporal UI.
 */

export interface WebhookDeliveryInput {
  deliveryId: string;
  /** the attempt number this run starts at: 1, or after the attempts of earlier runs for a replay */
  firstAttempt?: number;
  /** 0 for the first run, n for the n-th replay */
  replay?: number;
}

export interface WebhookDeliveryResult {
  status: 'pending' | 'succeeded' | 'failed' | 'dead_lettered';
  /** attempts sent by this run */
  attempts: number;
}

/** Ends the wait before the next attempt: it is made at once (a replay of a delivery still being attempted). */
export const retryNowSignal = defineSignal('retryNow');
