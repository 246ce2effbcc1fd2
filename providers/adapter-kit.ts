/** Rules the real platform adapters (YouTube Data API, Apify actors) must keep alike, so they are written once. */
import { ProviderError, SourceConfigError, type Platform } from '../domain/platform';

export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
}

/** A cursor names its kind in `k`, so one adapter's posts cursor is never taken for its comments cursor. */
export type CursorFields = Record<string, unknown> & { k: string };

export const encodeCursor = <T extends { k: string }>(cursor: T): string =>
  Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');

/** A garbled cursor, or one of another kind, is the caller's mistake: a RangeError, never a platform failure. */
export function decodeCursor<T>(raw: string, kinds: readonly string[], read: (fields: CursorFields) => T | null): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new RangeError('invalid cursor');
  }
  const fields = value as Partial<CursorFields> | null;
  const ours =
    typeof fields === 'object' && fields !== null && !Array.isArray(fields) && kinds.includes(fields.k as string);
  const cursor = ours ? read(fields as CursorFields) : null;
  if (cursor === null) throw new RangeError('invalid cursor');
  return cursor;
}

/**
 * Null, never 0, for a missing or unreadable metric: a hidden count must not pass for none. Instagram hides likes as
 * -1; a decimal string is refused because no platform writes counts so and "1.234" may be a thousands separator.
 */
export function count(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? +value : NaN;
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : null;
}

/** Rebuilt as the same class with the same fields, so callers still classify it; the stack repeats the message. */
export function scrubbed(err: unknown, secret: string, placeholder: string): unknown {
  if (secret === '' || !(err instanceof Error) || !`${err.message}\n${err.stack ?? ''}`.includes(secret)) return err;
  const message = err.message.split(secret).join(placeholder);
  if (err instanceof ProviderError) return new ProviderError(err.kind, message, err.retryAfterSeconds);
  return err instanceof SourceConfigError ? new SourceConfigError(message) : new Error(message);
}

/** Asking an adapter for a platform it does not serve is a wiring bug, not a platform failure. */
export function checkPlatform<P extends Platform>(
  platform: Platform,
  served: readonly P[],
  adapterServes: string,
): asserts platform is P {
  if (!(served as readonly Platform[]).includes(platform)) {
    throw new RangeError(`${adapterServes}, not ${String(platform)}`);
  }
}
