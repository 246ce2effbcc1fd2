/** Small DOM helpers: elements built from data, never from HTML strings, so nothing the API returns is markup. */
export type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) el.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function button(label: string, onClick: () => Promise<void> | void, attrs: Attrs = {}): HTMLButtonElement {
  const el = h('button', { type: 'button', ...attrs }, label);
  el.addEventListener('click', () => {
    el.disabled = true;
    Promise.resolve(onClick())
      .catch((err: unknown) => showError(err))
      .finally(() => {
        el.disabled = false;
      });
  });
  return el;
}

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The banner at the top of the page: errors stay until the next action, so a failure is never silent. */
export function showError(err: unknown): void {
  notice(errorText(err), 'error');
}

export function notice(message: string, kind: 'error' | 'info' = 'info'): void {
  const el = document.getElementById('notice');
  if (!el) return;
  el.className = `notice ${kind}`;
  el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  el.textContent = message;
}

/** A section that loads on its own: a failing read shows its error in place and the rest of the page still renders. */
export function section(title: string, name: string, load: (body: HTMLElement) => Promise<void>): HTMLElement {
  const body = h('div', { class: 'section-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const el = h('section', { class: 'card', 'data-section': name }, h('h2', {}, title), body);
  load(body).then(
    () => el.setAttribute('data-state', 'ready'),
    (err: unknown) => {
      body.replaceChildren(h('p', { class: 'error', role: 'alert' }, errorText(err)));
      el.setAttribute('data-state', 'error');
    },
  );
  return el;
}

export const empty = (message: string): HTMLElement => h('p', { class: 'empty' }, message);

export function table(headers: string[], rows: Child[][], attrs: Attrs = {}): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      attrs,
      h('thead', {}, h('tr', {}, ...headers.map((label) => h('th', {}, label)))),
      h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', {}, cell))))),
    ),
  );
}

const compactFormat = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
export const num = (n: number | null | undefined): string =>
  n === null || n === undefined ? '—' : n.toLocaleString('en');
export const compact = (n: number | null | undefined): string =>
  n === null || n === undefined ? '—' : compactFormat.format(n);
export const when = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' }) : '—';
export const day = (iso: string): string => new Date(iso).toLocaleDateString('en', { month: 'short', day: 'numeric' });

/** A labelled figure in a `.stats` grid; `attrs` go on the value. */
export function stat(label: string, value: string, attrs: Attrs = {}): HTMLElement {
  return h(
    'div',
    { class: 'stat' },
    h('span', { class: 'stat-label' }, label),
    h('span', { class: 'stat-value', ...attrs }, value),
  );
}

/** The items as a table (`data-table` names it), or the empty state saying why there are none. */
export function tableOrEmpty<T>(
  name: string,
  items: readonly T[],
  emptyText: string,
  headers: string[],
  row: (item: T) => Child[],
): HTMLElement {
  return items.length === 0 ? empty(emptyText) : table(headers, items.map(row), { 'data-table': name });
}
