import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { outageOf, RETRY_AFTER_SECONDS } from './outages';

export type ErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'payment_required'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'rate_limited'
  | 'internal'
  | 'service_unavailable';

/** Every 4xx/5xx leaves the API as `{ "error": { status, code, message, details?, request_id } }`. */
export interface ErrorEnvelope {
  error: { status: number; code: ErrorCode; message: string; details?: unknown; request_id?: string };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  toEnvelope(): ErrorEnvelope {
    return {
      error: {
        status: this.status,
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export const notFound = (what: string): ApiError => new ApiError(404, 'not_found', `${what} not found`);

export function fromZodError(part: 'body' | 'query' | 'path', error: z.ZodError): ApiError {
  const details = error.issues.map((issue) => ({
    location: part,
    path: issue.path.join('.'),
    message: issue.message,
  }));
  const first = details[0];
  const summary = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid input';
  return new ApiError(400, 'invalid_request', `Invalid ${part}: ${summary}`, details);
}

export const unknownRoute: RequestHandler = (req) => {
  throw new ApiError(404, 'not_found', `No route for ${req.method} ${req.path}`);
};

interface HttpishError {
  status?: number;
  statusCode?: number;
  type?: string;
}

const UNAVAILABLE_WHAT = { Postgres: 'the database', Temporal: 'the workflow engine' } as const;

/**
 * Maps anything thrown to the envelope. Postgres or Temporal being unreachable is a 503 with Retry-After and one log
 * line; other unknown errors are logged and answered 500 without internals.
 */
export function errorHandler(log: (err: unknown) => void): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const outage = err instanceof ApiError ? undefined : outageOf(err);
    let apiError: ApiError;
    if (err instanceof ApiError) {
      apiError = err;
    } else if (outage) {
      // the body names neither host nor driver; the operator's log line says which dependency and why
      log(`503 ${req.method} ${req.path}: ${outage.dependency} unavailable (${outage.reason})`);
      res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      apiError = new ApiError(
        503,
        'service_unavailable',
        `Service temporarily unavailable: ${UNAVAILABLE_WHAT[outage.dependency]} is not answering; retry in ${RETRY_AFTER_SECONDS} seconds`,
      );
    } else if (err instanceof z.ZodError) {
      apiError = fromZodError('body', err);
    } else {
      // body-parser errors carry a status and a type
      const httpish = (err ?? {}) as HttpishError;
      const status = httpish.status ?? httpish.statusCode;
      if (httpish.type === 'entity.too.large') {
        apiError = new ApiError(413, 'payload_too_large', 'Request body exceeds the 64 KB limit');
      } else if (httpish.type === 'entity.parse.failed') {
        apiError = new ApiError(400, 'invalid_request', 'Request body is not valid JSON');
      } else if (status !== undefined && status >= 400 && status < 500) {
        apiError = new ApiError(status, 'invalid_request', 'Invalid request');
      } else {
        log(err);
        apiError = new ApiError(500, 'internal', 'Internal error');
      }
    }
    const envelope = apiError.toEnvelope();
    const requestId = res.locals.requestId as string | undefined;
    res.status(apiError.status).json(requestId ? { error: { ...envelope.error, request_id: requestId } } : envelope);
  };
}
