import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { stateQuery, type TrackingView } from '../../workflows/messages';
import { DUE_CYCLE_BEFORE_CONTINUE_AS_NEW_PATCH } from '../../workflows/tracked-entity';
import { trackAndFinalize } from '../helpers/creators';
import { patchIdsOf, recordHistory } from '../helpers/histories';
import { apiClient, eventually } from '../helpers/http';
import { appOnStack } from '../helpers/stack';
import { ledgerOf, newTeam } from '../helpers/teams';
import { devServerForSuite } from '../helpers/time-skipping';

/** `promise`, or a failure naming `what` once `ms` have passed: a workflow that deadlocked never answers. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer for ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Tracking workflows at the end of a run: waiting to continue as new, with messages arriving. A run gets there after
 * MAX_CYCLES_PER_RUN cycles or when the server suggests it; this suite's own dev server suggests it once a history has
 * ten events, so a run gets there whenever its loop wakes after its first cycle: in seconds, in real time, with the
 * real Postgres.
 */
describe('tracking workflows due to continue as new', () => {
  const suite = devServerForSuite({ 'limit.historyCount.suggestContinueAsNew': 10 }, { taskQueue: 'continue-as-new' });
  let server: Server | undefined;
  let baseUrl = '';
  beforeAll(async () => {
    ({ server, baseUrl } = await appOnStack({
      pool: suite.pool,
      client: suite.env.client,
      taskQueue: suite.taskQueue,
    }));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });

  async function team(credits = 1_000) {
    const t = await newTeam(suite.pool, credits);
    return { ...t, api: apiClient(baseUrl, t.key) };
  }

  const handleOf = () => `can_${randomUUID().slice(0, 8)}`;
  const tracked = {
    creators: () => ({ platform: 'tiktok', handle: handleOf() }),
    videos: () => ({ platform: 'tiktok', url: `https://www.tiktok.com/@${handleOf()}/video/7350${Date.now()}` }),
  };
  const workflowIdOf = (kind: keyof typeof tracked, id: string) => `${kind === 'creators' ? 'creator' : 'video'}:${id}`;

  /** The workflow's state once its run is no longer `runId` (it continued as new) and `ready` holds. */
  const nextRun = (workflowId: string, runId: string, ready: (view: TrackingView) => boolean) =>
    eventually(`a run after ${runId}`, async () => {
      const handle = suite.env.client.workflow.getHandle(workflowId);
      if ((await handle.describe()).runId === runId) return undefined;
      const view = await handle.query(stateQuery);
      return ready(view) ? view : undefined;
    });

  const patchesOf = async (workflowId: string, runId: string) =>
    patchIdsOf((await suite.env.client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? []);

  it.each(['creators', 'videos'] as const)(
    'runs a cycle asked for while the run waits to continue as new, then continues as new (%s)',
    async (kind) => {
      const { api, teamId } = await team();
      const path = `/v1/tracking/${kind}`;
      const { id } = await trackAndFinalize(api, path, tracked[kind]());
      const workflowId = workflowIdOf(kind, id);
      const { runId } = await suite.env.client.workflow.getHandle(workflowId).describe();

      // the run sleeps until its next cycle, past the length at which continue-as-new is suggested: the Update wakes
      // it, and it waits to continue as new with the Update's handler in flight, which waits for the cycle to begin
      const ran = await within(15_000, 'POST .../cycles', api.post(`${path}/${id}/cycles`));
      expect(ran.status).toBe(202);
      expect(ran.body.data).toMatchObject({ id, cycle: 2, status: 'processing' });

      // the cycle runs in the run that accepted it, which then continues as new with the state it left
      const view = await nextRun(workflowId, runId, (v) => v.cycle === 2 && !v.cycleRunning);
      expect(view).toMatchObject({ status: 'active', consecutiveFailures: 0 });
      const first = await suite.env.client.workflow.getHandle(workflowId, runId).describe();
      expect(first.status.name).toBe('CONTINUED_AS_NEW');
      // the run met the wait with the Update in flight (the one place that marker is recorded)
      expect(await patchesOf(workflowId, runId)).toContain(DUE_CYCLE_BEFORE_CONTINUE_AS_NEW_PATCH);
      if (kind === 'creators') recordHistory(suite.env.address, workflowId, 'creator-run-now-continue-as-new', runId);
      const detail = await eventually('the forced cycle recorded', async () => {
        const res = await api.get(`${path}/${id}`);
        return res.body.data.finalized && res.body.data.cycles_completed === 2 ? res.body.data : undefined;
      });
      expect(detail.status).toBe('active');
      const { entries, balance } = await ledgerOf(suite.pool, teamId);
      expect(entries.filter((e) => e.kind === 'capture')).toHaveLength(2);
      expect(balance).toBe(1_000 - 50);

      // and the next run takes the next request as well
      const again = await within(15_000, 'the next POST .../cycles', api.post(`${path}/${id}/cycles`));
      expect(again.status).toBe(202);
      expect(again.body.data).toMatchObject({ cycle: 3 });
      await eventually('the third cycle recorded', async () => {
        const res = await api.get(`${path}/${id}`);
        return res.body.data.finalized && res.body.data.cycles_completed === 3 ? true : undefined;
      });
    },
  );

  it('answers a PATCH while the run waits to continue as new, and the next run goes on from it', async () => {
    const { api } = await team();
    const { id } = await trackAndFinalize(api, '/v1/tracking/creators', tracked.creators());
    const base = `/v1/tracking/creators/${id}`;
    const workflowId = workflowIdOf('creators', id);
    const { runId } = await suite.env.client.workflow.getHandle(workflowId).describe();

    // the PATCH wakes the run into its wait to continue as new; its handler waits only for the write, which that wait
    // lets happen
    const paused = await within(15_000, 'PATCH status paused', api.patch(base, { status: 'paused' }));
    expect(paused.status).toBe(200);
    expect(paused.body.data).toMatchObject({ status: 'paused', pause_reason: 'manual', next_scrape_at: null });
    expect(await nextRun(workflowId, runId, (v) => v.status === 'paused')).toMatchObject({
      cycle: 1,
      nextScrapeAt: null,
    });

    const resumed = await within(15_000, 'PATCH status active', api.patch(base, { status: 'active' }));
    expect(resumed.status).toBe(200);
    expect(resumed.body.data.status).toBe('active');
    expect(resumed.body.data.next_scrape_at).not.toBeNull();
  });
});
