import { download, get, type Page, type UsageEntry } from './api';
import { button, h, num, section, when, stat, tableOrEmpty } from './dom';

interface Account {
  team: { name: string };
  balance: number;
  usage: { charged: number; refunded: number; net: number; pending: number };
  limits: { rate_per_min: number };
}

interface Webhook {
  id: string;
  url: string;
  enabled: boolean;
  enabled_events: string[];
  disabled_reason: string | null;
  last_success_at: string | null;
}

interface Delivery {
  event_type: string;
  status: string;
  attempt_count: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
}

function deliveries(hook: Webhook): HTMLElement {
  return section(`Deliveries to ${hook.url}`, 'deliveries', async (body) => {
    const page = await get<Page<Delivery>>(`/v1/webhooks/${hook.id}/deliveries?limit=25`);
    body.replaceChildren(
      tableOrEmpty(
        'deliveries',
        page.data,
        'No deliveries yet.',
        ['When', 'Event', 'Status', 'Attempts', 'Last answer'],
        (d) => [
          when(d.created_at),
          d.event_type,
          h('span', { class: `badge status-${d.status}` }, d.status),
          d.attempt_count,
          d.last_status_code ?? d.last_error ?? '—',
        ],
      ),
    );
  });
}

export function accountPage(root: HTMLElement): void {
  const log = h('div');
  root.replaceChildren(
    h('h1', {}, 'Account'),
    section('Balance', 'balance', async (body) => {
      const { data } = await get<{ data: Account }>('/v1/account');
      body.replaceChildren(
        h(
          'div',
          { class: 'stats' },
          stat('Balance (credits)', num(data.balance), { 'data-balance': String(data.balance) }),
          stat('Charged', num(data.usage.charged)),
          stat('Refunded', num(data.usage.refunded)),
          stat('Pending', num(data.usage.pending)),
        ),
        h(
          'p',
          { class: 'muted' },
          `${data.team.name} · 1 credit = 1 cent · ${data.limits.rate_per_min} requests a minute`,
        ),
      );
    }),
    section('Usage history', 'usage', async (body) => {
      const page = await get<Page<UsageEntry>>('/v1/usage?limit=50');
      body.replaceChildren(
        tableOrEmpty('usage', page.data, 'No usage yet.', ['When', 'Operation', 'Type', 'Status', 'Cents'], (u) => [
          when(u.created_at),
          u.description ?? u.operation,
          u.type,
          h('span', { class: `badge status-${u.status}` }, u.status),
          num(u.cost),
        ]),
        h('p', { class: 'muted' }, `Newest ${page.data.length} of ${page.pagination.total}.`),
        h(
          'div',
          { class: 'actions' },
          button('Download usage (CSV)', () => download('/v1/usage?format=csv', 'usage.csv'), {
            'data-download': 'usage-csv',
          }),
          button('Download usage (NDJSON)', () => download('/v1/usage?format=ndjson', 'usage.ndjson'), {
            'data-download': 'usage-ndjson',
          }),
        ),
      );
    }),
    section('Webhooks', 'webhooks', async (body) => {
      const page = await get<Page<Webhook>>('/v1/webhooks?limit=100');
      body.replaceChildren(
        tableOrEmpty(
          'webhooks',
          page.data,
          'No webhooks (POST /v1/webhooks subscribes one).',
          ['URL', 'Events', 'State', 'Last success', ''],
          (w) => [
            w.url,
            w.enabled_events.join(', '),
            w.enabled ? 'enabled' : `disabled${w.disabled_reason ? `: ${w.disabled_reason}` : ''}`,
            when(w.last_success_at),
            button('Delivery log', () => {
              log.replaceChildren(deliveries(w));
            }),
          ],
        ),
      );
    }),
    log,
  );
}
