import { z } from 'zod';
import { fromZodError } from './errors';

/** Parses one request part with its schema; a failure is a 400 listing every issue. Use the returned value only. */
export function parsePart<S extends z.ZodType>(
  part: 'body' | 'query' | 'path',
  schema: S,
  value: unknown,
): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw fromZodError(part, result.error);
  return result.data;
}

/**
 * A UUID, with the exact pattern the check uses stated in the document (`format: uuid` alone is descriptive in
 * OpenAPI 3.1, so a client could not tell which strings are refused).
 */
export const uuidString = z.uuid({ error: 'must be a UUID' }).meta({ pattern: z.regexes.uuid().source } as never);

export const uuidParam = z.object({ id: uuidString });

export const isoDate = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-01-01T00:00:00Z' })
  .or(z.iso.date({ error: 'must be an ISO 8601 date' }))
  .transform((value) => new Date(value));

/** An inclusive upper bound: a date without a time means the end of that day (UTC). */
export const isoEndDate = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-01-01T00:00:00Z' })
  .transform((value) => new Date(value))
  .or(
    z.iso
      .date({ error: 'must be an ISO 8601 date' })
      .transform((value) => new Date(Date.parse(value) + 86_400_000 - 1)),
  );

/**
 * The time filter of every route that has one: both ends inclusive, and a date without a time means the start of that
 * day for `start_date` and its end for `end_date` (UTC), so `end_date=2026-03-01` includes March 1st everywhere.
 */
export const dateRange = {
  start_date: isoDate.optional(),
  end_date: isoEndDate.optional(),
};

/** `GET .../snapshots` of creators and videos: the most recent `limit` in the range. */
export const snapshotsQuery = z.object({
  ...dateRange,
  limit: z.coerce.number().int().min(1).max(365).default(30),
});

/** The highest page a list accepts: far beyond any real list, and a bound the document can state. */
export const MAX_PAGE = 1_000_000;

export function pageQuery(maxLimit: number, defaultLimit: number) {
  return z.object({
    page: z.coerce.number().int().min(1).max(MAX_PAGE).default(1),
    limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
  });
}

/** The `pagination` object of every list response. */
export function pagination(page: number, limit: number, total: number) {
  const totalPages = Math.ceil(total / limit);
  return {
    page,
    limit,
    total,
    total_pages: totalPages,
    has_next_page: page < totalPages,
    has_prev_page: page > 1,
  };
}

/** A page answered from a JSON array text (db/tracked.ts `listTrackedJson`): `{"data": [...], "pagination": {...}}`. */
export const pageJson = (items: string, page: ReturnType<typeof pagination>): string =>
  `{"data":${items},"pagination":${JSON.stringify(page)}}`;

/** A search text: trimmed, and not blank (the document states it as a pattern, since trimming happens here). */
export const searchText = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/\S/, { error: 'must not be blank' })
    .transform((value) => value.trim());
