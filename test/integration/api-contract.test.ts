import { randomUUID } from 'node:crypto';
import { apiRoutes } from '../../api/app';
import type { Route } from '../../api/route';
import { trackAndFinalize } from '../helpers/creators';
import { apiClient } from '../helpers/http';
import { stackForSuite } from '../helpers/stack';
import { teamClient } from '../helpers/teams';

/**
 * The route list the app mounts is the one the OpenAPI document is built from; these tests walk that list (no
 * hand-written copies): each operation is documented completely, served, and private to the team that owns it.
 */
describe('the API contract, from the route registry', () => {
  const suite = stackForSuite({ webhooks: { allowInsecureLoopback: true, relayTeams: () => [] } });
  const registry = () => {
    const { health, routes } = apiRoutes({
      pool: suite.stack.pool,
      temporal: suite.stack.client,
      taskQueue: suite.stack.taskQueue,
    });
    return [...health, ...routes];
  };
  const key = (r: Pick<Route, 'method' | 'path'>) => `${r.method.toUpperCase()} ${r.path}`;

  /** A path for the route: `{id}` is `id`, other parameters a fresh UUID or, where the schema wants, a number. */
  function concrete(r: Route, id: string): string {
    return r.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (name === 'id') return id;
      const candidates = [randomUUID(), '7212345678901234567'];
      const params = r.request?.params;
      const fits = (value: string) => !params || params.safeParse({ id, [name]: value }).success;
      return candidates.find(fits) ?? candidates[0]!;
    });
  }

  it('documents every declared operation once, completely, with examples that match their schemas', async () => {
    const doc = (await apiClient(suite.stack.baseUrl).get('/openapi.json')).body as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const routes = registry();
    expect(documented.sort()).toEqual(routes.map(key).sort());
    const ids = routes.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of routes) {
      const op = doc.paths[r.path]![r.method]!;
      expect({ op: key(r), operationId: op.operationId, tags: op.tags, summary: typeof op.summary }).toEqual({
        op: key(r),
        operationId: r.operationId,
        tags: [r.tag],
        summary: 'string',
      });
      for (const [status, response] of Object.entries(r.responses)) {
        if (!response.schema) continue;
        const parsed = response.schema.safeParse(response.example);
        expect({ op: key(r), status, example: parsed.success ? 'valid' : parsed.error.message }).toEqual({
          op: key(r),
          status,
          example: 'valid',
        });
      }
      if (r.request?.body)
        expect({ op: key(r), body: r.request.body.safeParse(r.request.bodyExample).success }).toEqual({
          op: key(r),
          body: true,
        });
    }
  });

  it('serves every declared operation: none answers "no route" or 405', async () => {
    const { key: apiKey } = await teamClient(suite.stack);
    for (const r of registry()) {
      const res = await fetch(`${suite.stack.baseUrl}${concrete(r, randomUUID())}`, {
        method: r.method.toUpperCase(),
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: r.request?.body ? JSON.stringify(r.request.bodyExample) : undefined,
      });
      const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
      const served = res.status !== 405 && !(body.error?.message?.startsWith('No route') ?? false);
      expect({ op: key(r), served, status: res.status }).toEqual({ op: key(r), served: true, status: res.status });
    }
  });

  it("answers another team's resources exactly as missing ones, on every route that names one", async () => {
    const owner = await teamClient(suite.stack);
    const stranger = await teamClient(suite.stack);
    const { id: creatorId } = await trackAndFinalize(owner.api, '/v1/tracking/creators', {
      platform: 'tiktok',
      handle: 'mine.only',
    });
    const { id: videoId } = await trackAndFinalize(owner.api, '/v1/tracking/videos', {
      platform: 'tiktok',
      url: 'https://www.tiktok.com/@mine.only/video/7212345678901234567',
    });
    const hook = await owner.api.post('/v1/webhooks', { url: 'http://127.0.0.1:9/in', enabled_events: ['*'] });
    const owned: Record<string, string> = {
      '/v1/tracking/creators/{id}': creatorId,
      '/v1/tracking/videos/{id}': videoId,
      '/v1/webhooks/{id}': hook.body.data.id as string,
    };
    const named = registry().filter((r) => Object.keys(owned).some((prefix) => r.path.startsWith(prefix)));
    expect(named.length).toBeGreaterThan(20);
    for (const r of named) {
      const ownerId = Object.entries(owned).find(([prefix]) => r.path.startsWith(prefix))![1];
      const answers = [];
      for (const id of [ownerId, randomUUID()]) {
        const res = await fetch(`${suite.stack.baseUrl}${concrete(r, id)}`, {
          method: r.method.toUpperCase(),
          headers: { authorization: `Bearer ${stranger.key}`, 'content-type': 'application/json' },
          body: r.request?.body ? JSON.stringify(r.request.bodyExample) : undefined,
        });
        const { error } = (await res.json()) as { error: { code: string; message: string } };
        answers.push({ status: res.status, code: error.code, message: error.message });
      }
      expect({ op: key(r), foreign: answers[0] }).toEqual({ op: key(r), foreign: answers[1] });
      expect({ op: key(r), status: answers[0]!.status }).toEqual({ op: key(r), status: 404 });
    }
    // the owner still sees everything untouched
    expect((await owner.api.get(`/v1/tracking/creators/${creatorId}`)).body.data.status).toBe('active');
  });
});
