import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshotOnFailure } from '../helpers/browser';
import { stackForSuite } from '../helpers/stack';
import { newTeam } from '../helpers/teams';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Operation {
  key: string;
  summary?: string;
  operationId?: string;
}

/** Every operation in an OpenAPI document, keyed `METHOD /path` (OpenAPI 3.1 `webhooks`: `METHOD event.name`). */
function operationsOf(doc: any): Map<string, Operation> {
  const operations = new Map<string, Operation>();
  for (const [path, item] of [...Object.entries<any>(doc.paths ?? {}), ...Object.entries<any>(doc.webhooks ?? {})]) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const key = `${method.toUpperCase()} ${path}`;
      operations.set(key, { key, summary: op.summary, operationId: op.operationId });
    }
  }
  return operations;
}

/** A LAN-style host name the browser resolves to 127.0.0.1: plain HTTP there is not a "potentially trustworthy" origin. */
const LAN_HOST = 'creator-tracker.lan';

// records a CSP violation the moment the browser reports one, before any page script runs
const RECORD_CSP_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', function (e) {
    window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' (' + e.sourceFile + ':' + e.lineNumber + ')');
  });
`;

/**
 * Opens `/docs` and collects what a broken reference shows: console errors, uncaught exceptions, CSP violations, failed
 * requests and error answers.
 */
async function openDocs(browser: Browser, url: string) {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    // over plain HTTP off localhost the browser notes that it ignores Cross-Origin-Opener-Policy (HTTPS-only): a note
    // about helmet's header, not a fault of the page
    if (msg.type() === 'error' && !msg.text().includes('Cross-Origin-Opener-Policy header has been ignored'))
      problems.push(`console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  await page.addInitScript({ content: RECORD_CSP_VIOLATIONS });
  const response = await page.goto(url, { waitUntil: 'load' });
  const cspViolations = async () => (await page.evaluate('window.__cspViolations')) as string[];
  return { page, response, problems, cspViolations };
}

// read in the page in one go: a round trip per element is slow on a busy machine
const READ_RENDERED_OPERATIONS = `[...document.querySelectorAll('.opblock .opblock-summary')].map((summary) => {
  const text = (selector) => summary.querySelector(selector)?.textContent.trim() || undefined;
  const method = (text('.opblock-summary-method') || '').toUpperCase();
  const path = summary.querySelector('[data-path]')?.getAttribute('data-path');
  return { key: method + ' ' + path, summary: text('.opblock-summary-description'), operationId: text('.opblock-summary-operation-id') };
})`;

/** The operations Swagger UI rendered, as `METHOD /path` with their summary and operation id. */
async function renderedOperations(page: Page): Promise<Operation[]> {
  await page.locator('.opblock-summary [data-path]').first().waitFor({ timeout: 30_000 });
  return (await page.evaluate(READ_RENDERED_OPERATIONS)) as Operation[];
}

/** A CSP header as directive name → value. */
function directives(csp: string): Map<string, string> {
  return new Map(
    csp
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const [name = '', ...values] = part.split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
  );
}

describe('interactive API reference at /docs, in headless Chromium', () => {
  const suite = stackForSuite();
  let browser: Browser;
  let openApi: any;

  beforeAll(async () => {
    browser = await launchBrowser({ args: [`--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`] });
    openApi = await (await fetch(`${suite.stack.baseUrl}/openapi.json`)).json();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('answers with helmet’s security headers and a CSP that allows no inline or eval’d script', async () => {
    const res = await fetch(`${suite.stack.baseUrl}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('x-powered-by')).toBeNull();
    const html = await res.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is a same-origin file
    expect(html).not.toMatch(/\bon[a-z]+=/i); // no inline event handlers

    const csp = directives(res.headers.get('content-security-policy') ?? '');
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('script-src-attr')).toBe("'none'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('frame-ancestors')).toBe("'self'");
    // the one relaxation, on /docs only: no upgrade-insecure-requests (see api/docs.ts); the rest is helmet's policy
    const apiCsp = directives(
      (await fetch(`${suite.stack.baseUrl}/openapi.json`)).headers.get('content-security-policy') ?? '',
    );
    expect(apiCsp.has('upgrade-insecure-requests')).toBe(true);
    expect(csp.has('upgrade-insecure-requests')).toBe(false);
    apiCsp.delete('upgrade-insecure-requests');
    expect(csp).toEqual(apiCsp);

    // assets come from node_modules under the same headers; the package's other files are not served
    const bundle = await fetch(`${suite.stack.baseUrl}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect(bundle.headers.get('x-content-type-options')).toBe('nosniff');
    await bundle.arrayBuffer();
    for (const hidden of ['index.html', 'oauth2-redirect.html', 'swagger-initializer.js', '..%2Fpackage.json']) {
      const res404 = await fetch(`${suite.stack.baseUrl}/docs/${hidden}`);
      expect(res404.status).toBe(404);
      await res404.arrayBuffer();
    }
  });

  it('lists every operation of /openapi.json with its summary, with no console errors or CSP violations', async () => {
    const expected = operationsOf(openApi);
    expect(expected.get('GET /v1/tracking/creators')).toBeDefined();
    expect(expected.get('POST /v1/webhooks')).toBeDefined();

    const { page, response, problems, cspViolations } = await openDocs(browser, `${suite.stack.baseUrl}/docs`);
    try {
      await screenshotOnFailure(page, 'docs-operations', async () => {
        expect(response?.status()).toBe(200);
        expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
        const rendered = await renderedOperations(page);
        // an operation under two tags renders twice; each one must render at least once and nothing else may
        const renderedKeys = new Set(rendered.map((op) => op.key));
        expect(renderedKeys.size).toBe(expected.size);
        expect([...renderedKeys].sort()).toEqual([...expected.keys()].sort());
        for (const key of ['GET /v1/tracking/creators', 'POST /v1/webhooks']) {
          const want = expected.get(key) as Operation;
          const shown = rendered.find((op) => op.key === key);
          expect(shown?.summary).toBe(want.summary);
          if (want.operationId) expect(shown?.operationId).toBe(want.operationId);
        }
        await expect(page.title()).resolves.toBe('Creator Tracker API reference');
        expect(await cspViolations()).toEqual([]);
        expect(problems).toEqual([]);
      });
    } finally {
      await page.close();
    }
  });

  it('takes a bearer key under Authorize and runs "Try it out" against the API', async () => {
    const team = await newTeam(suite.stack.pool, 0);
    const { page, problems, cspViolations } = await openDocs(browser, `${suite.stack.baseUrl}/docs`);
    try {
      await screenshotOnFailure(page, 'docs-try-it-out', async () => {
        await page.locator('button.authorize').first().click();
        const bearer = page.locator('.modal-ux .auth-container').filter({ hasText: /bearer/i });
        await bearer.locator('input').fill(team.key);
        await bearer.locator('button.authorize').click();
        await bearer.locator('button.btn-done').click();

        const operation = page.locator('.opblock').filter({
          has: page.locator('.opblock-summary-method', { hasText: /^GET$/ }),
        });
        const listCreators = operation.filter({ has: page.locator('[data-path="/v1/tracking/creators"]') }).first();
        await listCreators.locator('.opblock-summary-control').click();
        await listCreators.locator('button.try-out__btn').click();
        await listCreators.locator('button.execute').click();
        const status = listCreators.locator('.live-responses-table .response .response-col_status').first();
        await expect(status.innerText()).resolves.toMatch(/^200\b/);
        await expect(listCreators.locator('.curl-command').innerText()).resolves.toContain(`Bearer ${team.key}`);
        expect(await cspViolations()).toEqual([]);
        expect(problems).toEqual([]);
      });
    } finally {
      await page.close();
    }
  });

  it('renders over plain HTTP on a non-localhost host name too (no upgrade-insecure-requests on /docs)', async () => {
    const url = new URL('/docs', suite.stack.baseUrl);
    url.hostname = LAN_HOST;
    const { page, problems, cspViolations } = await openDocs(browser, url.toString());
    try {
      await screenshotOnFailure(page, 'docs-lan-host', async () => {
        const rendered = await renderedOperations(page);
        expect(new Set(rendered.map((op) => op.key)).size).toBe(operationsOf(openApi).size);
        expect(await cspViolations()).toEqual([]);
        expect(problems).toEqual([]);
      });
    } finally {
      await page.close();
    }
  });
});
