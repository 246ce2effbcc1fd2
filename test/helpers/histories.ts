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
export function recordHistory(address: string, workflowId: string, name: string, runId?: string): void {
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
      // the latest run unless a run is named (a run that continued as new is not the latest)
      ...(runId ? ['--run-id', runId] : []),
      '--output',
      'json',
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  mkdirSync(historiesDir, { recursive: true });
  writeFileSync(path.join(historiesDir, `${name}.json`), json);
}

/** What `patchIdsOf` reads of a history event (as the SDK's `fetchHistory` returns it). */
interface MarkerEvent {
  markerRecordedEventAttributes?: {
    markerName?: string | null;
    details?: Record<string, { payloads?: { data?: Uint8Array | null }[] | null }> | null;
  } | null;
}

/** The ids of the patch markers (`patched(id)` decided true) among a history's events, in order. */
export function patchIdsOf(events: readonly MarkerEvent[]): string[] {
  return events.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    const data = marker?.markerName === 'core_patch' ? marker.details?.['patch-data']?.payloads?.[0]?.data : undefined;
    return data ? [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id] : [];
  });
}
