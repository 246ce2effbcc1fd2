import type { RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { LRUCache } from 'lru-cache';
import type { Pool } from 'pg';
import { hashApiKey, teamForKeyHash } from '../db/teams';
import { ApiError } from './errors';

export interface AuthContext {
  teamId: string;
  keyId: string;
}

/** The authenticated team of a request that passed `authenticate`. */
export function auth(res: Response): AuthContext {
  const context = res.locals.auth as AuthContext | undefined;
  if (!context) throw new Error('route is missing the authenticate middleware');
  return context;
}

function presentedKey(header: string | undefined, xApiKey: string | undefined): string | undefined {
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match) return match[1];
  }
  return xApiKey?.trim() || undefined;
}

/** How long a verified key is trusted without asking Postgres: a revoked key stops working within this time. */
export const AUTH_CACHE_TTL_MS = 5_000;

function unauthorized(res: Response, message: string): ApiError {
  res.set('WWW-Authenticate', 'Bearer realm="creator-tracker"');
  return new ApiError(401, 'unauthorized', message);
}

/**
 * `Authorization: Bearer <key>` or `X-API-Key: <key>`; 401 with `WWW-Authenticate` for a missing, unknown or revoked
 * key. Verified keys are remembered by hash for `AUTH_CACHE_TTL_MS`, so a busy client costs one lookup per few
 * seconds instead of one per request; unknown keys are never cached (a guess costs a lookup, and the per-IP limit
 * caps guesses).
 */
export function authenticate(pool: Pool, options: { cacheTtlMs?: number } = {}): RequestHandler {
  const ttl = options.cacheTtlMs ?? AUTH_CACHE_TTL_MS;
  const verified = new LRUCache<string, AuthContext>({ max: 10_000, ttl: Math.max(ttl, 1) });
  return async (req, res, next) => {
    const key = presentedKey(req.header('authorization'), req.header('x-api-key'));
    if (!key) throw unauthorized(res, 'Missing API key: send Authorization: Bearer <key> or X-API-Key');
    if (key.length > 200) throw unauthorized(res, 'Invalid or revoked API key');
    const hash = hashApiKey(key);
    let found = ttl > 0 ? verified.get(hash) : undefined;
    if (!found) {
      found = await teamForKeyHash(pool, hash);
      if (!found) throw unauthorized(res, 'Invalid or revoked API key');
      if (ttl > 0) verified.set(hash, found);
    }
    res.locals.auth = found satisfies AuthContext;
    next();
  };
}

/** Which limit refused a request (`key` or `ip`), for the API's metrics. */
export const rateLimitedBy = (res: Response): string | undefined => res.locals.rateLimitedBy as string | undefined;

function limiter(
  perMinute: number,
  keyOf: (res: Response) => string | undefined,
  what: string,
  limit: 'key' | 'ip',
): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: false,
    // X-RateLimit-Limit / -Remaining / -Reset, and Retry-After when refused
    legacyHeaders: true,
    keyGenerator: (req, res) => keyOf(res) ?? ipKeyGenerator(req.ip ?? 'unknown'),
    handler: (_req, res, next) => {
      res.locals.rateLimitedBy = limit;
      next(new ApiError(429, 'rate_limited', `Rate limit exceeded (${perMinute} requests per minute per ${what})`));
    },
  });
}

/** Per-key limit, after authentication. */
export function perKeyRateLimit(perMinute: number): RequestHandler {
  return limiter(perMinute, (res) => (res.locals.auth as AuthContext | undefined)?.keyId, 'API key', 'key');
}

/** Per-IP throttle before authentication, so floods and key spraying are capped whatever key they present. */
export function perIpRateLimit(perMinute: number): RequestHandler {
  return limiter(perMinute, () => undefined, 'client address', 'ip');
}
