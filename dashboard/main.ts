import { accountPage } from './account';
import { ApiError, forgetKey, get, saveKey, storedKey, takeKeyFromFragment } from './api';
import { creatorPage } from './creator';
import { creatorsPage } from './creators';
import { errorText, h, notice } from './dom';
import { videoPage, videosPage } from './videos';

/**
 * The dashboard: one page, routed on the path (`/dashboard`, `/dashboard/creators/:id`, `/dashboard/videos/:id`,
 * `/dashboard/account`) with the history API; the server answers the same HTML for every one of them.
 */
const app = document.getElementById('app') as HTMLElement;

function keyForm(message?: string): void {
  const input = h('input', {
    type: 'password',
    name: 'key',
    placeholder: 'ct_live_…',
    required: '',
    autocomplete: 'off',
    'aria-label': 'API key',
  });
  const form = h(
    'form',
    { class: 'inline-form', 'data-form': 'key' },
    input,
    h('button', { type: 'submit' }, 'Save key'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    saveKey(input.value);
    void render();
  });
  app.replaceChildren(
    h('h1', {}, 'API key'),
    h(
      'section',
      { class: 'card' },
      message ? h('p', { class: 'error', role: 'alert' }, message) : null,
      h(
        'p',
        {},
        'Enter an API key of your team. It stays in this browser (localStorage) and is sent only to this API.',
      ),
      form,
    ),
  );
}

async function render(): Promise<void> {
  notice('');
  const key = storedKey();
  if (!key) {
    keyForm();
    return;
  }
  const parts = location.pathname
    .replace(/^\/dashboard\/?/, '')
    .split('/')
    .filter(Boolean);
  document
    .querySelectorAll('header nav a')
    .forEach((a) => a.classList.toggle('current', a.getAttribute('href') === location.pathname));
  try {
    if (parts.length === 0 || (parts[0] === 'creators' && parts.length === 1)) {
      // a bad key shows the key form rather than an empty list
      await get('/v1/account');
      creatorsPage(app);
    } else if (parts[0] === 'creators' && parts[1]) await creatorPage(app, parts[1]);
    else if (parts[0] === 'videos' && parts[1]) await videoPage(app, parts[1]);
    else if (parts[0] === 'videos') videosPage(app);
    else if (parts[0] === 'account') accountPage(app);
    else
      app.replaceChildren(h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '/dashboard' }, 'Back to the creators')));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      forgetKey();
      keyForm(`The API refused the key: ${err.message}`);
      return;
    }
    app.replaceChildren(
      h('h1', {}, 'Could not load this page'),
      h('p', { class: 'error', role: 'alert' }, errorText(err)),
    );
  }
}

// same-origin dashboard links navigate in place
document.addEventListener('click', (event) => {
  const link = (event.target as Element | null)?.closest('a');
  if (!link || link.target || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith('/dashboard')) return;
  event.preventDefault();
  history.pushState(null, '', url.pathname);
  window.scrollTo(0, 0);
  void render();
});
window.addEventListener('popstate', () => void render());

const header = document.querySelector('header.top');
header?.after(h('div', { id: 'notice', class: 'notice', role: 'status' }));
header?.querySelector('nav')?.append(
  ' ',
  h('a', { href: '/dashboard/videos' }, 'Videos'),
  ' ',
  Object.assign(h('button', { type: 'button', class: 'link', 'data-action': 'forget-key' }, 'Forget key'), {
    onclick: () => {
      forgetKey();
      void render();
    },
  }),
);
takeKeyFromFragment();
void render();
