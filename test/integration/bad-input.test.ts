import { trackAndFinalize } from '../helpers/creators';
import { stackForSuite } from '../helpers/stack';
import { teamClient } from '../helpers/teams';

/**
 * Input the API cannot store or does not serve gets one clear 4xx in the error envelope, never a 500: NUL bytes,
 * bodies that are not JSON, unknown query parameters, wrong methods on known paths. Every answer carries a request id
 * and `/v1` answers are never cached.
 */
describe('bad input, one answer', () => {
  // webhook URLs on loopback are allowed here, so no name has to resolve; no relay runs (relayTeams is empty)
  const suite = stackForSuite({ webhooks: { allowInsecureLoopback: true, relayTeams: () => [] } });

  const raw = (path: string, init: RequestInit = {}) => fetch(`${suite.stack.baseUrl}${path}`, init);
  const errorOf = async (res: Response) => ((await res.json()) as { error: Record<string, unknown> }).error;

  it('refuses a NUL byte with a 400 naming the field, in queries and bodies alike', async () => {
    const { api, key } = await teamClient(suite.stack);
    for (const path of ['/v1/tracking/creators?search=%00', '/v1/tracking/videos?search=a%00b']) {
      const res = await api.get(path);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'invalid_request',
        details: [{ location: 'query', path: 'search', message: expect.stringContaining('NUL') }],
      });
    }
    const hook = { url: 'http://127.0.0.1:9/in', enabled_events: ['*'], description: 'bad\u0000name' };
    const created = await api.post('/v1/webhooks', hook);
    expect(created.status).toBe(400);
    expect(created.body.error.details).toEqual([
      { location: 'body', path: 'description', message: expect.stringContaining('NUL') },
    ]);
    const good = await api.post('/v1/webhooks', { ...hook, description: 'fine' });
    expect(good.status).toBe(201);
    const patched = await raw(`/v1/webhooks/${good.body.data.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{"description": "nul \\u0000 escaped"}',
    });
    expect(patched.status).toBe(400);
    expect((await api.get(`/v1/webhooks/${good.body.data.id}`)).body.data.description).toBe('fine');
  });

  it('answers 415 for a body that is not declared as JSON, saying so', async () => {
    const { key } = await teamClient(suite.stack);
    const body = JSON.stringify({ platform: 'tiktok', handle: 'charli' });
    const asText = await raw('/v1/tracking/creators', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' },
      body,
    });
    expect(asText.status).toBe(415);
    expect(await errorOf(asText)).toMatchObject({
      code: 'unsupported_media_type',
      message: expect.stringContaining('application/json'),
    });
    const untyped = await raw('/v1/tracking/creators', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: new Blob([body]),
    });
    expect(untyped.status).toBe(415);
    expect((await errorOf(untyped)).message).toContain('no Content-Type');
  });

  it('refuses unknown query parameters like unknown body keys', async () => {
    const { api } = await teamClient(suite.stack);
    const res = await api.get('/v1/usage?limt=5');
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ location: 'query' })]);
    expect(res.body.error.message).toContain('limt');
    expect((await api.get('/v1/usage?limit=5')).status).toBe(200);
    expect((await api.get('/v1/account?verbose=1')).status).toBe(400);
  });

  it('answers 405 with Allow for a method a known path does not serve, and 404 for unknown paths', async () => {
    const { key } = await teamClient(suite.stack);
    const auth = { authorization: `Bearer ${key}` };
    const put = await raw('/v1/account', { method: 'PUT', headers: auth });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD');
    expect(await errorOf(put)).toMatchObject({ status: 405, code: 'method_not_allowed' });
    const del = await raw('/v1/usage', { method: 'DELETE', headers: auth });
    expect(del.status).toBe(405);
    expect((await raw('/v1/nothing-here', { headers: auth })).status).toBe(404);
  });

  it('asks for a bearer token on 401, carries a request id everywhere and never lets /v1 answers be cached', async () => {
    const { key } = await teamClient(suite.stack);
    const anonymous = await raw('/v1/account');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="creator-tracker"');
    const generated = anonymous.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect((await errorOf(anonymous)).request_id).toBe(generated);

    const given = await raw('/v1/account', { headers: { authorization: `Bearer ${key}`, 'x-request-id': 'trace-42' } });
    expect(given.status).toBe(200);
    expect(given.headers.get('x-request-id')).toBe('trace-42');
    expect(given.headers.get('cache-control')).toBe('no-store');
    // the API security headers of a JSON answer, and none of the HTML-document ones
    expect(given.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(given.headers.get('x-content-type-options')).toBe('nosniff');
    expect(given.headers.get('x-frame-options')).toBe('DENY');
    expect(given.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(given.headers.get('x-dns-prefetch-control')).toBeNull();
    // nothing stores the answer to revalidate it: no ETag hashed from every body
    expect(given.headers.get('etag')).toBeNull();
    expect(anonymous.headers.get('content-security-policy')).toBe(given.headers.get('content-security-policy'));
    // a header that is not a plain token is replaced, never echoed
    const unsafe = await raw('/v1/account', { headers: { authorization: `Bearer ${key}`, 'x-request-id': 'a b<c>' } });
    expect(unsafe.headers.get('x-request-id')).not.toBe('a b<c>');
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reads a date-only end_date as its whole day on snapshots, posts and usage alike', async () => {
    const { api } = await teamClient(suite.stack);
    const { id } = await trackAndFinalize(api, '/v1/tracking/creators', { platform: 'tiktok', handle: 'whole.day' });
    const today = new Date().toISOString().slice(0, 10);
    const snapshots = await api.get(`/v1/tracking/creators/${id}/snapshots?start_date=${today}&end_date=${today}`);
    expect(snapshots.status).toBe(200);
    expect(snapshots.body.data).toHaveLength(1);
    const usage = await api.get(`/v1/usage?start_date=${today}&end_date=${today}`);
    expect(usage.body.data.map((u: { operation: string }) => u.operation)).toEqual(['tracking_cycle']);
    const posts = await api.get(`/v1/tracking/creators/${id}/posts?end_date=${today}&limit=1`);
    expect(posts.body.pagination.total).toBeGreaterThan(0);
    const inverted = await api.get(`/v1/usage?start_date=${today}&end_date=2020-01-01`);
    expect(inverted.status).toBe(400);
  });

  it('refuses a url and a handle that name different creators, and accepts them when they agree', async () => {
    const { api } = await teamClient(suite.stack);
    const url = 'https://www.tiktok.com/@agree.or.not';
    const clash = await api.post('/v1/tracking/creators', { platform: 'tiktok', url, handle: 'someone.else' });
    expect(clash.status).toBe(400);
    expect(clash.body.error.message).toContain('someone.else');
    expect((await api.get('/v1/tracking/creators')).body.pagination.total).toBe(0);
    const agree = await api.post('/v1/tracking/creators', { platform: 'tiktok', url, handle: '@Agree.Or.Not' });
    expect(agree.status).toBe(202);
    const tracked = await api.get(`/v1/tracking/creators/${agree.body.data.id}`);
    expect(tracked.body.data.platform_handle).toBe('agree.or.not');
  });

  it('refuses a freshness_days that is not a whole number instead of reading it as 0 days and charging', async () => {
    const { api } = await teamClient(suite.stack);
    const { id } = await trackAndFinalize(api, '/v1/tracking/creators', { platform: 'tiktok', handle: 'fresh.days' });
    for (const freshness of [false, '', [], '7', null]) {
      const res = await api.post(`/v1/tracking/creators/${id}/audience-refresh`, { freshness_days: freshness });
      expect({ freshness, status: res.status }).toEqual({ freshness, status: 400 });
    }
    expect((await api.get(`/v1/tracking/creators/${id}/audience-geography?freshness_days=`)).status).toBe(400);
    const usage = await api.get('/v1/usage');
    expect(usage.body.data.map((u: { operation: string }) => u.operation)).toEqual(['tracking_cycle']);
  });
});
