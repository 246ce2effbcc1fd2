/**
 * The settings a running `npm start` uses, in `.data/running.json`: its Postgres listens on a port chosen at start,
 * so the admin command reads them from here when DATABASE_URL is not set.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../domain/config';

const KEYS = ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE'] as const;
export const RUNNING_SETTINGS_FILE = 'running.json';

export function writeRunningSettings(dataDir: string, config: Pick<Config, (typeof KEYS)[number]>): void {
  const settings = Object.fromEntries(KEYS.map((key) => [key, String(config[key])]));
  writeFileSync(path.join(dataDir, RUNNING_SETTINGS_FILE), `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
}

/**
 * The environment with the running stack's settings filled in where unset; `from` says which file, when one was read.
 */
export function withRunningSettings(
  env: Record<string, string | undefined>,
  dataDir: string,
): { env: Record<string, string | undefined>; from?: string } {
  const file = path.join(dataDir, RUNNING_SETTINGS_FILE);
  if (env.DATABASE_URL || !existsSync(file)) return { env };
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  const filled = { ...env };
  for (const key of KEYS) if (!filled[key] && typeof saved[key] === 'string') filled[key] = saved[key];
  return { env: filled, from: file };
}
