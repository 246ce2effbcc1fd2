import { api, download, get, type Page, type UsageEntry } from './api';
import { barChart, lineChart } from './charts';
import { creatorActions, growth, statusBadge, type CreatorSummary } from './creators';
import { AUDIENCE_REFRESH_CREDITS, COLLECTION_DEPTHS } from './prices';
import { button, day, empty, h, notice, num, section, showError, stat, tableOrEmpty, when } from './dom';

interface CreatorDetail extends CreatorSummary {
  pause_reason: string | null;
  pause_note: string | null;
  stop_reason: string | null;
  latest_following: number | null;
  latest_total_likes: number | null;
  latest_total_views: number | null;
  cycles_completed: number;
  cycles_failed: number;
  last_scraped_at: string | null;
  last_failure: { kind: string; message: string } | null;
  pending_jobs: PendingJob[];
}

/** An entry of an answer's `pending_jobs`: a cycle has no `job_id`, a collection or audience refresh has one. */
interface PendingJob {
  type: string;
  status: string;
  job_id?: string;
  poll_url: string;
  started_at?: string;
}

export interface Snapshot {
  snapshot_at: string;
  followers: number | null;
  total_views: number | null;
  total_likes: number | null;
}

interface Post {
  id: string;
  url: string;
  title: string | null;
  views: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  publish_date: string;
}

interface AudienceSnapshot {
  snapshot_at: string;
  sample_size: number;
  confidence_level: string;
  age_distribution: Record<string, number> | null;
  gender_distribution: Record<string, number> | null;
  country_distribution: { name: string; pct: number }[] | null;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** A post is marked an outlier when its views reach this multiple of the median of the posts shown. */
const OUTLIER_MULTIPLE = 3;

export const pointLabel = (iso: string): string =>
  new Date(iso).toLocaleString('en', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

function downloads(base: string, id: string, what: 'snapshots' | 'posts'): HTMLElement {
  return h(
    'div',
    { class: 'actions' },
    ...(['csv', 'ndjson'] as const).map((format) =>
      button(
        `Download ${what} (${format.toUpperCase()})`,
        () => download(`${base}/${what}?format=${format}`, `creator-${id}-${what}.${format}`),
        {
          'data-download': `${what}-${format}`,
        },
      ),
    ),
  );
}

function growthSection(base: string, id: string): HTMLElement {
  return section('Growth', 'growth', async (body) => {
    const { data } = await get<{ data: Snapshot[] }>(`${base}/snapshots`);
    body.replaceChildren(
      data.length === 0
        ? empty('No snapshots yet: the first cycle is still running.')
        : lineChart(
            'growth',
            data.map((s) => pointLabel(s.snapshot_at)),
            [
              { label: 'Followers', data: data.map((s) => s.followers) },
              { label: 'Views', data: data.map((s) => s.total_views), axis: 'right' },
              { label: 'Likes', data: data.map((s) => s.total_likes), axis: 'right' },
            ],
          ),
      h(
        'p',
        { class: 'muted' },
        `${data.length} snapshot${data.length === 1 ? '' : 's'}; followers on the left axis, views and likes on the right.`,
      ),
      downloads(base, id, 'snapshots'),
    );
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

type PostKey = 'publish_date' | 'views' | 'likes' | 'comments' | 'shares';

function postsSection(base: string, id: string): HTMLElement {
  return section('Posts', 'posts', async (body) => {
    const page = await get<Page<Post>>(`${base}/posts?limit=100`);
    if (page.data.length === 0) {
      body.replaceChildren(empty('No posts collected yet.'), downloads(base, id, 'posts'));
      return;
    }
    const typical = median(page.data.map((p) => p.views ?? 0));
    const posts = page.data;
    let sortKey: PostKey = 'publish_date';
    let descending = true;
    const holder = h('div');
    const columns: [string, PostKey | null][] = [
      ['Post', null],
      ['Published', 'publish_date'],
      ['Views', 'views'],
      ['Likes', 'likes'],
      ['Comments', 'comments'],
      ['Shares', 'shares'],
    ];
    const value = (p: Post, key: PostKey): number =>
      key === 'publish_date' ? Date.parse(p.publish_date) : (p[key] ?? -1);
    const draw = () => {
      const rows = [...posts].sort((a, b) =>
        descending ? value(b, sortKey) - value(a, sortKey) : value(a, sortKey) - value(b, sortKey),
      );
      const head = h(
        'tr',
        {},
        ...columns.map(([label, key]) => {
          if (!key) return h('th', {}, label);
          const arrow = key === sortKey ? (descending ? ' ▼' : ' ▲') : '';
          const th = h(
            'th',
            { 'aria-sort': key === sortKey ? (descending ? 'descending' : 'ascending') : undefined },
            button(
              label + arrow,
              () => {
                descending = key === sortKey ? !descending : true;
                sortKey = key;
                draw();
              },
              { class: 'link', 'data-sort': key },
            ),
          );
          return th;
        }),
      );
      const bodyRows = rows.map((p) =>
        h(
          'tr',
          {},
          h(
            'td',
            {},
            h('a', { href: p.url, rel: 'noopener noreferrer', target: '_blank' }, p.title || p.url),
            typical > 0 && (p.views ?? 0) >= OUTLIER_MULTIPLE * typical
              ? h(
                  'span',
                  { class: 'badge outlier', title: `views at least ${OUTLIER_MULTIPLE}× the median of these posts` },
                  'outlier',
                )
              : null,
          ),
          h('td', {}, day(p.publish_date)),
          h('td', {}, num(p.views)),
          h('td', {}, num(p.likes)),
          h('td', {}, num(p.comments)),
          h('td', {}, num(p.shares)),
        ),
      );
      holder.replaceChildren(
        h(
          'div',
          { class: 'table-wrap' },
          h('table', { 'data-table': 'posts' }, h('thead', {}, head), h('tbody', {}, ...bodyRows)),
        ),
      );
    };
    draw();
    body.replaceChildren(
      holder,
      h(
        'p',
        { class: 'muted' },
        `${posts.length} of ${page.pagination.total} posts; "outlier": views ≥ ${OUTLIER_MULTIPLE}× the median of these.`,
      ),
      downloads(base, id, 'posts'),
    );
  });
}

const label = (key: string): string => key.replace(/_/g, ' ');

/** A report's analysis is nested JSON: text as text, lists as lists, objects as labelled fields. */
function reportValue(value: unknown): HTMLElement {
  if (Array.isArray(value)) return h('ul', {}, ...value.map((item) => h('li', {}, reportValue(item))));
  if (value !== null && typeof value === 'object')
    return h(
      'dl',
      { class: 'report-fields' },
      ...Object.entries(value).flatMap(([key, inner]) => [h('dt', {}, label(key)), h('dd', {}, reportValue(inner))]),
    );
  return h('span', {}, value === null || value === undefined ? '—' : String(value));
}

function reportSection(base: string): HTMLElement {
  return section('Latest report', 'report', async (body) => {
    const { data } = await get<{
      data: { report: { analysis: Record<string, unknown>; model_used: string; created_at: string } | null };
    }>(`${base}/report`);
    if (!data.report) {
      body.replaceChildren(empty('No report yet.'));
      return;
    }
    const parts = Object.entries(data.report.analysis).map(([key, value]) =>
      h('div', { class: 'report-part' }, h('h3', {}, label(key)), reportValue(value)),
    );
    body.replaceChildren(
      ...parts,
      h('p', { class: 'muted' }, `${data.report.model_used}, ${when(data.report.created_at)}`),
    );
  });
}

function cadenceSection(base: string): HTMLElement {
  return section('Posting cadence', 'cadence', async (body) => {
    const { data } = await get<{
      data: {
        total_posts: number;
        posts_per_week: number | null;
        day_of_week_distribution: Record<string, number>;
        message: string;
      };
    }>(`${base}/posting-cadence`);
    if (data.total_posts === 0) {
      body.replaceChildren(empty(data.message || 'No posts to measure yet.'));
      return;
    }
    body.replaceChildren(
      barChart(
        'cadence',
        WEEKDAYS,
        'Posts',
        WEEKDAYS.map((_, i) => data.day_of_week_distribution[String(i)] ?? 0),
      ),
      h('p', { class: 'muted' }, `${data.total_posts} posts, ${data.posts_per_week ?? '—'} a week (UTC weekdays).`),
    );
  });
}

const pct = (share: number) => Math.round(share * 1000) / 10;

function audienceSection(base: string): HTMLElement {
  return section('Audience', 'audience', async (body) => {
    const [demo, geo] = await Promise.all([
      get<{ data: { snapshot: AudienceSnapshot | null } }>(`${base}/audience-demographics`),
      get<{ data: { snapshot: AudienceSnapshot | null } }>(`${base}/audience-geography`),
    ]);
    const parts: HTMLElement[] = [];
    const d = demo.data.snapshot;
    if (d?.age_distribution)
      parts.push(
        h('h3', {}, 'Age'),
        barChart('age', Object.keys(d.age_distribution), '% of audience', Object.values(d.age_distribution).map(pct)),
      );
    if (d?.gender_distribution)
      parts.push(
        h('h3', {}, 'Gender'),
        barChart(
          'gender',
          Object.keys(d.gender_distribution),
          '% of audience',
          Object.values(d.gender_distribution).map(pct),
        ),
      );
    const countries = geo.data.snapshot?.country_distribution?.slice(0, 10);
    if (countries?.length)
      parts.push(
        h('h3', {}, 'Countries'),
        barChart(
          'countries',
          countries.map((c) => c.name),
          '% of audience',
          countries.map((c) => pct(c.pct)),
          true,
        ),
      );
    const shown = d ?? geo.data.snapshot;
    if (!shown) {
      body.replaceChildren(empty('No audience snapshot yet: "Refresh audience" below makes one.'));
      return;
    }
    body.replaceChildren(
      ...parts,
      h(
        'p',
        { class: 'muted' },
        `Sample of ${num(shown.sample_size)}, ${shown.confidence_level} confidence, ${when(shown.snapshot_at)}.`,
      ),
    );
  });
}

/** Jobs started from this page, by creator, so a redraw (after pause, say) still lists them with their status. */
const startedJobs = new Map<string, PendingJob[]>();

/**
 * The cycle running now and the jobs started here: each started job's status is read again from its `poll_url`, so
 * one that ended shows how it ended.
 */
async function currentJobs(detail: CreatorDetail): Promise<PendingJob[]> {
  const started = await Promise.all(
    (startedJobs.get(detail.id) ?? []).map(async (job) => {
      const { data } = await get<{ data: { status: string } }>(job.poll_url);
      return { ...job, status: data.status };
    }),
  );
  return [...detail.pending_jobs, ...started];
}

function jobsSection(detail: CreatorDetail): HTMLElement {
  return section('Jobs', 'jobs', async (body) => {
    const [usage, running] = await Promise.all([
      get<Page<UsageEntry>>(`/v1/usage?resource_type=creator&resource_id=${detail.id}&limit=50`),
      currentJobs(detail),
    ]);
    body.replaceChildren(
      h('h3', {}, 'Running and started here'),
      tableOrEmpty('running-jobs', running, 'Nothing running.', ['Job', 'Id', 'Status', 'Started'], (j) => [
        j.type,
        j.job_id ? h('code', { 'data-job-id': j.job_id }, j.job_id) : '—',
        h('span', { class: `badge status-${j.status}`, 'data-status': j.status }, j.status),
        when(j.started_at),
      ]),
      h('h3', {}, 'Past (charges and refunds)'),
      tableOrEmpty('past-jobs', usage.data, 'No jobs yet.', ['When', 'Operation', 'Status', 'Credits'], (u) => [
        when(u.created_at),
        u.description ?? u.operation,
        h('span', { class: `badge status-${u.status}` }, u.status),
        `${u.type === 'refund' ? '+' : '−'}${u.cost}`,
      ]),
    );
  });
}

/**
 * The two paid jobs a user starts by hand: collect posts at a depth, refresh the audience. A started job joins the
 * jobs list (`showJobs` draws it again); a refusal (402, 409, 429, …) shows the API's message in the notice banner.
 */
function paidJobs(base: string, id: string, handle: string, showJobs: () => void): HTMLElement {
  const started = (jobs: PendingJob[]) => {
    // a joined refresh answers with the job already listed: keep it once
    const known = (startedJobs.get(id) ?? []).filter((job) => !jobs.some((j) => j.job_id === job.job_id));
    startedJobs.set(id, [...known, ...jobs]);
    showJobs();
  };
  const depth = h(
    'select',
    { name: 'depth', 'aria-label': 'Collection depth', 'data-input': 'depth' },
    ...COLLECTION_DEPTHS.map((d) => h('option', { value: d.depth }, `${d.depth} (${d.posts} posts)`)),
  );
  const collectCost = h('span', { class: 'muted', 'data-cost': 'collect' });
  const showCost = () => {
    const chosen = COLLECTION_DEPTHS.find((d) => d.depth === depth.value) ?? COLLECTION_DEPTHS[0];
    collectCost.textContent = `${chosen.credits} credits`;
  };
  depth.addEventListener('change', showCost);
  showCost();
  const collect = button(
    'Collect posts',
    async () => {
      const { data } = await api<{ data: { depth: string; pending_jobs: PendingJob[] } }>(
        'POST',
        `${base}/posts/collect`,
        { depth: depth.value },
      );
      notice(`A ${data.depth} collection of @${handle}'s posts is running`);
      started(data.pending_jobs);
    },
    { 'data-action': 'collect-posts' },
  );
  const refresh = button(
    'Refresh audience',
    async () => {
      const { data } = await api<{ data: { source: 'cache' | 'job'; joined?: boolean; pending_jobs: PendingJob[] } }>(
        'POST',
        `${base}/audience-refresh`,
        {},
      );
      if (data.source === 'cache') {
        notice('The audience snapshot is fresh (under 30 days old): nothing to refresh, no charge');
        return;
      }
      notice(
        data.joined
          ? `An audience refresh of @${handle} was already running: joined it, no charge`
          : `An audience refresh of @${handle} is running`,
      );
      started(data.pending_jobs);
    },
    { 'data-action': 'refresh-audience' },
  );
  return h(
    'section',
    { class: 'card', 'data-section': 'paid-jobs' },
    h('h2', {}, 'Run a job'),
    h('div', { class: 'actions' }, depth, collect, collectCost),
    h(
      'div',
      { class: 'actions' },
      refresh,
      h(
        'span',
        { class: 'muted', 'data-cost': 'audience' },
        `${AUDIENCE_REFRESH_CREDITS} credits (free while a snapshot under 30 days old exists)`,
      ),
    ),
  );
}

export async function creatorPage(root: HTMLElement, id: string): Promise<void> {
  const base = `/v1/tracking/creators/${encodeURIComponent(id)}`;
  const { data: c } = await get<{ data: CreatorDetail }>(base);
  const redraw = () => void creatorPage(root, id).catch(showError);
  // while a cycle or collection runs, look again shortly (only if the user is still on this page)
  if (c.pending_jobs.length > 0) {
    const here = location.pathname;
    setTimeout(() => {
      if (location.pathname === here) redraw();
    }, 3_000);
  }
  const why =
    c.status === 'paused'
      ? `paused (${c.pause_reason ?? 'manual'}${c.pause_note ? `: ${c.pause_note}` : ''})`
      : c.status === 'stopped'
        ? `stopped (${c.stop_reason ?? 'requested'})`
        : null;
  let jobs = jobsSection(c);
  const showJobs = () => {
    const next = jobsSection(c);
    jobs.replaceWith(next);
    jobs = next;
  };
  root.replaceChildren(
    h('p', {}, h('a', { href: '/dashboard' }, '← Creators')),
    h('h1', {}, `@${c.platform_handle} `, statusBadge(c.status)),
    h('p', { class: 'muted' }, `${c.display_name ?? ''} · ${c.platform}`, why ? ` · ${why}` : null),
    creatorActions(c, redraw),
    h(
      'div',
      { class: 'stats' },
      stat('Followers', num(c.latest_followers)),
      stat('7-day growth', growth(c)),
      stat('Total views', num(c.latest_total_views)),
      stat('Total likes', num(c.latest_total_likes)),
      stat('Cycles', `${c.cycles_completed} done, ${c.cycles_failed} failed`),
      stat('Next run', c.status === 'active' ? when(c.next_scrape_at) : '—'),
    ),
    ...(c.last_failure
      ? [h('p', { class: 'error' }, `Last failure: ${c.last_failure.kind}: ${c.last_failure.message}`)]
      : []),
    growthSection(base, c.id),
    postsSection(base, c.id),
    h('div', { class: 'grid' }, cadenceSection(base), audienceSection(base)),
    reportSection(base),
    ...(c.status === 'stopped' ? [] : [paidJobs(base, c.id, c.platform_handle, showJobs)]),
    jobs,
  );
}
