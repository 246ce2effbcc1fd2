import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { MAX_DOWNLOADS_IN_FLIGHT, sendDownload } from '../../api/download';
import { errorHandler } from '../../api/errors';

/**
 * `sendDownload` on a real Express server: nothing is committed to a file answer before the first row is read, and
 * the downloads streaming at once are capped (each holds a database connection).
 */
describe('sendDownload', () => {
  let server: Server;
  let base: string;
  const gates: (() => void)[] = [];

  /** Rows that wait until the test opens the gate, then end. */
  async function* gated(): AsyncGenerator<unknown> {
    await new Promise<void>((resolve) => gates.push(resolve));
    yield { id: 1, name: 'held' };
  }

  async function* rows(): AsyncGenerator<unknown> {
    yield { id: 1, tags: ['a', 'b,c'] };
    yield { id: 2, tags: [] };
  }

  async function* failingAtOnce(): AsyncGenerator<unknown> {
    throw new Error('the cursor could not open');
  }

  beforeAll(async () => {
    const app = express();
    app.get('/failing', (_req, res) => sendDownload(res, 'csv', 'failing', ['id'], failingAtOnce()));
    app.get('/gated', (_req, res) => sendDownload(res, 'ndjson', 'gated', ['id', 'name'], gated()));
    app.get('/rows', (_req, res) => sendDownload(res, 'csv', 'rows', ['id', 'tags'], rows()));
    app.use(errorHandler(() => undefined));
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const open of gates) open();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers a failure before the first row in the JSON error envelope, not as a file', async () => {
    const res = await fetch(`${base}/failing`);
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toBeNull();
    expect(((await res.json()) as { error: { status: number } }).error.status).toBe(500);
  });

  it('writes a header row, then each item, nested values as JSON', async () => {
    const res = await fetch(`${base}/rows`);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename=rows.csv');
    expect(await res.text()).toBe('id,tags\n1,"[""a"",""b,c""]"\n2,[]\n');
  });

  it(`refuses download ${MAX_DOWNLOADS_IN_FLIGHT + 1} while ${MAX_DOWNLOADS_IN_FLIGHT} stream, and takes it after`, async () => {
    const held = Array.from({ length: MAX_DOWNLOADS_IN_FLIGHT }, () => fetch(`${base}/gated`));
    while (gates.length < MAX_DOWNLOADS_IN_FLIGHT) await new Promise((resolve) => setTimeout(resolve, 10));
    const refused = await fetch(`${base}/gated`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');

    for (const open of gates.splice(0)) open();
    for (const res of await Promise.all(held)) expect(await res.text()).toBe('{"id":1,"name":"held"}\n');
    const after = fetch(`${base}/gated`);
    while (gates.length < 1) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const open of gates.splice(0)) open();
    expect((await after).status).toBe(200);
  });
});
