/**
 * `npm run chaos`: bounded faults against a real stack of its own (a private Postgres, a Temporal dev server on a
 * SQLite file, the worker as a child process, the API), each under a stream of new trackings, then the ledger audit.
 * Prints what it did and the figures; exits 1 when a cycle failed, the stack did not settle, the worker crashed on its
 * own, or the audit found anything.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowInterceptorModules, workflowsPath } from '../worker/worker';
import { formatFinding } from '../db/audit-workflows';
import { ChaosStack } from './chaos-stack';
import { runScenario, type ScenarioOptions } from './chaos-scenarios';
import { ensureTemporalBinaries } from './temporal-tools';

const SCENARIOS: ScenarioOptions[] = [
  { fault: 'worker-sigkill', downMs: 2_000, trackings: 30, spreadMs: 6_000, settleTimeoutMs: 90_000 },
  { fault: 'temporal-restart', downMs: 40_000, trackings: 30, spreadMs: 6_000, settleTimeoutMs: 120_000 },
  { fault: 'postgres-outage', downMs: 30_000, trackings: 30, spreadMs: 6_000, settleTimeoutMs: 120_000 },
];

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined };

async function main(): Promise<number> {
  const started = Date.now();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'creator-tracker-chaos-'));
  // the postgres user (when running as root) must be able to reach the cluster folder
  chmodSync(scratch, 0o755);
  const bins = ensureTemporalBinaries();
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules,
    logger: { ...quiet, warn: console.warn, error: console.error },
  });
  const bundlePath = path.join(scratch, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  const log = (line: string) => console.log(`  ${line}`);
  const stack = await ChaosStack.start({
    scratch,
    bundlePath,
    temporalCli: bins.cli,
    credits: 1_000_000,
    simulatedLatencyMs: 300,
    log,
    verbose: process.argv.includes('--verbose'),
  });
  let problems = 0;
  try {
    console.log(`stack up in ${Date.now() - started} ms (scratch ${scratch})`);
    for (const scenario of SCENARIOS) {
      console.log(
        `\n${scenario.fault}: ${scenario.trackings} trackings over ${scenario.spreadMs / 1000} s, ` +
          `down ${scenario.downMs / 1000} s`,
      );
      const result = await runScenario(stack, scenario);
      console.log(
        JSON.stringify(
          {
            duration_s: Math.round(result.durationMs / 100) / 10,
            accepted: result.accepted,
            api_errors_during_fault: result.apiErrors,
            unexpected_answers: result.unexpectedAnswers,
            settled: result.settled,
            still_in_flight: result.stuck,
            worker_crashed_by_itself: result.workerCrashed,
            // cumulative over the run's scenarios
            cycles_completed: result.figures.cycles_completed,
            cycles_failed: result.figures.cycles_failed,
            deliveries: result.figures.deliveries,
            deliveries_succeeded: result.figures.deliveries_succeeded,
            deliveries_received: stack.deliveriesReceived,
            audit_findings: result.findings.length,
          },
          null,
          2,
        ),
      );
      for (const finding of result.findings) console.log(`  finding: ${formatFinding(finding)}`);
      const failed =
        !result.settled ||
        result.workerCrashed ||
        result.figures.cycles_failed > 0 ||
        result.findings.length > 0 ||
        Object.keys(result.unexpectedAnswers).length > 0;
      console.log(failed ? `${scenario.fault}: FAILED` : `${scenario.fault}: ok`);
      if (failed) problems += 1;
    }
  } finally {
    await stack.stop();
    if (problems === 0) rmSync(scratch, { recursive: true, force: true });
  }
  console.log(
    `\nchaos: ${SCENARIOS.length - problems}/${SCENARIOS.length} scenarios clean in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  return problems === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
