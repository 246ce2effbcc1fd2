import { Registry } from 'prom-client';
import { ProviderError, SourceConfigError } from '../../domain/platform';
import { retryAfterSeconds, Upstream, type UpstreamCall } from '../../providers/upstream';

describe('upstream manners', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(retryAfterSeconds('7', now)).toBe(7);
    expect(retryAfterSeconds('Tue, 01 Dec 2026 12:00:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds('Tue, 01 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds(null, now)).toBeUndefined();
  });

  it('never runs more calls at once than the concurrency limit', async () => {
    const upstream = new Upstream('test', { concurrency: 2, perMinute: 60_000, timeoutMs: 5_000 }, new Registry());
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        upstream.call('op', 1, async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 20));
          running -= 1;
        }),
      ),
    );
    expect(peak).toBe(2);
    await upstream.stop();
  });

  it('turns a call past its deadline into a timeout and meters every call with its outcome and units', async () => {
    const registry = new Registry();
    const upstream = new Upstream('slow', { concurrency: 1, perMinute: 60_000, timeoutMs: 50 }, registry);
    const calls: UpstreamCall[] = [];
    upstream.onCall((call) => calls.push(call));
    const hang = (signal: AbortSignal) =>
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    const err = await upstream.call('hang', 1, hang).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).kind).toBe('timeout');
    await upstream.call(
      'tokens',
      (result: { used: number }) => result.used,
      async () => ({ used: 42 }),
    );
    await expect(
      upstream.call('refused', 1, async () => {
        throw new ProviderError('rate_limited', 'slow down', 3);
      }),
    ).rejects.toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 3 });
    await expect(
      upstream.call('key', 1, async () => {
        throw new SourceConfigError('refused our key');
      }),
    ).rejects.toBeInstanceOf(SourceConfigError);
    expect(calls.map(({ operation, units, outcome }) => ({ operation, units, outcome }))).toEqual([
      { operation: 'hang', units: 1, outcome: 'timeout' },
      { operation: 'tokens', units: 42, outcome: 'ok' },
      { operation: 'refused', units: 1, outcome: 'rate_limited' },
      { operation: 'key', units: 1, outcome: 'misconfigured' },
    ]);
    const text = await registry.metrics();
    expect(text).toContain('upstream_calls_total{source="slow",operation="hang",outcome="timeout"} 1');
    expect(text).toContain('upstream_units_total{source="slow",operation="tokens"} 42');
    await upstream.stop();
  });

  it('stops a call when the work it serves is cancelled, and starts none once it is', async () => {
    const cancellation = new AbortController();
    const upstream = new Upstream(
      'ambient',
      { concurrency: 1, perMinute: 60_000, timeoutMs: 60_000 },
      new Registry(),
      () => cancellation.signal,
    );
    const calls: UpstreamCall[] = [];
    upstream.onCall((call) => calls.push(call));
    let seen: AbortSignal | undefined;
    const pending = upstream.call('long', 1, (signal) => {
      seen = signal;
      return new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    });
    await new Promise((r) => setTimeout(r, 20));
    cancellation.abort();
    await expect(pending).rejects.toBeDefined();
    expect(seen?.aborted).toBe(true);
    let ran = false;
    await expect(
      upstream.call('after', 1, async () => {
        ran = true;
      }),
    ).rejects.toBeDefined();
    expect(ran).toBe(false);
    expect(calls.map((c) => c.outcome)).toEqual(['cancelled', 'cancelled']);
    await upstream.stop();
  });

  it('holds calls beyond the token bucket until tokens come back', async () => {
    // 600 per minute = one token every 100 ms, a burst of 1
    const upstream = new Upstream('bucket', { concurrency: 1, perMinute: 600, timeoutMs: 5_000 }, new Registry());
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 3 }, () => upstream.call('op', 0, async () => starts.push(Date.now()))));
    expect(starts).toHaveLength(3);
    // the third call cannot start before two refills have happened
    expect(starts[2]! - starts[0]!).toBeGreaterThanOrEqual(150);
    await upstream.stop();
  });
});
