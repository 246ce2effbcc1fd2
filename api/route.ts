import { Router, type Request, type Response } from 'express';
import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { DOWNLOAD_MEDIA_TYPES, downloadFormat, formatParam, sendDownload } from './download';
import type { AuthContext } from './auth';
import { ApiError, fromZodError } from './errors';
import { encoded, type ReadCache } from './read-cache';

/**
 * One declaration per route: method, path, request and response schemas, documentation and handler. The same object
 * registers the Express route (which parses every request part with its schema, rejecting unknown query parameters
 * like unknown body keys) and the OpenAPI operation, so the document cannot drift from what the server does.
 */

export type Method = 'get' | 'post' | 'patch' | 'delete';

/** The error statuses an operation documents besides the ones every route shares (see `documentedErrors`). */
export type ErrorStatus = 402 | 404 | 409;

export interface ResponseSpec {
  description: string;
  /** absent for an empty body (204) */
  schema?: z.ZodType;
  /** a realistic body, shown in the docs */
  example?: unknown;
  /** documented response headers, by name → description */
  headers?: Record<string, string>;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** the body as JSON text already (assembled by Postgres), sent as it is instead of serializing `body` */
  json?: string;
}

type Part = z.ZodType | undefined;
type Parsed<S extends Part> = S extends z.ZodType ? z.output<S> : Record<string, never>;

export interface RouteInput<P extends Part, Q extends Part, B extends Part> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
  req: Request;
  res: Response;
}

export interface RouteSpec<P extends Part = Part, Q extends Part = Part, B extends Part = Part> {
  method: Method;
  /** OpenAPI form: `/v1/tracking/creators/{id}` */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** answered without an API key (health, the document itself) */
  public?: boolean;
  request?: { params?: P; query?: Q; body?: B; bodyExample?: unknown };
  /** the success responses, by status */
  responses: Record<number, ResponseSpec>;
  /** the operation's own error cases, by status → when it happens */
  errors?: Partial<Record<ErrorStatus, string>>;
  /** answers with `{status, body}`, or writes the response itself and returns nothing */
  handler(input: RouteInput<P, Q, B>): Promise<Reply | void>;
  /** the route's download (api/download.ts): its 200 is then also CSV or NDJSON of every matching row */
  download?: DownloadSpec<P, Q>;
  /**
   * a read of the team's tracked rows and snapshots only (the tables migration 0014 notifies for), so its 200 may be
   * served from the read cache (api/read-cache.ts) until the team's rows change
   */
  cached?: true;
  /**
   * Undocumented forms of `path` that stop before its last parameters (`/a/{x}/` for `/a/{x}/{y}`), served by this
   * route with the parameters they leave out parsed as empty: an empty last segment then answers the route's own 400
   * naming the parameter, not a 404 for no route. Matched with or without the trailing slash.
   */
  emptyParamPaths?: readonly string[];
}

export interface DownloadSpec<P extends Part = Part, Q extends Part = Part> {
  /** one item: its keys are the CSV columns, in order */
  item: z.ZodObject;
  /** the file name, without the extension */
  filename(input: RouteInput<P, Q, undefined>): string;
  /**
   * every row the filters match (no pagination), as items; checks (ownership, date order) happen before it resolves,
   * so they still answer in the error envelope
   */
  rows(input: RouteInput<P, Q, undefined>): Promise<AsyncIterable<unknown>>;
}

/** A route with its request types erased, so routes of different shapes share one list. */
export type Route = RouteSpec<Part, Part, Part>;

/** Declares a route; the request parts' types flow from the schemas into the handler. */
export function route<P extends Part = undefined, Q extends Part = undefined, B extends Part = undefined>(
  spec: RouteSpec<P, Q, B>,
): Route {
  if (!spec.download) return spec as unknown as Route;
  // a download route also takes `format`, parsed (and documented) with its other query parameters
  const query = (spec.request?.query ?? z.object({})) as unknown as z.ZodObject;
  return { ...spec, request: { ...spec.request, query: query.extend({ format: formatParam }) } } as unknown as Route;
}

/** `{ "data": ... }`: the envelope of every single-resource answer. */
export const dataOf = <S extends z.ZodType>(schema: S) => z.object({ data: schema });

export const paginationSchema = z
  .object({
    page: z.number().int().min(1),
    limit: z.number().int().min(1),
    total: z.number().int().min(0),
    total_pages: z.number().int().min(0),
    has_next_page: z.boolean(),
    has_prev_page: z.boolean(),
  })
  .meta({ id: 'Pagination' });

/** `{ "data": [...], "pagination": ... }`: the envelope of every list. */
export const pageOf = <S extends z.ZodType>(schema: S) =>
  z.object({ data: z.array(schema), pagination: paginationSchema });

export const errorEnvelope = z
  .object({
    error: z.object({
      status: z.number().int(),
      code: z.string(),
      message: z.string(),
      details: z.unknown().optional(),
      request_id: z.string().optional(),
    }),
  })
  .meta({ id: 'Error' });

const noParts = z.object({}).strict();

/** The Content-Type Express gives a JSON text: an answer sent as bytes sets it itself, so hits and misses match. */
const JSON_UTF8 = 'application/json; charset=utf-8';

const expressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

const parameterNames = (path: string): string[] => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);

function strict(schema: Part): z.ZodType {
  if (!schema) return noParts;
  return schema instanceof z.ZodObject ? schema.strict() : schema;
}

function parse(part: 'path' | 'query' | 'body', schema: z.ZodType, value: unknown): unknown {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw fromZodError(part, result.error);
  return result.data;
}

/**
 * Literal segments before parameters, so `POST .../posts/collect` is matched before `GET .../posts/{post_id}` can
 * capture `collect`, and a wrong method on a literal path answers 405 instead of being read as an id.
 */
function specificity(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment.startsWith('{') ? '\uffff' : segment))
    .join('/');
}

/**
 * Mounts the routes on one router: each path's methods, then a 405 naming the allowed methods (`Allow`) for any
 * other method on that path.
 */
export interface RouterOptions {
  validateResponses?: boolean;
  /** serves `cached` routes' 200s from memory; every other authenticated write drops its team's bodies */
  cache?: ReadCache;
}

export function routerOf(routes: readonly Route[], options: RouterOptions = {}): Router {
  const { cache } = options;
  const router = Router();
  /** each path's routes, with the parameters of theirs the path leaves out (an `emptyParamPaths` form) */
  const byPath = new Map<string, { r: Route; empty: string[] }[]>();
  const serve = (path: string, r: Route, empty: string[]) =>
    byPath.set(path, [...(byPath.get(path) ?? []), { r, empty }]);
  for (const r of routes) {
    serve(r.path, r, []);
    for (const path of r.emptyParamPaths ?? []) {
      const named = new Set(parameterNames(path));
      const empty = parameterNames(r.path).filter((name) => !named.has(name));
      if (!r.path.startsWith(path.replace(/\/$/, '')) || empty.length === 0) {
        throw new Error(`${r.operationId}: ${path} is not ${r.path} without its last parameters`);
      }
      serve(path, r, empty);
    }
  }
  const paths = [...byPath.keys()].sort((a, b) => (specificity(a) < specificity(b) ? -1 : 1));
  for (const path of paths) {
    const declared = byPath.get(path) ?? [];
    // one router layer per path, dispatching on the method: a request is matched against each path once
    const methods = router.route(expressPath(path));
    for (const { r, empty } of declared) {
      const params = strict(r.request?.params);
      const query = strict(r.request?.query);
      const body = r.request?.body;
      const reads = cache && r.cached && r.method === 'get' ? cache : undefined;
      const writes = cache && r.method !== 'get' ? cache : undefined;
      const emptyParams = Object.fromEntries(empty.map((name) => [name, '']));
      methods[r.method](async (req, res) => {
        // the same URL answers JSON or a file by Accept: caches must keep them apart
        if (r.download) res.vary('Accept');
        // a URL stored once answered 200 with these very parts, so a hit needs no parsing either; only JSON is kept
        const format = req.query.format;
        const file = r.download && downloadFormat(req, typeof format === 'string' ? format : undefined);
        const team = reads && !file && (res.locals.auth as AuthContext | undefined)?.teamId;
        const key = team ? reads.begin(team, req.originalUrl) : undefined;
        const hit = key === undefined ? undefined : reads?.get(key);
        if (hit !== undefined) return void res.status(200).set('Content-Type', JSON_UTF8).send(hit);
        const input = {
          params: parse('path', params, { ...emptyParams, ...req.params }) as never,
          query: parse('query', query, req.query) as never,
          body: (body ? parse('body', strict(body), req.body) : {}) as never,
          req,
          res,
        };
        if (r.download) {
          const format = downloadFormat(req, (input.query as { format?: string }).format);
          if (format) {
            const { item, filename, rows } = r.download;
            return sendDownload(res, format, filename(input), Object.keys(item.shape), await rows(input));
          }
        }
        let reply: Reply | void;
        try {
          reply = await r.handler(input);
        } finally {
          // a write may have committed whatever it answers (even an error): its caller's next read through this
          // process must not find the team's old bodies
          const writer = writes && (res.locals.auth as AuthContext | undefined)?.teamId;
          if (writer) writes.changed(writer);
        }
        if (!reply) return;
        const declaredResponse = r.responses[reply.status];
        if (!declaredResponse) throw new Error(`${r.operationId} answered ${reply.status}, which it does not declare`);
        if (options.validateResponses && declaredResponse.schema) {
          const checked = declaredResponse.schema.safeParse(
            reply.json === undefined ? reply.body : JSON.parse(reply.json),
          );
          if (!checked.success) {
            throw new Error(`${r.operationId} ${reply.status} does not match its schema: ${checked.error.message}`);
          }
        }
        if (!declaredResponse.schema) return void res.status(reply.status).end();
        if (team && key && reply.status === 200) {
          // kept encoded: a hit writes the bytes as they are
          const bytes = encoded(reply.json ?? JSON.stringify(reply.body));
          reads?.set(team, key, req.originalUrl, bytes);
          return void res.status(200).set('Content-Type', JSON_UTF8).send(bytes);
        }
        if (reply.json === undefined) res.status(reply.status).json(reply.body);
        else res.status(reply.status).type('application/json').send(reply.json);
      });
    }
    const allowed = declared.map(({ r }) => r.method.toUpperCase());
    if (allowed.includes('GET')) allowed.push('HEAD');
    methods.all((req, res) => {
      res.set('Allow', allowed.join(', '));
      throw new ApiError(
        405,
        'method_not_allowed',
        `${req.method} is not allowed on ${path}; use ${allowed.join(', ')}`,
      );
    });
  }
  return router;
}

const json = (schema: z.ZodType, description: string, example?: unknown) => ({
  description,
  content: { 'application/json': { schema, ...(example === undefined ? {} : { example }) } },
});

/** The errors every operation can answer, and the ones that depend on what it takes. */
function documentedErrors(r: Route): Record<number, ReturnType<typeof json>> {
  const errors: Record<number, ReturnType<typeof json>> = {
    400: json(errorEnvelope, 'Invalid parameters, including unknown query parameters; `details` lists every issue'),
  };
  if (!r.public) {
    errors[401] = json(errorEnvelope, 'Missing, unknown or revoked API key (`WWW-Authenticate: Bearer`)');
    errors[429] = json(errorEnvelope, 'Rate limit exceeded; see `Retry-After` and `X-RateLimit-*`');
  }
  if (r.request?.body) {
    errors[413] = json(errorEnvelope, 'The body exceeds 64 KB');
    errors[415] = json(errorEnvelope, 'The body is not `application/json`');
  }
  for (const [status, when] of Object.entries(r.errors ?? {})) errors[Number(status)] = json(errorEnvelope, when);
  errors[500] = json(errorEnvelope, 'Unexpected error; the body names no internals');
  errors[503] = json(errorEnvelope, 'Postgres or Temporal is not answering; retry after `Retry-After` seconds');
  return errors;
}

/** Adds each route's operation to the registry. */
export function registerRoutes(registry: OpenAPIRegistry, routes: readonly Route[]): void {
  for (const r of routes) {
    const responses: RouteConfig['responses'] = {};
    for (const [status, spec] of Object.entries(r.responses)) {
      const downloads =
        r.download && status === '200'
          ? {
              [DOWNLOAD_MEDIA_TYPES.csv]: {
                schema: z.string().meta({ description: 'a header row, then one row an item' }),
              },
              [DOWNLOAD_MEDIA_TYPES.ndjson]: { schema: r.download.item },
            }
          : {};
      const headers =
        r.download && status === '200'
          ? {
              ...spec.headers,
              'Content-Disposition': 'On a download: `attachment; filename=<name>.csv` (or .ndjson)',
            }
          : spec.headers;
      responses[status] = {
        description: spec.description,
        ...(spec.schema
          ? { content: { ...json(spec.schema, spec.description, spec.example).content, ...downloads } }
          : {}),
        ...(headers
          ? {
              headers: Object.fromEntries(
                Object.entries(headers).map(([name, description]) => [
                  name,
                  { description, schema: { type: 'string' } },
                ]),
              ),
            }
          : {}),
      };
    }
    const body = r.request?.body;
    registry.registerPath({
      method: r.method,
      path: r.path,
      operationId: r.operationId,
      tags: [r.tag],
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      ...(r.public ? { security: [] } : { security: [{ bearer: [] }, { apiKey: [] }] }),
      request: {
        ...(r.request?.params ? { params: r.request.params as z.ZodObject } : {}),
        ...(r.request?.query ? { query: r.request.query as z.ZodObject } : {}),
        ...(body
          ? {
              body: {
                // a body whose every field is optional may be left out (the handler reads it as {})
                required: !body.safeParse({}).success,
                content: {
                  'application/json': {
                    schema: body,
                    ...(r.request?.bodyExample === undefined ? {} : { example: r.request.bodyExample }),
                  },
                },
              },
            }
          : {}),
      },
      responses: { ...responses, ...documentedErrors(r) },
    });
  }
}

export { OpenAPIRegistry, OpenApiGeneratorV31 };
