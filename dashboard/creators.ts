import { api, get, type Page } from './api';
import { button, compact, empty, h, notice, num, section, table, when } from './dom';

export interface CreatorSummary {
  id: string;
  platform: string;
  platform_handle: string;
  display_name: string | null;
  status: 'active' | 'paused' | 'stopped';
  latest_followers: number | null;
  growth_rate: number | null;
  followers_gained: number | null;
  next_scrape_at: string | null;
}

/** 7-day growth as the API computes it from the snapshots (`followers_gained`, `growth_rate`). */
export function growth(c: Pick<CreatorSummary, 'followers_gained' | 'growth_rate'>): string {
  if (c.followers_gained === null) return '—';
  const sign = c.followers_gained >= 0 ? '+' : '';
  const rate = c.growth_rate === null ? '' : ` (${sign}${c.growth_rate}%)`;
  return `${sign}${compact(c.followers_gained)}${rate}`;
}

export const statusBadge = (status: string): HTMLElement =>
  h('span', { class: `badge status-${status}`, 'data-status': status }, status);

/** Pause or resume, run a cycle now, stop: each through the public API, then `after` redraws. */
export function creatorActions(
  c: Pick<CreatorSummary, 'id' | 'platform_handle' | 'status'>,
  after: () => void,
): HTMLElement {
  const path = `/v1/tracking/creators/${c.id}`;
  const box = h('div', { class: 'actions' });
  if (c.status === 'stopped') return box;
  const act = (label: string, run: () => Promise<unknown>, done: string) =>
    button(
      label,
      async () => {
        await run();
        notice(done);
        after();
      },
      { 'data-action': label.toLowerCase().replace(/\s+/g, '-') },
    );
  box.append(
    c.status === 'active'
      ? act('Pause', () => api('PATCH', path, { status: 'paused' }), `Paused @${c.platform_handle}`)
      : act('Resume', () => api('PATCH', path, { status: 'active' }), `Resumed @${c.platform_handle}`),
    act('Run now', () => api('POST', `${path}/cycles`), `A cycle of @${c.platform_handle} is running`),
    button(
      'Stop',
      async () => {
        if (!confirm(`Stop tracking @${c.platform_handle}? Its data stays readable.`)) return;
        await api('DELETE', path);
        notice(`Stopped tracking @${c.platform_handle}`);
        after();
      },
      { class: 'danger', 'data-action': 'stop' },
    ),
  );
  return box;
}

function trackForm(after: () => void): HTMLElement {
  const platform = h(
    'select',
    { name: 'platform', 'aria-label': 'Platform' },
    ...['tiktok', 'youtube', 'instagram'].map((p) => h('option', { value: p }, p)),
  );
  const handle = h('input', {
    name: 'handle',
    placeholder: 'handle or profile URL',
    required: '',
    'aria-label': 'Handle',
  });
  const submit = h('button', { type: 'submit' }, 'Track');
  const form = h('form', { class: 'inline-form', 'data-form': 'track' }, platform, handle, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = handle.value.trim();
    const body = /^https?:\/\//.test(value)
      ? { platform: platform.value, url: value }
      : { platform: platform.value, handle: value.replace(/^@/, '') };
    submit.disabled = true;
    api<{ data: { message: string } }>('POST', '/v1/tracking/creators', body)
      .then((res) => {
        notice(res.data.message);
        handle.value = '';
        after();
      })
      .catch((err: unknown) => notice(err instanceof Error ? err.message : String(err), 'error'))
      .finally(() => {
        submit.disabled = false;
      });
  });
  return form;
}

export function creatorsPage(root: HTMLElement): void {
  const list = h('div');
  const draw = () =>
    list.replaceChildren(
      section('Tracked creators', 'creators', async (body) => {
        const page = await get<Page<CreatorSummary>>('/v1/tracking/creators?limit=100');
        if (page.data.length === 0) {
          body.replaceChildren(empty('No creators tracked yet: track one above.'));
          return;
        }
        body.replaceChildren(
          table(
            ['Platform', 'Handle', 'Followers', '7-day growth', 'Status', 'Next run', ''],
            page.data.map((c) => [
              c.platform,
              h('a', { href: `/dashboard/creators/${c.id}` }, `@${c.platform_handle}`),
              num(c.latest_followers),
              growth(c),
              statusBadge(c.status),
              c.status === 'active' ? when(c.next_scrape_at) : '—',
              creatorActions(c, draw),
            ]),
            { 'data-table': 'creators' },
          ),
          ...(page.pagination.total > page.data.length
            ? [h('p', { class: 'muted' }, `Showing the newest ${page.data.length} of ${page.pagination.total}.`)]
            : []),
        );
        for (const [i, row] of [...body.querySelectorAll('tbody tr')].entries())
          row.setAttribute('data-id', page.data[i]?.id ?? '');
      }),
    );
  root.replaceChildren(
    h('h1', {}, 'Creators'),
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Track a creator'),
      trackForm(draw),
      h('p', { class: 'muted' }, 'The first cycle costs 25 credits.'),
    ),
    list,
  );
  draw();
}
