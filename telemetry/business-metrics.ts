/**
 * The worker's business counters, on the process's Prometheus registry (the worker serves it at
 * WORKER_METRICS_PORT, with the Temporal SDK's own metrics and the upstream meters of providers/upstream.ts).
 * Each is counted where the thing is written, once: a retried step that finds its row written counts nothing.
 */
import { Counter, register } from 'prom-client';

const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> =>
  (register.getSingleMetric(name) as Counter<L> | undefined) ??
  new Counter({ name, help, labelNames, registers: [register] });

export const cycles = counter(
  'tracking_cycles_total',
  'Tracking cycles ended, by resource (creator, video), platform and outcome (completed or the failure kind)',
  ['resource', 'platform', 'outcome'],
);

export const credits = counter(
  'credits_total',
  'Ledger entries written, by kind (reserved, captured, refunded) and operation',
  ['kind', 'operation'],
);

export const creditCents = counter(
  'credits_cents_total',
  'Cents reserved and refunded, by kind and operation (charged = reserved - refunded, once settled)',
  ['kind', 'operation'],
);

export const jobs = counter('jobs_total', 'Paid jobs ended, by type and outcome (completed, failed)', [
  'type',
  'outcome',
]);

export const webhookDeliveries = counter(
  'webhook_delivery_attempts_total',
  'Webhook delivery attempts, by outcome: delivered, pending (will retry), failed (dead-lettered or disabled)',
  ['outcome'],
);
