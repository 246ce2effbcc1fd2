import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { requireEnv } from './env';

export const historiesDir = path.resolve(__dirname, '../histories');

/**
 * With RECORD_HISTORIES=1, saves a workflow's history under test/histories/ for the replay suite, in the proto-JSON
 * form `temporal workflow show --output json` writes (the CLI, because the SDK's historyToJSON trips over the two
 * protobufjs copies npm installs). Recorded histories are committed; replaying them on every run catches
 * nondeterministic changes to workflow code.
 */
export function recordHistory(address: string, workflowId: string, name: string): void {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const json = execFileSync(
    requireEnv('TEMPORAL_CLI_PATH'),
    [
      'workflow',
      'show',
      '--address',
      address,
      '--namespace',
      'default',
      '--workflow-id',
      workflowId,
      '--output',
      'json',
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  mkdirSync(historiesDir, { recursive: true });
  writeFileSync(path.join(historiesDir, `${name}.json`), json);
}
