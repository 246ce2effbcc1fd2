import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { ApiError } from './errors';

/**
 * Downloads: a list route that declares one answers its whole filtered set as CSV or NDJSON instead of a JSON page,
 * streamed from a Postgres cursor (db/cursor.ts), for `?format=csv|ndjson` or an `Accept` naming the type.
 * Pagination does not apply to a download; every other filter does, as on the JSON page.
 */

export const DOWNLOAD_FORMATS = ['csv', 'ndjson'] as const;
export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];

export const DOWNLOAD_MEDIA_TYPES: Record<DownloadFormat, string> = {
  csv: 'text/csv',
  ndjson: 'application/x-ndjson',
};

export const formatParam = z
  .enum(['json', ...DOWNLOAD_FORMATS])
  .optional()
  .meta({
    description:
      'json (the default) answers a page; csv or ndjson download every row matching the other filters (`page` and ' +
      '`limit` do not apply), as does `Accept: text/csv` or `Accept: application/x-ndjson` without this parameter.',
  });

/** The download asked for, `format` first and then `Accept`; undefined for the JSON page. */
export function downloadFormat(req: Request, format: string | undefined): DownloadFormat | undefined {
  if (format !== undefined) return format === 'json' ? undefined : (format as DownloadFormat);
  if (!req.header('accept')) return undefined;
  const accepted = req.accepts(['application/json', DOWNLOAD_MEDIA_TYPES.csv, DOWNLOAD_MEDIA_TYPES.ndjson]);
  if (accepted === DOWNLOAD_MEDIA_TYPES.csv) return 'csv';
  if (accepted === DOWNLOAD_MEDIA_TYPES.ndjson) return 'ndjson';
  return undefined;
}

/** A CSV cell of a nested value (a distribution, a list of hashtags) is its JSON; booleans are true/false. */
const csvOptions = (columns: readonly string[]) => ({
  header: true,
  columns: [...columns],
  cast: {
    boolean: (value: boolean) => String(value),
    object: (value: object) => JSON.stringify(value),
  },
});

async function* ndjsonLines(items: AsyncIterable<unknown>): AsyncGenerator<string> {
  for await (const item of items) yield `${JSON.stringify(item)}\n`;
}

/**
 * Downloads streaming at once per process: each holds a pooled connection for as long as its client reads, so a few
 * slow clients must not take the pool every other request needs. One more answers 503 with `Retry-After`.
 */
export const MAX_DOWNLOADS_IN_FLIGHT = 4;
let inFlight = 0;

/** `first`, then the rest of `iterator`; ending early (a client hanging up) ends the iterator (its cursor closes). */
async function* resumed<T>(first: IteratorResult<T>, iterator: AsyncIterator<T>): AsyncGenerator<T> {
  try {
    for (let next = first; !next.done; next = await iterator.next()) yield next.value;
  } finally {
    await iterator.return?.();
  }
}

/**
 * Streams `items` as a `name.csv` / `name.ndjson` attachment. The first row is read before any header is set, so a
 * failure to open the cursor (an outage, a full pool) still answers in the error envelope as JSON. A client hanging
 * up ends the stream quietly (the cursor's connection goes back to the pool); a failure after the first bytes cuts
 * the connection, since the status is sent.
 */
export async function sendDownload(
  res: Response,
  format: DownloadFormat,
  name: string,
  columns: readonly string[],
  items: AsyncIterable<unknown>,
): Promise<void> {
  if (inFlight >= MAX_DOWNLOADS_IN_FLIGHT) {
    res.set('Retry-After', '5');
    throw new ApiError(503, 'service_unavailable', 'Too many downloads in progress; retry in a few seconds');
  }
  inFlight += 1;
  try {
    const iterator = items[Symbol.asyncIterator]();
    const first = await iterator.next();
    res.attachment(`${name}.${format}`);
    res.status(200).type(`${DOWNLOAD_MEDIA_TYPES[format]}; charset=utf-8`);
    const source = Readable.from(resumed(first, iterator));
    if (format === 'csv') await pipeline(source, stringify(csvOptions(columns)), res);
    else await pipeline(ndjsonLines(source), res);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    throw err;
  } finally {
    inFlight -= 1;
  }
}

/** Rows mapped to items as they stream. */
export async function* mapped<R, T>(rows: AsyncIterable<R>, map: (row: R) => T): AsyncGenerator<T> {
  for await (const row of rows) yield map(row);
}
