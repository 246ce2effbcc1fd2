import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChaosStack } from '../../scripts/chaos-stack';
import { runScenario, type FaultName } from '../../scripts/chaos-scenarios';
import { requireEnv } from '../helpers/env';

/**
 * Short versions of `npm run chaos`. Each scenario breaks a stack of its own (a private Postgres cluster and, when
 * Temporal is what gets killed, a dev server on its own SQLite file), so no fault reaches the suites sharing the
 * global servers. After the fault the stack must settle with no failed cycle, no self-inflicted worker crash and a
 * clean audit.
 */
describe('faults', () => {
  const scenario = (fault: FaultName, downMs: number, ownTemporal: boolean) => async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), `creator-tracker-fault-${fault}-`));
    chmodSync(scratch, 0o755);
    const stack = await ChaosStack.start({
      scratch,
      bundlePath: requireEnv('TEST_WORKFLOW_BUNDLE'),
      ...(ownTemporal
        ? { temporalCli: requireEnv('TEMPORAL_CLI_PATH') }
        : { temporalAddress: requireEnv('TEMPORAL_ADDRESS') }),
      credits: 100_000,
      simulatedLatencyMs: 200,
    });
    try {
      const result = await runScenario(stack, {
        fault,
        downMs,
        trackings: 6,
        spreadMs: 2_000,
        // a kill that lands on a ledger step waits out its 30 s limit; a settled stack ends the wait at once
        settleTimeoutMs: 60_000,
      });
      expect({
        stuck: result.stuck,
        crashed: result.workerCrashed,
        findings: result.findings,
        unexpectedAnswers: result.unexpectedAnswers,
      }).toEqual({ stuck: [], crashed: false, findings: [], unexpectedAnswers: {} });
      // the fault met live traffic: reads during a database outage are refused (and only with 503s, checked above)
      if (fault === 'postgres-outage') expect(result.apiErrors['503']).toBeGreaterThan(0);
      expect(result.settled).toBe(true);
      expect(result.figures.cycles_failed).toBe(0);
      expect(result.figures.cycles_completed).toBeGreaterThan(0);
    } finally {
      await stack.stop();
      rmSync(scratch, { recursive: true, force: true });
    }
  };

  it(
    'a worker SIGKILLed under load is replaced and every cycle completes',
    scenario('worker-sigkill', 1_000, false),
    90_000,
  );
  it(
    'the Temporal server killed and restarted on its file loses no cycle',
    scenario('temporal-restart', 8_000, true),
    100_000,
  );
  it(
    'Postgres stopped for 8 s fails no cycle and crashes no worker',
    scenario('postgres-outage', 8_000, false),
    100_000,
  );
});
