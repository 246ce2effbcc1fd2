import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Pool, PoolClient } from 'pg';
import {
  activeSubscriptions,
  claimQueuedEvents,
  deliveriesOfEvents,
  deliveryId,
  deliveryWorkflowId,
  dequeueEvents,
  insertDeliveries,
  listenForQueuedEvents,
  releaseQueuedEvents,
  scopeOf,
  stopListeningForQueuedEvents,
  type NewDelivery,
  type RelayedDelivery,
} from '../db/webhooks';
import { jobSearchAttributes } from '../domain/search-attributes';
import { subscriptionMatches } from '../domain/webhooks';
import type { WebhookDeliveryInput } from '../workflows/webhook-messages';

export interface OutboxRelayOptions {
  pool: Pool;
  client: Client;
  /** the task queue delivery workflows run on */
  taskQueue: string;
  /** how often to look for queued events when no notification arrives */
  sweepIntervalMs?: number;
  batchSize?: number;
  /** how long a claimed event is left to the relay that claimed it before another may take it over */
  claimLeaseMs?: number;
  /**
   * Relay only these teams' events. Tests share one database between suites, each with its own task queue; a relay
   * there must leave other suites' events alone. Unset in production: every relay serves every team.
   */
  teamIds?: () => readonly string[];
  log?: (message: string, err?: unknown) => void;
}

/**
 * Moves outbox events to webhook deliveries. Each queued event (queued by a trigger in the transaction that wrote it)
 * is claimed with a lease (`claimed_until`, set with FOR UPDATE SKIP LOCKED in one short statement), so relays in
 * several workers share the work and no transaction stays open across calls to Temporal. Each matching subscription
 * gets a delivery row (id derived from event and subscription) and the workflow `delivery:<id>`, started with
 * REJECT_DUPLICATE; then the queue row is deleted. Every step is safe to repeat, so a crash anywhere leaves the event
 * queued, and once its lease runs out the next pass finishes it without delivering anything twice.
 * Wakes on LISTEN/NOTIFY for low latency and sweeps on a timer for anything a lost notification missed.
 */
export class OutboxRelay {
  private listener: PoolClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly sweepIntervalMs: number;
  private readonly batchSize: number;
  private readonly claimLeaseMs: number;
  private readonly log: (message: string, err?: unknown) => void;

  constructor(private readonly options: OutboxRelayOptions) {
    this.sweepIntervalMs = options.sweepIntervalMs ?? 5_000;
    this.batchSize = options.batchSize ?? 100;
    this.claimLeaseMs = options.claimLeaseMs ?? 60_000;
    this.log = options.log ?? ((message, err) => console.error(message, err ?? ''));
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
    this.timer = setInterval(() => this.wake(), this.sweepIntervalMs);
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    const listener = this.listener;
    this.listener = undefined;
    if (listener) {
      await stopListeningForQueuedEvents(listener).catch(() => undefined);
      listener.release();
    }
    await this.running;
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    let listener: PoolClient | undefined;
    try {
      listener = await this.options.pool.connect();
      const connected = listener;
      connected.on('notification', () => this.wake());
      connected.on('error', (err) => {
        if (this.listener !== connected) return;
        this.listener = undefined;
        connected.release(err);
        this.log('webhook relay: lost its LISTEN connection; reconnecting', err);
        setTimeout(() => void this.listen(), 1_000).unref();
      });
      await listenForQueuedEvents(connected);
      if (this.stopped) {
        // stopped while connecting: hand the connection back, or the pool could never end
        connected.release();
        return;
      }
      this.listener = connected;
    } catch (err) {
      listener?.release(err instanceof Error ? err : new Error(String(err)));
      this.log('webhook relay: cannot LISTEN; relying on the sweep until it can', err);
      setTimeout(() => void this.listen(), this.sweepIntervalMs).unref();
    }
  }

  /** Runs a pass now, or right after the one in progress. */
  private wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.drain();
        } catch (err) {
          this.log('webhook relay: pass failed; the events stay queued for the next one', err);
        }
      } while (this.again && !this.stopped);
      this.running = undefined;
    })();
  }

  /** Relays every queued event (of the relay's teams); returns how many events it handled. */
  async drain(): Promise<number> {
    let handled = 0;
    for (;;) {
      const n = await this.relayBatch();
      handled += n;
      if (n < this.batchSize) return handled;
    }
  }

  private async relayBatch(): Promise<number> {
    const { pool } = this.options;
    const events = await claimQueuedEvents(pool, this.batchSize, this.claimLeaseMs, this.options.teamIds?.());
    if (events.length === 0) return 0;
    const eventIds = events.map((e) => e.id);
    try {
      const subscriptions = await activeSubscriptions(pool, [...new Set(events.map((e) => e.team_id))]);
      const deliveries: NewDelivery[] = [];
      for (const event of events) {
        const ref = {
          teamId: event.team_id,
          type: event.type,
          resourceType: event.resource_type,
          resourceId: event.resource_id,
          createdAt: event.created_at,
          videoCreatorId: event.video_creator_id,
        };
        for (const sub of subscriptions) {
          const filter = {
            teamId: sub.team_id,
            enabledEvents: sub.enabled_events,
            scope: scopeOf(sub),
            createdAt: sub.created_at,
          };
          if (!subscriptionMatches(filter, ref)) continue;
          deliveries.push({
            id: deliveryId(event.id, sub.id),
            subscriptionId: sub.id,
            teamId: event.team_id,
            eventId: event.id,
            eventType: event.type,
          });
        }
      }
      // committed before any workflow starts, so each workflow finds its row; repeats insert nothing
      await insertDeliveries(pool, deliveries);
      for (const delivery of await deliveriesOfEvents(pool, eventIds)) await this.startDelivery(delivery);
      await dequeueEvents(pool, eventIds);
    } catch (err) {
      // when the database itself is gone this fails too, and the lease running out hands the events back instead
      await releaseQueuedEvents(pool, eventIds, events[0]!.claimed_until).catch(() => undefined);
      throw err;
    }
    return events.length;
  }

  private async startDelivery(delivery: RelayedDelivery): Promise<void> {
    const input: WebhookDeliveryInput = { deliveryId: delivery.id };
    try {
      await this.options.client.workflow.start('webhookDeliveryWorkflow', {
        workflowId: deliveryWorkflowId(delivery.id),
        taskQueue: this.options.taskQueue,
        args: [input],
        // a delivery runs once even when a relay repeats itself after its workflow has finished
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `${delivery.event_type} → ${new URL(delivery.url).host}`,
        typedSearchAttributes: jobSearchAttributes({
          teamId: delivery.team_id,
          jobType: 'webhook_delivery',
          creatorId: delivery.resource_type === 'creator' ? delivery.resource_id : null,
        }),
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
}
