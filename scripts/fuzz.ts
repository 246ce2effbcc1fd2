/**
 * `npm run fuzz`: the long schemathesis pass (scripts/schemathesis.ts) against a stack of its own, the one the chaos
 * runs use (scripts/chaos-stack.ts): a private Postgres, a Temporal dev server on a file, the simulated worker with the
 * outbox relay, the API in this process, a team with credits and an API key, and a webhook subscription to a local
 * receiver. Before each pass it tracks a creator and a video and runs a collection, an audience refresh and webhook
 * deliveries, so the id-bearing routes are fuzzed with ids that exist. Two passes: with those ids in every phase
 * (`fixed`), then with generated ids mixed in (`mixed`: the 404 path and malformed ids). Prints schemathesis' reports;
 * exits 1 when either found anything.
 *
 *   npm run fuzz [-- --max-examples 500 --seed 42 --workers 2 --ids fixed|mixed --verbose] [-- <schemathesis options>]
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowInterceptorModules, workflowsPath } from '../worker/worker';
import { ChaosStack } from './chaos-stack';
import { LONG, runSchemathesis, seedKnownIds, type FuzzProfile } from './schemathesis';
import { ensureTemporalBinaries } from './temporal-tools';

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined };

const listen = (server: http.Server): Promise<string> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );

/** `--name value` options of this script; everything after a second `--` goes to `schemathesis run` as is. */
function parseArgs(argv: string[]): {
  profile: FuzzProfile;
  passes: FuzzProfile['ids'][];
  verbose: boolean;
  extra: string[];
} {
  const split = argv.indexOf('--');
  const own = split >= 0 ? argv.slice(0, split) : argv;
  const extra = split >= 0 ? argv.slice(split + 1) : [];
  const profile: FuzzProfile = { ...LONG };
  let verbose = false;
  let passes: FuzzProfile['ids'][] = ['fixed', 'mixed'];
  for (let i = 0; i < own.length; i += 1) {
    const arg = own[i];
    const value = (): number => {
      const n = Number(own[(i += 1)]);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${arg} needs a positive integer`);
      return n;
    };
    if (arg === '--max-examples') profile.maxExamples = value();
    else if (arg === '--max-steps') profile.maxSteps = value();
    else if (arg === '--seed') profile.seed = value();
    else if (arg === '--workers') profile.workers = value();
    else if (arg === '--verbose') verbose = true;
    else if (arg === '--ids' && (own[i + 1] === 'fixed' || own[i + 1] === 'mixed'))
      passes = [own[(i += 1)] as FuzzProfile['ids']];
    else throw new Error(`unknown option ${arg} (schemathesis' own options go after a second "--")`);
  }
  // a random seed, printed, so a finding of this run can be replayed with --seed
  profile.seed ??= Math.floor(Math.random() * 2 ** 31);
  return { profile, passes, verbose, extra };
}

async function main(): Promise<number> {
  const { profile, passes, verbose, extra } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'creator-tracker-fuzz-stack-'));
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
  const apiErrors: string[] = [];
  const stack = await ChaosStack.start({
    scratch,
    bundlePath,
    temporalCli: bins.cli,
    credits: 100_000_000,
    // every error the API logs is a 500 schemathesis will report; kept to print next to its report
    verbose: true,
    log: (line) => {
      apiErrors.push(line);
      if (verbose) console.log(`  ${line}`);
    },
  });
  const codes: number[] = [];
  // the seeded subscriptions' receiver: every delivery succeeds
  const receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  try {
    console.log(`stack up in ${Date.now() - started} ms at ${stack.baseUrl} (scratch ${scratch})`);
    const receiverUrl = `${await listen(receiver)}/hooks`;
    for (const ids of passes) {
      // fresh resources for each pass: the previous one deleted, paused and disabled some
      const known = await seedKnownIds(stack.baseUrl, stack.key, { webhookUrl: receiverUrl });
      const pass = { ...profile, ids };
      console.log(
        `\n${ids} ids: ${pass.maxExamples} examples per operation, seed ${pass.seed}, ${pass.workers} workers\n` +
          `seeded: ${JSON.stringify(known)}\n`,
      );
      const errorsBefore = apiErrors.length;
      const result = await runSchemathesis({ baseUrl: stack.baseUrl, apiKey: stack.key, ids: known }, pass, {
        echo: true,
        reportDir: path.join(scratch, `report-${ids}`),
        extraArgs: extra,
      });
      codes.push(result.code);
      console.log(`\n${ids} ids: schemathesis exited ${result.code} after ${Math.round(result.durationMs / 1000)} s`);
      console.log(`reports (JUnit, NDJSON): ${result.reportDir}`);
      const logged = apiErrors.slice(errorsBefore);
      if (logged.length > 0) {
        console.log(`the API logged ${logged.length} errors during the pass; the first ones:`);
        for (const line of [...new Set(logged)].slice(0, 20)) console.log(`  ${line}`);
      }
    }
  } finally {
    receiver.closeAllConnections();
    receiver.close();
    await stack.stop();
  }
  const failed = codes.length < passes.length || codes.some((code) => code !== 0);
  console.log(`\nfuzz: ${passes.map((ids, i) => `${ids} ids ${codes[i] === 0 ? 'clean' : 'FAILED'}`).join(', ')}`);
  // when the run found something, its reports and the worker's and Temporal's logs are kept (the databases are not)
  if (!failed) rmSync(scratch, { recursive: true, force: true });
  else {
    for (const data of ['postgres', 'temporal', 'workflow-bundle.js'])
      rmSync(path.join(scratch, data), { recursive: true, force: true });
    console.log(`kept: ${scratch}`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
