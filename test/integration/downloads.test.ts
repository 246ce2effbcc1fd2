import { parse } from 'csv-parse/sync';
import { CURSOR_BATCH } from '../../db/cursor';
import { trackedCreator, untilDone } from '../helpers/creators';
import { stackForSuite } from '../helpers/stack';
import { teamClient } from '../helpers/teams';

/**
 * Snapshots, posts, usage and audience snapshots download as CSV or NDJSON: the whole filtered set (pagination does
 * not apply), streamed through a cursor in batches, with the JSON route's filters and a filename, chosen by `format`
 * or by `Accept`. Errors before the first byte still answer in the envelope.
 */
describe('downloads', () => {
  const suite = stackForSuite();

  const download = async (key: string, path: string, accept?: string) => {
    const res = await fetch(`${suite.stack.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${key}`, ...(accept ? { accept } : {}) },
    });
    return { res, text: await res.text() };
  };
  const csvRows = (text: string) => parse(text, { columns: true }) as Record<string, string>[];
  const ndjsonRows = (text: string) =>
    text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('downloads every snapshot in the window, oldest first, as CSV and NDJSON, by format or by Accept', async () => {
    const c = await trackedCreator(suite.stack, 1_000, 'downloads.snapshots');
    // a year of daily history beside the cycle's own snapshot: more rows than one cursor batch
    await suite.stack.pool.query(
      `INSERT INTO creator_snapshots (tracking_account_id, cycle, followers, total_likes, snapshot_at)
       SELECT $1, 1000 + d, 5000 + d, 90000 + d, now() - (366 - d) * interval '1 day' FROM generate_series(1, 365) d`,
      [c.id],
    );
    const csv = await download(c.key, `${c.base}/snapshots?format=csv`);
    expect(csv.res.status).toBe(200);
    expect(csv.res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.res.headers.get('content-disposition')).toBe(`attachment; filename=creator-${c.id}-snapshots.csv`);
    expect(csv.res.headers.get('vary')).toContain('Accept');
    const rows = csvRows(csv.text);
    expect(rows).toHaveLength(366);
    expect(csv.text.split('\n')[0]).toBe(
      'id,tracking_account_id,followers,following,total_videos,total_views,total_likes,collected_post_count,' +
        'subscribers,snapshot_at,delta_followers,delta_following,delta_total_videos,delta_total_views,delta_total_likes',
    );
    expect(rows[0]).toMatchObject({ followers: '5001', following: '', total_likes: '90001' });
    const times = rows.map((r) => Date.parse(r.snapshot_at as string));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // the JSON page answers its default 30; the download is not paginated, and keeps the window
    expect((await c.api.get(`${c.base}/snapshots`)).body.data).toHaveLength(30);
    const since = new Date(Date.now() - 10 * 86_400_000).toISOString();
    const windowed = await download(c.key, `${c.base}/snapshots?start_date=${since}`, 'application/x-ndjson');
    expect(windowed.res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = ndjsonRows(windowed.text);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(15);
    for (const line of lines) expect(Date.parse(line.snapshot_at as string)).toBeGreaterThanOrEqual(Date.parse(since));
    expect(lines[0]).toMatchObject({ tracking_account_id: c.id, following: null });

    // Accept picks the format; format=json or no preference answers the JSON page
    expect(csvRows((await download(c.key, `${c.base}/snapshots`, 'text/csv')).text)).toHaveLength(366);
    const json = await download(c.key, `${c.base}/snapshots?format=json`, 'text/csv');
    expect(json.res.headers.get('content-type')).toMatch(/^application\/json/);
    expect((JSON.parse(json.text) as { data: unknown[] }).data).toHaveLength(30);
  });

  it('streams every post matching the filters in the chosen order, with nested values as JSON cells', async () => {
    const c = await trackedCreator(suite.stack, 1_000, 'downloads.posts');
    const count = CURSOR_BATCH * 2 + 37;
    await suite.stack.pool.query(
      `INSERT INTO creator_posts (tracking_account_id, platform, platform_video_id, url, title, published_at, views,
         hashtags, is_duet)
       SELECT $1, 'tiktok', 'dl' || i, 'https://www.tiktok.com/@downloads.posts/video/' || i,
         'title, with "quotes" ' || i, now() - i * interval '1 hour', i * 10, ARRAY['tag' || i, 'shared'], i % 2 = 0
       FROM generate_series(1, $2::int) i`,
      [c.id, count],
    );
    const { res, text } = await download(c.key, `${c.base}/posts?format=csv&sort=views_desc`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename=creator-${c.id}-posts.csv`);
    const rows = csvRows(text).filter((r) => (r.platform_video_id as string).startsWith('dl'));
    expect(rows).toHaveLength(count);
    expect(rows[0]).toMatchObject({
      platform_video_id: `dl${count}`,
      title: `title, with "quotes" ${count}`,
      is_duet: String(count % 2 === 0),
    });
    expect(JSON.parse(rows[0]?.hashtags as string)).toEqual([`tag${count}`, 'shared']);
    const views = rows.map((r) => Number(r.views));
    expect(views).toEqual([...views].sort((a, b) => b - a));

    const since = new Date(Date.now() - 24.5 * 3_600_000).toISOString();
    const recent = ndjsonRows((await download(c.key, `${c.base}/posts?format=ndjson&start_date=${since}`)).text);
    expect(recent.filter((p) => (p.platform_video_id as string).startsWith('dl'))).toHaveLength(24);
  });

  it('downloads usage with its filters, and audience snapshots with their distributions', async () => {
    const c = await trackedCreator(suite.stack, 5_000, 'downloads.usage');
    const refresh = await c.api.post(`${c.base}/audience-refresh`, {});
    expect(refresh.status).toBe(202);
    await untilDone(c.api, `${c.base}/audience-refresh/${refresh.body.data.job_id}`);

    const usage = csvRows((await download(c.key, '/v1/usage?format=csv')).text);
    expect(usage.map((u) => u.operation).sort()).toEqual(['audience_refresh', 'tracking_cycle']);
    expect(usage.every((u) => u.resource_id === c.id)).toBe(true);
    expect(csvRows((await download(c.key, '/v1/usage?format=csv&resource_type=video')).text)).toEqual([]);
    const page = await c.api.get('/v1/usage');
    expect(ndjsonRows((await download(c.key, '/v1/usage?format=ndjson')).text)).toEqual(page.body.data);

    const history = await c.api.get(`${c.base}/audience-snapshots`);
    expect(history.status).toBe(200);
    expect(history.body.pagination.total).toBe(1);
    const [snapshot] = history.body.data;
    const [line] = ndjsonRows((await download(c.key, `${c.base}/audience-snapshots?format=ndjson`)).text);
    expect(line).toEqual(snapshot);
    const [row] = csvRows((await download(c.key, `${c.base}/audience-snapshots?format=csv`)).text);
    expect(JSON.parse(row?.age_distribution as string)).toEqual(snapshot.age_distribution);
    expect(row?.sample_size).toBe(String(snapshot.sample_size));
  });

  it('answers errors before the first byte in the envelope: a foreign creator, an inverted range, a bad format', async () => {
    const c = await trackedCreator(suite.stack, 1_000, 'downloads.errors');
    const stranger = await teamClient(suite.stack);
    const foreign = await download(stranger.key, `${c.base}/snapshots?format=csv`);
    expect(foreign.res.status).toBe(404);
    expect(JSON.parse(foreign.text).error.code).toBe('not_found');
    const inverted = await download(c.key, `${c.base}/posts?format=csv&start_date=2026-02-01&end_date=2026-01-01`);
    expect(inverted.res.status).toBe(400);
    const unknown = await download(c.key, `${c.base}/posts?format=xml`);
    expect(unknown.res.status).toBe(400);
    expect(JSON.parse(unknown.text).error.details[0]).toMatchObject({ location: 'query', path: 'format' });
    // a route without a download does not take the parameter
    expect((await download(c.key, `${c.base}?format=csv`)).res.status).toBe(400);
  });
});
