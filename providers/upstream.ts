/**
 * Manners every real upstream (YouTube Data API, Apify, an OpenAI-compatible model) is called with: a concurrency
 * cap and a token bucket per source (Bottleneck), a timeout on every call, and a meter that counts calls, outcomes
 * and quota units. Nothing here retries: a retryable failure becomes a `ProviderError` carrying the upstream's
 * `Retry-After`, and Temporal's activity retry policy waits that long (see `activityFailure` in activities/failures.ts).
 */
import Bottleneck from 'bottleneck';
import { Counter, Histogram, register, type Registry } from 'prom-client';
import { ProviderError, SourceConfigError } from '../domain/platform';

export interface UpstreamLimits {
  /** calls in flight at once, per process */
  concurrency: number;
  /** sustained calls per minute, per process (a token bucket holding `concurrency` calls, at least) */
  perMinute: number;
  /** each call's deadline */
  timeoutMs: number;
}

/** One call as the meter sees it: its source (`youtube`), operation (`channels.list`), cost and outcome. */
export interface UpstreamCall {
  source: string;
  operation: string;
  /** quota units (YouTube) or runs (Apify) or tokens (LLM) the call spent; 0 when the upstream charges nothing */
  units: number;
  outcome: string;
  durationMs: number;
}

export type UpstreamListener = (call: UpstreamCall) => void;

/** Counters on the process's Prometheus registry: calls by source, operation and outcome, and units spent. */
class UpstreamMetrics {
  readonly calls: Counter<'source' | 'operation' | 'outcome'>;
  readonly units: Counter<'source' | 'operation'>;
  readonly duration: Histogram<'source' | 'operation'>;

  constructor(registry: Registry) {
    const existing = registry.getSingleMetric('upstream_calls_total');
    if (existing) {
      this.calls = existing as Counter<'source' | 'operation' | 'outcome'>;
      this.units = registry.getSingleMetric('upstream_units_total') as Counter<'source' | 'operation'>;
      this.duration = registry.getSingleMetric('upstream_call_duration_seconds') as Histogram<'source' | 'operation'>;
      return;
    }
    this.calls = new Counter({
      name: 'upstream_calls_total',
      help: 'Calls to real data sources and models, by source, operation and outcome (ok or a failure kind)',
      labelNames: ['source', 'operation', 'outcome'],
      registers: [registry],
    });
    this.units = new Counter({
      name: 'upstream_units_total',
      help: 'Units spent upstream: YouTube quota units, Apify actor runs, LLM tokens',
      labelNames: ['source', 'operation'],
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'upstream_call_duration_seconds',
      help: 'Duration of calls to real data sources and models',
      labelNames: ['source', 'operation'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    });
  }
}

const metricsByRegistry = new WeakMap<Registry, UpstreamMetrics>();

function metricsFor(registry: Registry): UpstreamMetrics {
  let metrics = metricsByRegistry.get(registry);
  if (!metrics) {
    metrics = new UpstreamMetrics(registry);
    metricsByRegistry.set(registry, metrics);
  }
  return metrics;
}

/** The outcome label of a failed call: a provider's typed kind, `misconfigured`, or `error`. */
const outcomeOf = (err: unknown): string =>
  err instanceof ProviderError ? err.kind : err instanceof SourceConfigError ? 'misconfigured' : 'error';

/** One real source's limiter, deadline and meter. */
export class Upstream {
  private readonly limiter: Bottleneck;
  private readonly listeners = new Set<UpstreamListener>();
  private readonly metrics: UpstreamMetrics;

  constructor(
    readonly source: string,
    readonly limits: UpstreamLimits,
    registry: Registry = register,
    /**
     * The signal of the work a call is made for (the running activity's cancellation), read when the call starts: a
     * cancelled or timed-out activity stops its upstream calls instead of paying for them in the background.
     */
    private readonly ambientSignal: () => AbortSignal | undefined = () => undefined,
  ) {
    // Bottleneck refills on a heartbeat, so high rates refill several tokens per (at least 50 ms) tick
    const interval = Math.max(50, Math.floor(60_000 / limits.perMinute));
    const amount = Math.max(1, Math.round((limits.perMinute * interval) / 60_000));
    const burst = Math.max(limits.concurrency, amount);
    this.limiter = new Bottleneck({
      maxConcurrent: limits.concurrency,
      reservoir: burst,
      reservoirIncreaseAmount: amount,
      reservoirIncreaseInterval: interval,
      reservoirIncreaseMaximum: burst,
      heartbeatInterval: Math.min(interval, 250),
    });
    this.metrics = metricsFor(registry);
  }

  /** Hears every call this source makes (the `sources:check` command prints them). Returns the unsubscribe. */
  onCall(listener: UpstreamListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs `work` when the limiter allows, with an abort signal that fires at the deadline. `units` is what the call
   * costs when it is made (a function of the result when only the answer says, e.g. tokens).
   */
  async call<T>(
    operation: string,
    units: number | ((result: T) => number),
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return this.limiter.schedule(async () => {
      const started = Date.now();
      const deadline = AbortSignal.timeout(this.limits.timeoutMs);
      const ambient = this.ambientSignal();
      const signal = ambient ? AbortSignal.any([deadline, ambient]) : deadline;
      let outcome = 'ok';
      let spent = typeof units === 'number' ? units : 0;
      try {
        // cancelled while it waited for the limiter: nothing to call
        ambient?.throwIfAborted();
        const result = await work(signal).catch((err: unknown) => {
          if (deadline.aborted) {
            throw new ProviderError(
              'timeout',
              `${this.source} ${operation} did not answer within ${this.limits.timeoutMs} ms`,
            );
          }
          throw err;
        });
        if (typeof units === 'function') spent = units(result);
        return result;
      } catch (err) {
        outcome = ambient?.aborted && !deadline.aborted ? 'cancelled' : outcomeOf(err);
        throw err;
      } finally {
        const durationMs = Date.now() - started;
        this.metrics.calls.inc({ source: this.source, operation, outcome });
        if (spent > 0) this.metrics.units.inc({ source: this.source, operation }, spent);
        this.metrics.duration.observe({ source: this.source, operation }, durationMs / 1000);
        for (const listener of this.listeners)
          listener({ source: this.source, operation, units: spent, outcome, durationMs });
      }
    });
  }

  /** Stops accepting calls (tests and shutdown). */
  async stop(): Promise<void> {
    await this.limiter.stop({ dropWaitingJobs: true });
  }
}

/**
 * `Retry-After` as seconds: either delta-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent or
 * unreadable; never negative.
 */
export function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  /** the parsed body; undefined when the body was empty */
  body: unknown;
}

/**
 * A JSON request with the call's abort signal. A network failure is `unavailable`; a body that is not JSON is
 * `unavailable` too (an upstream answering HTML from a proxy is not an answer). Status handling is the caller's.
 */
export async function fetchJson(
  url: string | URL,
  init: RequestInit & { signal: AbortSignal },
  source: string,
): Promise<JsonResponse> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    if (init.signal.aborted) throw err;
    throw new ProviderError('unavailable', `${source} could not be reached: ${(err as Error).message}`);
  }
  const text = await response.text();
  if (text.trim() === '') return { status: response.status, headers: response.headers, body: undefined };
  try {
    return { status: response.status, headers: response.headers, body: JSON.parse(text) as unknown };
  } catch {
    throw new ProviderError('unavailable', `${source} answered ${response.status} with a body that is not JSON`);
  }
}
