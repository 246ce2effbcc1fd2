import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historiesDir } from '../helpers/histories';
import { sharedWorkflowBundle } from '../helpers/env';

const files = readdirSync(historiesDir).filter((f) => f.endsWith('.json'));

describe('recorded workflow histories replay against the current workflow code', () => {
  it('has recorded histories to replay', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'creator-lifecycle.json',
        'creator-auto-pause.json',
        'video-lifecycle.json',
        'creator-collections.json',
        'creator-initial-collection.json',
        'post-collection.json',
        'creator-audience.json',
        'audience-refresh.json',
        'webhook-delivery-retried.json',
        'webhook-delivery-dead-lettered.json',
        'creator-cancelled.json',
        'creator-cancelled-collection.json',
        'post-collection-cancelled.json',
        'creator-run-now.json',
        'creator-run-now-continue-as-new.json',
        // recorded before the operator attributes and the internal job signal names (their patches)
        'legacy-creator-lifecycle.json',
        'legacy-creator-collections.json',
        'legacy-video-lifecycle.json',
        // recorded before a cycle falling due woke a run waiting to continue as new: its run-now Update never finished
        'legacy-creator-run-now-continue-as-new.json',
      ]),
    );
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const history = JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8'));
    await expect(
      Worker.runReplayHistory({ workflowBundle: sharedWorkflowBundle() }, history, file.replace(/\.json$/, '')),
    ).resolves.toBeUndefined();
  });

  it('fails a history whose commands the code would not issue (the negative control)', async () => {
    const history = JSON.parse(readFileSync(path.join(historiesDir, 'creator-lifecycle.json'), 'utf8'));
    const scheduled = history.events.find(
      (e: { activityTaskScheduledEventAttributes?: unknown }) => e.activityTaskScheduledEventAttributes,
    );
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'anActivityTheCodeNeverSchedules';
    await expect(
      Worker.runReplayHistory({ workflowBundle: sharedWorkflowBundle() }, history, 'creator-lifecycle-mutated'),
    ).rejects.toMatchObject({ name: 'DeterminismViolationError' });
  });
});
