import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { MAX_DELIVERY_ATTEMPTS } from '../domain/webhooks';
import { retryNowSignal, type WebhookDeliveryInput, type WebhookDeliveryResult } from './webhook-messages';

export type { WebhookDeliveryInput, WebhookDeliveryResult } from './webhook-messages';

const { attemptWebhookDelivery } = proxyActivities<ReturnType<typeof createActivities>>({
  // the POST has its own 15 s deadline; the rest is bookkeeping in Postgres
  startToCloseTimeout: '1 minute',
  // a worker that dies mid-attempt is noticed in seconds, and the attempt runs again elsewhere
  heartbeatTimeout: '10 seconds',
  // failures of the receiver are answers, recorded by the activity; only our own (database down, worker lost) retry
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * One event to one subscription (`delivery:<uuid>`, a replay `delivery:<uuid>:replay:<n>`): attempts on the ladder in
 * domain/webhooks.ts, each one an activity that records itself, the waits durable timers that `retryNowSignal` cuts
 * short. Ends on success, 410 Gone, a disabled or deleted subscription, or dead-lettered after the last attempt.
 */
export async function webhookDeliveryWorkflow(input: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  const first = input.firstAttempt ?? 1;
  const run = input.replay ?? 0;
  let retryNow = false;
  setHandler(retryNowSignal, () => {
    retryNow = true;
  });
  let attempts = 0;
  for (let step = 0; ; step++) {
    const result = await attemptWebhookDelivery({ deliveryId: input.deliveryId, attempt: first + step, step, run });
    if (result.attempted) attempts += 1;
    if (result.status !== 'pending' || result.nextDelayMs === null || step + 1 >= MAX_DELIVERY_ATTEMPTS) {
      return { status: result.status, attempts };
    }
    await condition(() => retryNow, result.nextDelayMs);
    retryNow = false;
  }
}
