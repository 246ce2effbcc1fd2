import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, screenshotOnFailure } from '../helpers/browser';
import { trackAndFinalize, untilDone } from '../helpers/creators';
import { apiClient, eventually } from '../helpers/http';
import { stackForSuite } from '../helpers/stack';
import { Receiver } from '../helpers/receiver';
import { ledgerOf, teamClient } from '../helpers/teams';

// records a CSP violation the moment the browser reports one, before any page script runs
const RECORD_CSP_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', function (e) {
    window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' (' + e.sourceFile + ':' + e.lineNumber + ')');
  });
`;

// runs in the page; `el` is the canvas (the test's TypeScript has no DOM types)
const READ_CHART = (el: any): Drawn => {
  const pixels: Uint8ClampedArray = el.getContext('2d').getImageData(0, 0, el.width, el.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted += 1;
  return { labels: JSON.parse(el.dataset.labels || '[]'), series: JSON.parse(el.dataset.series || '[]'), painted };
};

// the elements that reach past the right edge of the window (none when the page fits a phone screen)
const FITS = `[...document.querySelectorAll('body *')]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.table-wrap'))
  .map((el) => el.tagName + '.' + el.className + ' ' + Math.round(el.getBoundingClientRect().right))
  .slice(0, 5)`;

interface Drawn {
  labels: string[];
  series: { label: string; data: (number | null)[] }[];
  /** pixels of the canvas that are not transparent: 0 means nothing was drawn */
  painted: number;
}

/** What a chart drew: its labels and series as Chart.js holds them, and whether the canvas has ink on it. */
async function drawnChart(page: Page, name: string): Promise<Drawn> {
  const canvas = page.locator(`canvas[data-chart="${name}"][data-rendered="true"]`);
  await canvas.waitFor({ timeout: 30_000 });
  return canvas.evaluate(READ_CHART);
}

/**
 * The dashboard in headless Chromium against the real stack (API, worker, Temporal, Postgres): what a user does with a
 * key, checked against what the API stores. Every page load also collects console errors, uncaught exceptions, failed
 * requests and CSP violations, which must stay empty.
 */
describe('dashboard at /dashboard, in headless Chromium', () => {
  // the relay delivers the events of the teams listed here to a real receiver, so the delivery log has rows
  const relayedTeams: string[] = [];
  const suite = stackForSuite({ webhooks: { allowInsecureLoopback: true, relayTeams: () => relayedTeams } });
  const receiver = new Receiver();
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
    await receiver.start();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await receiver.close();
  });

  async function open(options: { width?: number } = {}) {
    const context: BrowserContext = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: options.width ?? 1280, height: 900 },
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${new URL(res.url()).pathname}`);
    });
    page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
    await context.addInitScript({ content: RECORD_CSP_VIOLATIONS });
    const clean = async () => {
      expect(await page.evaluate('window.__cspViolations')).toEqual([]);
      expect(problems).toEqual([]);
    };
    return { context, page, problems, clean };
  }

  it('serves the page and its deep links under a CSP with no inline script, and the bundle from the sources', async () => {
    for (const path of [
      '/dashboard',
      '/dashboard/creators/00000000-0000-0000-0000-000000000000',
      '/dashboard/account',
    ]) {
      const res = await fetch(`${suite.stack.baseUrl}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("script-src-attr 'none'");
      // as on /docs: over plain HTTP on a LAN host the page must still load its own files (see api/docs.ts)
      expect(csp).not.toContain('upgrade-insecure-requests');
      const html = await res.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/\bstyle=|\bon[a-z]+=/i);
    }
    const script = await fetch(`${suite.stack.baseUrl}/dashboard/assets/dashboard.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(await script.text()).toContain('/v1/tracking/creators');
    const missing = await fetch(`${suite.stack.baseUrl}/dashboard/assets/main.ts`);
    expect(missing.status).toBe(404);
    await missing.arrayBuffer();
  });

  it('takes the key from #key=, tracks a creator, charts its stored snapshots, pauses it and downloads them as CSV', async () => {
    const team = await teamClient(suite.stack, 10_000);
    const { context, page, clean } = await open();
    try {
      await screenshotOnFailure(page, 'dashboard-creator-flow', async () => {
        await page.goto(`${suite.stack.baseUrl}/dashboard#key=${team.key}`);
        await page.locator('[data-section="creators"][data-state="ready"]').waitFor();
        // the key is kept in the browser and taken off the address bar
        expect(new URL(page.url()).hash).toBe('');
        expect(await page.evaluate('Object.values(localStorage)')).toEqual([team.key]);
        await expect(page.locator('[data-section="creators"] .empty').innerText()).resolves.toContain('No creators');

        await page.locator('[data-form="track"] select').selectOption('tiktok');
        await page.locator('[data-form="track"] input').fill('@dash.growth');
        await page.locator('[data-form="track"] button[type="submit"]').click();
        const row = page.locator('table[data-table="creators"] tbody tr', { hasText: '@dash.growth' });
        await row.waitFor();
        const listed = await team.api.get('/v1/tracking/creators');
        expect(listed.body.data).toHaveLength(1);
        const id = listed.body.data[0].id as string;
        const base = `/v1/tracking/creators/${id}`;
        const cyclesDone = (n: number) =>
          eventually(`cycle ${n}`, async () => {
            const res = await team.api.get(base);
            return res.body.data.finalized && res.body.data.cycles_completed === n ? res.body.data : undefined;
          });
        await cyclesDone(1);

        // "Run now" from the list runs a second cycle; a third through the API, after some history
        await page.reload();
        await row.locator('[data-action="run-now"]').click();
        await page.locator('#notice', { hasText: 'A cycle of @dash.growth is running' }).waitFor();
        await cyclesDone(2);
        // cycles a minute apart barely move the simulated numbers: four days of history make a chart whose every point
        // (and their order) can be told apart, and the third cycle computes the 7-day growth from it
        await suite.stack.pool.query(
          `INSERT INTO creator_snapshots (tracking_account_id, cycle, followers, total_views, total_likes, snapshot_at)
           SELECT $1, 1000 + d, 100000 + d * 7919, 2000000 + d * 104729, 1500000 + d * 3571, now() - (5 - d) * interval '1 day'
           FROM generate_series(1, 4) d`,
          [id],
        );
        expect((await team.api.post(`${base}/cycles`)).status).toBe(202);
        const detail = await cyclesDone(3);

        // the list shows the latest followers and the API's 7-day growth
        await page.reload();
        await expect(row.locator('td').nth(2).innerText()).resolves.toBe(detail.latest_followers.toLocaleString('en'));
        expect(detail.followers_gained).toBeGreaterThan(0);
        await expect(row.locator('td').nth(3).innerText()).resolves.toMatch(
          new RegExp(`^\\+[\\d.]+[KM]? \\(\\+${detail.growth_rate}%\\)$`),
        );

        // an audience refresh, so the creator page has demographics and geography to chart
        const refresh = await team.api.post(`${base}/audience-refresh`, {});
        expect(refresh.status).toBe(202);
        const audience = await untilDone(team.api, `${base}/audience-refresh/${refresh.body.data.job_id}`);
        expect(audience.status).toBe('completed');

        await row.locator(`a[href="/dashboard/creators/${id}"]`).click();
        await page.waitForURL(`**/dashboard/creators/${id}`);
        const snapshots = (await team.api.get(`${base}/snapshots`)).body.data as any[];
        expect(snapshots).toHaveLength(7);
        const chart = await drawnChart(page, 'growth');
        expect(chart.labels).toHaveLength(7);
        expect(chart.series).toEqual([
          { label: 'Followers', data: snapshots.map((s) => s.followers) },
          { label: 'Views', data: snapshots.map((s) => s.total_views) },
          { label: 'Likes', data: snapshots.map((s) => s.total_likes) },
        ]);
        expect(chart.painted).toBeGreaterThan(1000);
        await expect(page.locator('[data-section="growth"]').innerText()).resolves.toContain('7 snapshots');

        // at phone width nothing spills sideways (wide tables scroll inside their box)
        await page.setViewportSize({ width: 390, height: 800 });
        // charts follow their box on the next animation frames (Chart.js watches it with a ResizeObserver)
        await eventually(
          'charts at phone width',
          async () => ((await page.evaluate(FITS)) as string[]).length === 0 || undefined,
          5_000,
        ).catch(() => undefined);
        await expect(page.evaluate(FITS)).resolves.toEqual([]);
        await page.setViewportSize({ width: 1280, height: 900 });

        // pause: the page and the API both say paused
        await page.locator('h1 + p + .actions [data-action="pause"]').click();
        await page.locator('h1 [data-status="paused"]').waitFor();
        expect((await team.api.get(base)).body.data).toMatchObject({ status: 'paused', pause_reason: 'manual' });
        await page.locator('h1 + p + .actions [data-action="resume"]').waitFor();

        // the CSV the browser saves holds the stored snapshots
        const [file] = await Promise.all([
          page.waitForEvent('download'),
          page.locator('[data-download="snapshots-csv"]').click(),
        ]);
        expect(file.suggestedFilename()).toBe(`creator-${id}-snapshots.csv`);
        const rows = parse(readFileSync((await file.path()) as string, 'utf8'), { columns: true }) as Record<
          string,
          string
        >[];
        expect(rows.map((r) => [r.id, r.snapshot_at, Number(r.followers)])).toEqual(
          snapshots.map((s) => [s.id, s.snapshot_at, s.followers]),
        );

        // the other sections loaded (or showed their empty state) without an error
        for (const name of ['growth', 'posts', 'cadence', 'audience', 'report', 'jobs'])
          await page.locator(`[data-section="${name}"][data-state="ready"]`).waitFor();
        const charges = (await team.api.get(`/v1/usage?resource_type=creator&resource_id=${id}&limit=50`)).body.data;
        expect(charges.length).toBeGreaterThanOrEqual(4); // three cycles and the refresh
        await expect(page.locator('table[data-table="past-jobs"] tbody tr').count()).resolves.toBe(charges.length);
        // audience charts: the API's shares as percentages, in its order (largest first)
        const shares = (chart: Drawn) => chart.series[0]?.data as number[];
        const age = await drawnChart(page, 'age');
        expect(age.labels).toEqual(Object.keys(audience.snapshot.age_distribution));
        const ageShares = Object.values(audience.snapshot.age_distribution) as number[];
        shares(age).forEach((pct, i) => expect(pct).toBeCloseTo((ageShares[i] as number) * 100, 1));
        const countries = await drawnChart(page, 'countries');
        const top = audience.snapshot.country_distribution.slice(0, 10);
        expect(countries.labels).toEqual(top.map((c: any) => c.name));
        shares(countries).forEach((pct, i) => expect(pct).toBeCloseTo(top[i].pct * 100, 1));
        // the posts table sorts by a column's header, descending first
        const posts = (await team.api.get(`${base}/posts?limit=100`)).body.data as any[];
        expect(posts.length).toBeGreaterThan(1);
        await page.locator('[data-sort="views"]').click();
        await page.locator('th[aria-sort="descending"] [data-sort="views"]').waitFor();
        const viewsColumn = page.locator('table[data-table="posts"] tbody tr td:nth-child(3)');
        const byViews = [...posts].sort((a, b) => b.views - a.views).map((p) => p.views.toLocaleString('en'));
        await expect(viewsColumn.allInnerTexts()).resolves.toEqual(byViews);
        await drawnChart(page, 'gender');
        await drawnChart(page, 'cadence');
        await clean();
      });
    } finally {
      await context.close();
    }
  });

  it('collects posts at the chosen depth and refreshes the audience from the creator page, listing both jobs', async () => {
    const team = await teamClient(suite.stack, 10_000);
    const path = '/v1/tracking/creators';
    const { id } = await trackAndFinalize(team.api, path, { platform: 'tiktok', handle: 'dash.jobs' });
    const base = `${path}/${id}`;
    const { context, page, clean } = await open();
    try {
      await screenshotOnFailure(page, 'dashboard-paid-jobs', async () => {
        await page.goto(`${suite.stack.baseUrl}/dashboard/creators/${id}#key=${team.key}`);
        await page.locator('[data-section="jobs"][data-state="ready"]').waitFor();
        // each button says what it costs: the collection by the depth chosen
        const collectCost = page.locator('[data-cost="collect"]');
        await expect(collectCost.innerText()).resolves.toBe('50 credits');
        await page.locator('[data-section="paid-jobs"] select[name="depth"]').selectOption('deep');
        await expect(collectCost.innerText()).resolves.toBe('100 credits');
        await expect(page.locator('[data-cost="audience"]').innerText()).resolves.toMatch(/^50 credits/);

        await page.locator('[data-action="collect-posts"]').click();
        await page.locator('#notice', { hasText: 'A deep collection of @dash.jobs' }).waitFor();
        const collections = await suite.stack.pool.query<{ id: string; depth: string }>(
          `SELECT id, depth FROM paid_jobs WHERE tracking_account_id = $1 AND kind = 'post_collection'`,
          [id],
        );
        expect(collections.rows).toEqual([{ id: expect.any(String), depth: 'deep' }]);
        const collectionId = collections.rows[0]?.id as string;
        const collection = await team.api.get(`${base}/posts/collect/${collectionId}`);
        expect(collection.body.data).toMatchObject({
          collection_id: collectionId,
          depth: 'deep',
          credits_reserved: 100,
        });
        const running = page.locator('[data-section="jobs"][data-state="ready"] table[data-table="running-jobs"]');
        const collectionRow = running.locator('tbody tr', { has: page.locator(`[data-job-id="${collectionId}"]`) });
        await expect(collectionRow.locator('td').first().innerText()).resolves.toBe('post_collection');

        await page.locator('[data-action="refresh-audience"]').click();
        await page.locator('#notice', { hasText: 'An audience refresh of @dash.jobs is running' }).waitFor();
        const refreshes = await suite.stack.pool.query<{ id: string }>(
          `SELECT id FROM paid_jobs WHERE tracking_account_id = $1 AND kind = 'audience_refresh'`,
          [id],
        );
        expect(refreshes.rows).toHaveLength(1);
        const jobId = refreshes.rows[0]?.id as string;
        expect((await team.api.get(`${base}/audience-refresh/${jobId}`)).status).toBe(200);
        await running.locator(`[data-job-id="${jobId}"]`).waitFor();
        // the collection stays listed beside it, and the buttons are usable again
        await running.locator(`[data-job-id="${collectionId}"]`).waitFor();
        await expect(page.locator('[data-action="collect-posts"]').isEnabled()).resolves.toBe(true);
        await expect(page.locator('[data-action="refresh-audience"]').isEnabled()).resolves.toBe(true);
        await clean();
      });
    } finally {
      await context.close();
    }
  });

  it('shows a collection the balance cannot pay as the API’s 402 message, and starts nothing', async () => {
    // the first cycle takes 25 of the 65 credits: 40 left, short of a standard collection's 50
    const team = await teamClient(suite.stack, 25 + 40);
    const { id } = await trackAndFinalize(team.api, '/v1/tracking/creators', {
      platform: 'tiktok',
      handle: 'dash.poor',
    });
    const { context, page, problems } = await open();
    try {
      await screenshotOnFailure(page, 'dashboard-paid-jobs-402', async () => {
        await page.goto(`${suite.stack.baseUrl}/dashboard/creators/${id}#key=${team.key}`);
        await page.locator('[data-section="jobs"][data-state="ready"]').waitFor();
        await page.locator('[data-action="collect-posts"]').click();
        const alert = page.locator('#notice.error[role="alert"]');
        await expect(alert.innerText()).resolves.toBe(
          'Insufficient credits: a standard collection costs 50 credits (cents) and the balance is 40',
        );
        await expect(page.locator('[data-action="collect-posts"]').isEnabled()).resolves.toBe(true);
        const jobs = await suite.stack.pool.query('SELECT id FROM paid_jobs WHERE tracking_account_id = $1', [id]);
        expect(jobs.rows).toEqual([]);
        await expect(page.locator('table[data-table="running-jobs"] [data-job-id]').count()).resolves.toBe(0);
        expect((await ledgerOf(suite.stack.pool, team.teamId)).balance).toBe(40);
        // the browser logs the refused request's 402 as a failed load; nothing else
        expect(await page.evaluate('window.__cspViolations')).toEqual([]);
        expect(problems.filter((p) => !/status of 402|^HTTP 402/.test(p))).toEqual([]);
      });
    } finally {
      await context.close();
    }
  });

  it('draws a video trajectory from a deep link, shows the account, and fits a phone screen', async () => {
    const team = await teamClient(suite.stack, 10_000);
    relayedTeams.push(team.teamId);
    const hook = await team.api.post('/v1/webhooks', { url: receiver.url, enabled_events: ['*'] });
    expect(hook.status).toBe(201);
    const url = 'https://www.tiktok.com/@dash.video/video/7350123456789012399';
    const { id } = await trackAndFinalize(team.api, '/v1/tracking/videos', { platform: 'tiktok', url });
    expect((await team.api.post(`/v1/tracking/videos/${id}/cycles`)).status).toBe(202);
    await eventually('a delivered webhook', async () => (receiver.processed.size > 0 ? true : undefined));
    await eventually('the second video snapshot', async () => {
      const res = await team.api.get(`/v1/tracking/videos/${id}/trajectory`);
      return res.body.data.snapshots.length === 2 ? true : undefined;
    });
    const { context, page, clean } = await open({ width: 390 });
    try {
      await screenshotOnFailure(page, 'dashboard-video-account', async () => {
        await page.goto(`${suite.stack.baseUrl}/dashboard/videos/${id}#key=${team.key}`);
        const trajectory = (await team.api.get(`/v1/tracking/videos/${id}/trajectory`)).body.data;
        const video = (await team.api.get(`/v1/tracking/videos/${id}`)).body.data;
        const chart = await drawnChart(page, 'trajectory');
        expect(chart.series).toEqual([
          { label: 'Views', data: trajectory.snapshots.map((s: any) => s.views) },
          { label: 'Views/day', data: trajectory.snapshots.map((s: any) => s.views_per_day) },
        ]);
        expect(chart.painted).toBeGreaterThan(500);
        const flags = ['breakout', 'accelerating', 'peaking'].filter((f) => video.trajectory[f]);
        await expect(page.locator('[data-flags]').getAttribute('data-flags')).resolves.toBe(flags.join(' '));
        const fits = () => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
        await expect(fits()).resolves.toBe(true);

        await page.locator('header nav a[href="/dashboard/account"]').click();
        await page.locator('[data-section="balance"][data-state="ready"]').waitFor();
        const account = (await team.api.get('/v1/account')).body.data;
        await expect(page.locator('[data-balance]').getAttribute('data-balance')).resolves.toBe(
          String(account.balance),
        );
        await page.locator('[data-section="usage"][data-state="ready"]').waitFor();
        const usage = (await team.api.get('/v1/usage?limit=50')).body.data;
        await expect(page.locator('table[data-table="usage"] tbody tr').count()).resolves.toBe(usage.length);
        const hooks = page.locator('table[data-table="webhooks"] tbody tr');
        await expect(hooks.locator('td').first().innerText()).resolves.toBe(receiver.url);
        await hooks.locator('button', { hasText: 'Delivery log' }).click();
        await page.locator('[data-section="deliveries"][data-state="ready"]').waitFor();
        const deliveries = (await team.api.get(`/v1/webhooks/${hook.body.data.id}/deliveries?limit=25`)).body.data;
        expect(deliveries.map((d: any) => d.status)).toContain('succeeded');
        await expect(page.locator('table[data-table="deliveries"] tbody tr').allInnerTexts()).resolves.toEqual(
          deliveries.map((d: any) => expect.stringContaining(d.event_type)),
        );
        await expect(fits()).resolves.toBe(true);

        await page.goBack();
        await drawnChart(page, 'trajectory');
        await clean();
      });
    } finally {
      await context.close();
    }
  });

  it('shows a refused key and an unknown creator as errors, not as empty pages', async () => {
    const team = await teamClient(suite.stack, 0);
    const { context, page, problems } = await open();
    try {
      await screenshotOnFailure(page, 'dashboard-errors', async () => {
        await page.goto(`${suite.stack.baseUrl}/dashboard#key=ct_live_not_a_real_key`);
        await page.locator('[data-form="key"]').waitFor();
        await expect(page.locator('[role="alert"]').first().innerText()).resolves.toMatch(/refused the key/);
        expect(await page.evaluate('Object.values(localStorage)')).toEqual([]);

        await page.locator('[data-form="key"] input').fill(team.key);
        await page.locator('[data-form="key"] button').click();
        await page.locator('[data-section="creators"][data-state="ready"] .empty').waitFor();

        await page.goto(`${suite.stack.baseUrl}/dashboard/creators/00000000-0000-0000-0000-000000000000`);
        await page.locator('h1', { hasText: 'Could not load this page' }).waitFor();
        await expect(page.locator('main [role="alert"]').innerText()).resolves.not.toBe('');
        // the browser logs the refused key's 401 and the unknown creator's 404 as failed loads; nothing else
        expect(problems.filter((p) => !/status of (401|404)|^HTTP (401|404)/.test(p))).toEqual([]);
        expect(await apiClient(suite.stack.baseUrl, team.key).get('/v1/tracking/creators')).toMatchObject({
          status: 200,
        });
      });
    } finally {
      await context.close();
    }
  });
});
