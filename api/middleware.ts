import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { requestScope } from '../telemetry/request-id';
import { ApiError } from './errors';

/** A client's `X-Request-Id` is kept when it is a plain token; anything else is replaced by a new UUID. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request's id: echoed in `X-Request-Id`, in every error envelope and log line, and in the workflows it reaches. */
export const requestIdOf = (res: Response): string | undefined => res.locals.requestId as string | undefined;

export const requestId: RequestHandler = (req, res, next) => {
  const given = req.header('x-request-id');
  const id = given && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.set('X-Request-Id', id);
  // the Temporal client's interceptor reads it from here (telemetry/request-id.ts)
  requestScope(id, next);
};

/** API answers are per key and change with every cycle: no shared or private cache may keep them. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};

const hasBody = (headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean =>
  headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;

/**
 * A body must be JSON and say so: without this, a form-encoded or untyped body would be skipped by the JSON parser
 * and then refused field by field as if it were empty.
 */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  if (hasBody(req.headers) && !req.is('application/json')) {
    const given = req.header('content-type');
    throw new ApiError(
      415,
      'unsupported_media_type',
      given
        ? `Content-Type ${given} is not supported: send the body as application/json`
        : 'The request has a body but no Content-Type: send it as application/json',
    );
  }
  next();
};

/** Where the first NUL sits in a parsed value (keys included), as a dotted path; undefined when there is none. */
function nulPath(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulPath(item, [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) return [...path, key];
      const found = nulPath(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Postgres cannot store U+0000 in text or jsonb (error 22021 / 22P05): such input is refused up front, naming the
 * field, rather than reaching the database as a 500.
 */
export const refuseNul: RequestHandler = (req, _res, next) => {
  for (const [location, value] of [
    ['query', req.query],
    ['body', req.body],
  ] as const) {
    const path = nulPath(value);
    if (path) {
      const field = path.join('.');
      throw new ApiError(400, 'invalid_request', `Invalid ${location}: ${field}: must not contain NUL (\\u0000)`, [
        { location, path: field, message: 'must not contain NUL (\\u0000) characters' },
      ]);
    }
  }
  next();
};

/**
 * The security headers of JSON answers (`/v1`), as the OWASP REST Security Cheat Sheet lists them for APIs: a policy
 * that lets the body load nothing and be framed nowhere, no MIME sniffing, HSTS, and `Cache-Control: no-store`
 * (`noStore`). helmet's HTML-document headers (cross-origin isolation, DNS prefetch, download options, ...) protect
 * pages, not JSON; leaving them off halves the headers of every API answer. `/docs`, `/openapi.json` and `/healthz` keep
 * helmet's full set.
 */
export const jsonApiHeaders: RequestHandler = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  crossOriginEmbedderPolicy: false,
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: { action: 'deny' },
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
});

/** helmet's full set for everything but `/v1`. */
const pageHeaders = helmet();

export const securityHeaders: RequestHandler = (req, res, next) =>
  req.path.startsWith('/v1/') ? jsonApiHeaders(req, res, next) : pageHeaders(req, res, next);
