import { execFileSync, spawnSync } from 'node:child_process';
import { isExecutable, onPath } from './executables';

/**
 * The headless browser the docs test drives: Debian's `chromium` package, driven by `playwright-core` (Playwright's own
 * browser download needs the internet; apt only needs the package mirror).
 */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser'] as const;
const WELL_KNOWN = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const INSTALL_COMMAND = 'apt-get update && apt-get install -y --no-install-recommends chromium';

/** `CHROMIUM_PATH` when set (it must be executable), then `chromium` / `chromium-browser` on PATH or in /usr/bin. */
export function findChromium(): string | undefined {
  const override = process.env.CHROMIUM_PATH;
  if (override) {
    if (!isExecutable(override)) throw new Error(`CHROMIUM_PATH=${override} is not an executable file`);
    return override;
  }
  for (const name of CHROMIUM_NAMES) {
    const found = onPath(name);
    if (found) return found;
  }
  return WELL_KNOWN.find(isExecutable);
}

function missingMessage(reason: string): string {
  return (
    `Chromium was not found (${reason}).\n` +
    `Install Debian's chromium package as root: "${INSTALL_COMMAND}" ` +
    `(Ubuntu: "apt-get install -y chromium-browser"), or set CHROMIUM_PATH to an existing Chromium or Chrome binary.`
  );
}

function aptInstall(): string | undefined {
  const apt = onPath('apt-get');
  if (!apt) return 'apt-get is not available to install it';
  if (process.getuid?.() !== 0) return 'not running as root, so apt-get cannot install it';
  // progress goes to stderr: callers send stdout to /dev/null and this takes a minute
  console.error(`installing Debian's chromium for the browser tests (${INSTALL_COMMAND})...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', 'chromium'],
  ]) {
    const result = spawnSync(apt, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
    if (result.status !== 0) {
      const output = (result.stderr || result.stdout || String(result.error ?? '')).trim().slice(-800);
      return `apt-get ${args.join(' ')} failed: ${output}`;
    }
  }
  return undefined;
}

/**
 * Finds Chromium (see `findChromium`) and, when it is missing, installs Debian's `chromium` with apt-get (as root, where
 * apt-get exists). Throws a message saying exactly what to install when neither works.
 */
export function ensureChromium(): string {
  const found = findChromium();
  if (found) return found;
  const failure = aptInstall();
  const installed = findChromium();
  if (installed) return installed;
  throw new Error(missingMessage(failure ?? 'apt-get installed chromium but no binary appeared'));
}

export function chromiumVersion(executable: string): string {
  // stderr piped: Debian's launcher script can print shell warnings while it picks its flags
  return execFileSync(executable, ['--version'], {
    encoding: 'utf8',
    timeout: 30_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

if (require.main === module) {
  try {
    const executable = ensureChromium();
    console.log(`chromium: ${executable} (${chromiumVersion(executable)})`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
