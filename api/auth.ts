import type { RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Pool } from 'pg';
import { teamForApiKey } from '../db/teams';
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

/** `Authorization: Bearer <key>` or `X-API-Key: <key>`; 401 for a missing, unknown or revoked key. */
export function authenticate(pool: Pool): RequestHandler {
  return async (req, res, next) => {
    const key = presentedKey(req.header('authorization'), req.header('x-api-key'));
    if (!key) throw new ApiError(401, 'unauthorized', 'Missing API key: send Authorization: Bearer <key> or X-API-Key');
    const found = key.length <= 200 ? await teamForApiKey(pool, key) : undefined;
    if (!found) throw new ApiError(401, 'unauthorized', 'Invalid or revoked API key');
    res.locals.auth = found satisfies AuthContext;
    next();
  };
}

function limiter(perMinute: number, keyOf: (res: Response) => string | undefined, what: string): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: false,
    // X-RateLimit-Limit / -Remaining / -Reset, and Retry-After when refused
    legacyHeaders: true,
    keyGenerator: (req, res) => keyOf(res) ?? ipKeyGenerator(req.ip ?? 'unknown'),
    handler: (_req, _res, next) => {
      next(new ApiError(429, 'rate_limited', `Rate limit exceeded (${perMinute} requests per minute per ${what})`));
    },
  });
}

/** Per-key limit, after authentication. */
export function perKeyRateLimit(perMinute: number): RequestHandler {
  return limiter(perMinute, (res) => (res.locals.auth as AuthContext | undefined)?.keyId, 'API key');
}

/** Per-IP throttle before authentication, so floods and key spraying are capped whatever key they present. */
export function perIpRateLimit(perMinute: number): RequestHandler {
  return limiter(perMinute, () => undefined, 'client address');
}
