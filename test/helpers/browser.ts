import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureChromium } from '../../scripts/browser';

/** Screenshots of failed browser tests; `test/artifacts/` is git-ignored. */
export const artifactsDir = path.resolve(__dirname, '..', 'artifacts');

/**
 * Headless Chromium for browser tests: the system's Chromium (scripts/browser.ts finds it, or installs Debian's package
 * when it can, else throws saying what to install), driven by playwright-core. Close it in afterAll.
 */
export async function launchBrowser(options: { args?: string[] } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: ensureChromium(),
    headless: true,
    // as root Chromium refuses to start with its sandbox; a small /dev/shm (containers) crashes renderers
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', ...(options.args ?? [])],
    timeout: 60_000,
  });
}

/** Runs `check`; when it throws, saves a full-page screenshot as test/artifacts/<name>.png and rethrows. */
export async function screenshotOnFailure<T>(page: Page, name: string, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    mkdirSync(artifactsDir, { recursive: true });
    const file = path.join(artifactsDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    if (err instanceof Error) err.message += `\n(screenshot: ${path.relative(process.cwd(), file)})`;
    throw err;
  }
}
