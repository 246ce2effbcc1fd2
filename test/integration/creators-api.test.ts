import { randomUUID } from 'node:crypto';
import { AUTH_CACHE_TTL_MS } from '../../api/auth';
import { pauseSignal, resumeSignal } from '../../workflows/messages';
import { trackAndFinalize } from '../helpers/creators';
import { requireEnv } from '../helpers/env';
import { recordHistory } from '../helpers/histories';
import { apiClient, eventually } from '../helpers/http';
import { stackForSuite } from '../helpers/stack';
import { ledgerOf, newTeam, teamClient } from '../helpers/teams';

const SNAPSHOT_FIELDS = [
  'id',
  'tracking_account_id',
  'followers',
  'following',
  'total_videos',
  'total_views',
  'total_likes',
  'collected_post_count',
  'subscribers',
  'snapshot_at',
  'delta_followers',
  'delta_following',
  'delta_total_videos',
  'delta_total_views',
  'delta_total_likes',
];

describe('creators API over HTTP against the real stack', () => {
  const suite = stackForSuite();

  it('tracks a creator: 202 with a pending job, then finalized with metrics, snapshot and a full report', async () => {
    const { api, teamId } = await teamClient(suite.stack);
    const { id, created, detail } = await trackAndFinalize(api, '/v1/tracking/creators', {
      platform: 'tiktok',
      handle: 'khaby.lame',
      scrape_cadence: 'twelve_hours',
    });
    expect(created).toEqual({
      id,
      status: 'active',
      message: expect.stringContaining('tracking started'),
      finalized: false,
      pending_jobs: [
        expect.objectContaining({
          type: 'tracking_report',
          poll_url: `/v1/tracking/creators/${id}`,
          result_path: 'data',
          webhook_event: 'tracking.cycle.completed',
          retry_after_seconds: expect.any(Number),
        }),
      ],
    });
    expect(detail).toMatchObject({
      id,
      platform: 'tiktok',
      platform_handle: 'khaby.lame',
      status: 'active',
      scrape_cadence: 'twelve_hours',
      enrichment_status: 'ready',
      finalized: true,
      pending_jobs: [],
      profile_url: 'https://www.tiktok.com/@khaby.lame',
    });
    expect(typeof detail.latest_followers).toBe('number');
    expect(detail.latest_subscribers).toBeNull();
    expect(Date.parse(detail.next_scrape_at) - Date.parse(detail.last_scraped_at)).toBe(12 * 3600_000);

    const snapshots = await api.get(`/v1/tracking/creators/${id}/snapshots`);
    expect(snapshots.status).toBe(200);
    expect(snapshots.body.data).toHaveLength(1);
    const [snapshot] = snapshots.body.data;
    expect(Object.keys(snapshot).sort()).toEqual([...SNAPSHOT_FIELDS].sort());
    expect(snapshot.delta_followers).toBeNull();
    expect(snapshot.subscribers).toBeNull();
    expect(snapshot.collected_post_count).toBeGreaterThan(0);
    expect(typeof snapshot.total_views).toBe('number');

    const report = await api.get(`/v1/tracking/creators/${id}/report`);
    expect(report.status).toBe(200);
    expect(report.body.data.account).toMatchObject({ id, platform: 'tiktok', platform_handle: 'khaby.lame' });
    const analysis = report.body.data.report.analysis;
    for (const key of ['headline', 'recent_focus', 'content_focus', 'growth_insight']) {
      expect(typeof analysis.overview[key]).toBe('string');
    }
    expect(Array.isArray(analysis.what_works)).toBe(true);
    expect(Array.isArray(analysis.content_themes)).toBe(true);
    expect(analysis.posting_patterns).toEqual(
      expect.objectContaining({ frequency: expect.any(String), best_formats: expect.any(Array) }),
    );
    expect(analysis.audience_sentiment).toEqual(
      expect.objectContaining({ overall_summary: expect.any(String), notable_comments: expect.any(Array) }),
    );
    expect(report.body.data.report.model_used).toBe('heuristic-analyst-v1');

    const completed = await suite.stack.pool.query('SELECT data FROM events WHERE resource_id = $1 AND type = $2', [
      id,
      'tracking.cycle.completed',
    ]);
    expect(completed.rows).toHaveLength(1);
    expect(completed.rows[0].data).toMatchObject({ creator: { id, platform_handle: 'khaby.lame' }, cycle: 1 });

    const usage = await api.get('/v1/usage');
    expect(usage.body.data).toEqual([
      expect.objectContaining({ type: 'charge', cost: 25, status: 'captured', resource_id: id }),
    ]);
    const account = await api.get('/v1/account');
    expect(account.body.data).toMatchObject({ balance: 10_000 - 25, credit_unit: 'cent', team: { id: teamId } });
    expect(account.body.data.usage).toMatchObject({ charged: 25, refunded: 0, net: 25, pending: 0 });
  });

  it('lets operators find the workflow by Platform and Handle, with its summary', async () => {
    const { api } = await teamClient(suite.stack);
    const handle = `ops.${randomUUID().slice(0, 6)}`;
    const { id } = await trackAndFinalize(api, '/v1/tracking/creators', {
      platform: 'instagram',
      url: `https://www.instagram.com/${handle}/`,
    });
    const found = await eventually('visibility', async () => {
      for await (const wf of suite.stack.client.workflow.list({
        query: `Platform = "instagram" AND Handle = "${handle}" AND TrackingStatus = "active"`,
      })) {
        return wf;
      }
      return undefined;
    });
    expect(found.workflowId).toBe(`creator:${id}`);
    const description = await suite.stack.client.workflow.getHandle(`creator:${id}`).describe();
    expect(await description.staticSummary()).toBe(`instagram @${handle} · daily`);
  });

  it('returns the existing creator instead of tracking the same one twice, without charging again', async () => {
    const { api, teamId } = await teamClient(suite.stack);
    const { id } = await trackAndFinalize(api, '/v1/tracking/creators', { platform: 'youtube', handle: 'SameOne' });
    const again = await api.post('/v1/tracking/creators', {
      platform: 'youtube',
      url: 'https://www.youtube.com/@sameone',
    });
    expect(again.status).toBe(200);
    expect(again.body.data.id).toBe(id);
    const { entries } = await ledgerOf(suite.stack.pool, teamId);
    expect(entries.filter((e) => e.kind === 'reserve')).toHaveLength(1);
  });

  it('answers 402 before any work when the balance cannot pay, and leaves nothing behind', async () => {
    const { api, teamId } = await teamClient(suite.stack, 10);
    const res = await api.post('/v1/tracking/creators', { platform: 'tiktok', handle: 'too.expensive' });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ status: 402, code: 'payment_required' });
    expect(res.body.error.message).toMatch(/25 credits/);
    expect((await api.get('/v1/tracking/creators')).body.pagination.total).toBe(0);
    expect((await ledgerOf(suite.stack.pool, teamId)).entries.map((e) => e.kind)).toEqual(['topup']);
  });

  it('rejects bad input with 400 listing the issues', async () => {
    const { api } = await teamClient(suite.stack);
    const cases: [unknown, RegExp][] = [
      [{ platform: 'tiktok' }, /either url or handle/],
      [{ platform: 'myspace', handle: 'x' }, /platform/],
      [{ platform: 'tiktok', handle: 'ok.name', scrape_cadence: 'hourly' }, /scrape_cadence/],
      [{ platform: 'tiktok', url: 'https://evil.example.com/@x' }, /url/],
      [{ platform: 'instagram', url: 'https://www.tiktok.com/@someone' }, /url/],
      [{ platform: 'tiktok', handle: 'bad handle!' }, /handle/],
      [{ platform: 'tiktok', handle: 'x.y', extra: 1 }, /extra/],
    ];
    for (const [body, pattern] of cases) {
      const res = await api.post('/v1/tracking/creators', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(JSON.stringify(res.body.error)).toMatch(pattern);
      expect(Array.isArray(res.body.error.details)).toBe(true);
    }
    expect((await api.get('/v1/tracking/creators?limit=0')).status).toBe(400);
    expect((await api.get('/v1/tracking/creators?limit=101')).status).toBe(400);
    expect((await api.get('/v1/tracking/creators/not-a-uuid')).status).toBe(400);
  });

  it('authenticates with Bearer or X-API-Key and refuses missing, unknown and revoked keys with 401', async () => {
    const { key, keyId } = await teamClient(suite.stack);
    const anonymous = apiClient(suite.stack.baseUrl);
    expect((await anonymous.get('/v1/account')).status).toBe(401);
    expect((await anonymous.get('/v1/account', { 'x-api-key': key })).status).toBe(200);
    expect((await anonymous.get('/v1/account', { authorization: 'Bearer ct_unknown' })).status).toBe(401);
    const unknown = await anonymous.get('/v1/account', { authorization: 'Bearer ct_unknown' });
    expect(unknown.headers.get('www-authenticate')).toBe('Bearer realm="creator-tracker"');
    // a verified key is trusted from memory for AUTH_CACHE_TTL_MS; revocation takes effect within that time
    await suite.stack.pool.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1', [keyId]);
    const revoked = await eventually(
      'the revocation to take effect',
      async () => {
        const res = await anonymous.get('/v1/account', { authorization: `Bearer ${key}` });
        return res.status === 401 ? res : undefined;
      },
      AUTH_CACHE_TTL_MS + 5_000,
    );
    expect(revoked.body.error).toEqual({
      status: 401,
      code: 'unauthorized',
      message: 'Invalid or revoked API key',
      request_id: revoked.headers.get('x-request-id'),
    });
  });

  it('lists with pagination, platform filter and case-insensitive search on handle or display name', async () => {
    const { api } = await teamClient(suite.stack);
    const tag = randomUUID().slice(0, 6);
    for (const [platform, handle] of [
      ['tiktok', `alpha.${tag}`],
      ['tiktok', `beta.${tag}`],
      ['youtube', `Gamma${tag}`],
    ]) {
      expect((await api.post('/v1/tracking/creators', { platform, handle })).status).toBe(202);
    }
    const page1 = await api.get('/v1/tracking/creators?limit=2&page=1');
    expect(page1.body.data).toHaveLength(2);
    expect(page1.body.pagination).toEqual({
      page: 1,
      limit: 2,
      total: 3,
      total_pages: 2,
      has_next_page: true,
      has_prev_page: false,
    });
    const page2 = await api.get('/v1/tracking/creators?limit=2&page=2');
    expect(page2.body.data).toHaveLength(1);
    expect(page2.body.pagination.has_prev_page).toBe(true);
    expect((await api.get('/v1/tracking/creators?platform=youtube')).body.data.map((c: any) => c.platform)).toEqual([
      'youtube',
    ]);
    const search = await api.get(`/v1/tracking/creators?search=${`GAMMA${tag}`.toUpperCase()}`);
    expect(search.body.data.map((c: any) => c.platform_handle)).toEqual([`gamma${tag}`]);
    expect(Object.keys(page1.body.data[0])).toEqual(
      expect.arrayContaining(['growth_rate', 'followers_gained', 'latest_followers', 'next_scrape_at']),
    );
  });

  it('patches cadence (next run recalculated from the last scrape) and status, then deletes softly', async () => {
    const { api } = await teamClient(suite.stack);
    const { id, detail } = await trackAndFinalize(api, '/v1/tracking/creators', {
      platform: 'tiktok',
      handle: 'patch.me',
    });
    const lastScraped = Date.parse(detail.last_scraped_at);

    const cadence = await api.patch(`/v1/tracking/creators/${id}`, { scrape_cadence: 'weekly' });
    expect(cadence.status).toBe(200);
    expect(cadence.body.data).toMatchObject({ id, status: 'active', scrape_cadence: 'weekly' });
    expect(Date.parse(cadence.body.data.next_scrape_at) - lastScraped).toBe(7 * 24 * 3600_000);
    const after = (await api.get(`/v1/tracking/creators/${id}`)).body.data;
    expect(after.scrape_cadence).toBe('weekly');
    expect(after.next_scrape_at).toBe(cadence.body.data.next_scrape_at);

    const paused = await api.patch(`/v1/tracking/creators/${id}`, { status: 'paused' });
    expect(paused.body.data).toMatchObject({ status: 'paused', pause_reason: 'manual', next_scrape_at: null });
    const resumed = await api.patch(`/v1/tracking/creators/${id}`, { status: 'active' });
    expect(resumed.body.data.status).toBe('active');

    // operators pause and resume with plain signals (the Temporal UI can send them); the read model follows
    const workflow = suite.stack.client.workflow.getHandle(`creator:${id}`);
    const statusIs = (status: string) => async () =>
      (await api.get(`/v1/tracking/creators/${id}`)).body.data.status === status ? true : undefined;
    await workflow.signal(pauseSignal);
    await eventually('signalled pause', statusIs('paused'));
    await workflow.signal(resumeSignal);
    await eventually('signalled resume', statusIs('active'));
    expect((await api.patch(`/v1/tracking/creators/${id}`, {})).status).toBe(400);
    expect((await api.patch(`/v1/tracking/creators/${id}`, { status: 'stopped' })).status).toBe(400);

    const removed = await api.delete(`/v1/tracking/creators/${id}`);
    expect(removed.status).toBe(204);
    expect(removed.body).toBeUndefined();
    expect((await api.get('/v1/tracking/creators')).body.data.map((c: any) => c.id)).not.toContain(id);
    const history = await api.get(`/v1/tracking/creators/${id}`);
    expect(history.body.data).toMatchObject({ status: 'stopped', stop_reason: 'requested' });
    expect((await api.get(`/v1/tracking/creators/${id}/snapshots`)).body.data).toHaveLength(1);
    expect((await api.patch(`/v1/tracking/creators/${id}`, { status: 'active' })).status).toBe(409);
    expect((await api.delete(`/v1/tracking/creators/${id}`)).status).toBe(204);
    await eventually('workflow completion', async () => {
      const d = await suite.stack.client.workflow.getHandle(`creator:${id}`).describe();
      return d.status.name === 'COMPLETED' ? d : undefined;
    });
    recordHistory(requireEnv('TEMPORAL_ADDRESS'), `creator:${id}`, 'creator-lifecycle');
  });

  it('filters snapshots by date and limit, and usage by resource', async () => {
    const { api } = await teamClient(suite.stack);
    const { id } = await trackAndFinalize(api, '/v1/tracking/creators', { platform: 'tiktok', handle: 'dated.one' });
    const future = '2999-01-01T00:00:00Z';
    expect((await api.get(`/v1/tracking/creators/${id}/snapshots?start_date=${future}`)).body.data).toEqual([]);
    expect((await api.get(`/v1/tracking/creators/${id}/snapshots?end_date=2000-01-01`)).body.data).toEqual([]);
    expect((await api.get(`/v1/tracking/creators/${id}/snapshots?limit=1`)).body.data).toHaveLength(1);
    expect((await api.get(`/v1/tracking/creators/${id}/snapshots?limit=366`)).status).toBe(400);
    expect((await api.get(`/v1/tracking/creators/${id}/snapshots?start_date=yesterday`)).status).toBe(400);
    expect((await api.get(`/v1/usage?resource_id=${id}`)).body.data).toHaveLength(1);
    expect((await api.get(`/v1/usage?resource_id=${randomUUID()}`)).body.data).toHaveLength(0);
  });

  it('records a failed first cycle as typed, refunds it (negative-cost usage row) and finalizes', async () => {
    const { api } = await teamClient(suite.stack);
    const { id, detail } = await trackAndFinalize(api, '/v1/tracking/creators', {
      platform: 'tiktok',
      handle: 'deleted_someone',
    });
    expect(detail).toMatchObject({ enrichment_status: 'failed', consecutive_failures: 1 });
    expect(detail.last_failure).toMatchObject({ kind: 'deleted' });
    expect(detail.latest_followers).toBeNull();
    const usage = (await api.get(`/v1/usage?resource_id=${id}`)).body.data;
    expect(usage.map((u: any) => [u.type, u.cost, u.status])).toEqual([
      ['refund', -25, 'refunded'],
      ['charge', 25, 'refunded'],
    ]);
  });
});

describe('OpenAPI document', () => {
  const suite = stackForSuite();

  it('is generated from the same zod schemas that validate requests', async () => {
    const res = await apiClient(suite.stack.baseUrl).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const post = res.body.paths['/v1/tracking/creators'].post;
    const schema = post.requestBody.content['application/json'].schema;
    expect(schema.properties.platform.enum).toEqual(['tiktok', 'youtube', 'instagram']);
    expect(schema.properties.scrape_cadence.enum).toContain('bi_weekly');
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '402']));
    const video = res.body.paths['/v1/tracking/videos'].post.requestBody.content['application/json'].schema;
    expect(video.properties.scrape_cadence.enum).toContain('adaptive');
    expect(res.body.paths).toHaveProperty(['/v1/tracking/videos/{id}/trajectory']);
    expect(res.body.paths).toHaveProperty(['/v1/usage']);
  });
});

describe('API limits', () => {
  const suite = stackForSuite({ rateLimitPerMinute: 3 });

  it('answers 429 with Retry-After and X-RateLimit headers once a key spends its per-minute budget', async () => {
    const t = await newTeam(suite.stack.pool, 100);
    const api = apiClient(suite.stack.baseUrl, t.key);
    const first = await api.get('/v1/account');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('3');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('2');
    await api.get('/v1/account');
    await api.get('/v1/account');
    const limited = await api.get('/v1/account');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body.error.code).toBe('rate_limited');
    // another key has its own budget
    const other = apiClient(suite.stack.baseUrl, (await newTeam(suite.stack.pool, 100)).key);
    expect((await other.get('/v1/account')).status).toBe(200);
  });

  it('refuses bodies over 64 KB with 413 on authenticated routes', async () => {
    const t = await newTeam(suite.stack.pool, 100);
    const res = await apiClient(suite.stack.baseUrl, t.key).post('/v1/tracking/creators', {
      platform: 'tiktok',
      handle: 'x'.repeat(70 * 1024),
    });
    expect(res.status).toBe(413);
  });
});
