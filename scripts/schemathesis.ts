/**
 * Schemathesis (https://schemathesis.readthedocs.io), the property-based fuzzer that checks the API against its own
 * OpenAPI 3.1 document: installed from PyPI into `.tools/schemathesis` (a virtualenv, pinned with every dependency, as
 * the Temporal binaries are kept in `.tools/python`) and run against a live stack with an API key. `npm test` runs
 * the bounded pass (test/integration/fuzz.test.ts), `npm run fuzz` the long one (scripts/fuzz.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from './temporal-tools';

/** The pinned release (4.x: OpenAPI 3.1, the `--phases`/`--checks` CLI, config-file dictionaries). */
export const SCHEMATHESIS_VERSION = '4.32.5';

/**
 * Every package the pinned release pulls in, pinned too (`pip freeze` of a clean install), so two machines fuzz with
 * the same generator and the same checks.
 */
const LOCKED_REQUIREMENTS = [
  `schemathesis==${SCHEMATHESIS_VERSION}`,
  'anyio==4.16.0',
  'certifi==2026.10.19.post1',
  'charset-normalizer==3.5.3',
  'click==8.5.1',
  'graphql-core==3.3.2',
  'harfile==0.6.0',
  'hypothesis==6.170.17',
  'hypothesis-graphql==0.13.5',
  'idna==3.20',
  'iniconfig==2.3.1',
  'jsonschema_rs==0.60.3',
  'markdown-it-py==4.3.0',
  'MarkupSafe==3.0.4',
  'mdurl==0.1.2',
  'packaging==26.4',
  'pluggy==1.7.0',
  'Pygments==2.21.0',
  'pyrate-limiter==4.5.1',
  'pytest==9.2.0',
  'PyYAML==6.0.4',
  'requests==2.34.2',
  'rich==15.0.0',
  'sortedcontainers==2.4.0',
  'typing_extensions==4.16.0',
  'urllib3==2.8.0',
  'Werkzeug==3.1.9',
];

const venvDir = path.join(projectRoot, '.tools', 'schemathesis');
/** where the packages go when this Python has no `venv` module (`pip install --target`, run through a launcher) */
const targetDir = path.join(projectRoot, '.tools', 'schemathesis-target');

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

/** Whether `sitePackages` (or any `lib/python3.x/site-packages` under it) holds the pinned release. */
function hasPinnedRelease(root: string, flat: boolean): boolean {
  const marker = `schemathesis-${SCHEMATHESIS_VERSION}.dist-info`;
  if (flat) return existsSync(path.join(root, marker));
  const lib = path.join(root, 'lib');
  if (!existsSync(lib)) return false;
  return readdirSync(lib).some((python) => existsSync(path.join(lib, python, 'site-packages', marker)));
}

/** The installed executable when it is the pinned release; no process is started, so a warm call costs nothing. */
function installed(): string | undefined {
  const venvBin = path.join(venvDir, 'bin', 'schemathesis');
  if (isExecutable(venvBin) && hasPinnedRelease(venvDir, false)) return venvBin;
  const launcher = path.join(targetDir, 'schemathesis');
  if (isExecutable(launcher) && hasPinnedRelease(targetDir, true)) return launcher;
  return undefined;
}

/** A Python new enough for the pinned release (it requires 3.11+). */
function findPython(): string | undefined {
  for (const name of ['python3', 'python3.13', 'python3.12', 'python3.11', 'python']) {
    const candidate = onPath(name);
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['-c', 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)']);
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

function run(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore', PIP_DISABLE_PIP_VERSION_CHECK: '1' },
  });
  if (result.error) return `${command} ${args.join(' ')}: ${result.error.message}`;
  if (result.status !== 0)
    return `${command} ${args.join(' ')} failed:\n${(result.stderr || result.stdout).trim().slice(-1500)}`;
  return undefined;
}

const pipArgs = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...LOCKED_REQUIREMENTS];

/** A virtualenv with the locked requirements; an error message, or undefined on success. */
function installVenv(python: string): string | undefined {
  rmSync(venvDir, { recursive: true, force: true });
  const created = run(python, ['-m', 'venv', venvDir]);
  if (created) return created;
  return run(path.join(venvDir, 'bin', 'python'), pipArgs);
}

/** `pip install --target` plus a launcher that puts the folder on PYTHONPATH, for a Python without `venv`. */
function installTarget(python: string): string | undefined {
  rmSync(targetDir, { recursive: true, force: true });
  mkdirSync(targetDir, { recursive: true });
  const failure = run(python, [...pipArgs.slice(0, 4), '--target', targetDir, ...pipArgs.slice(4)]);
  if (failure) return failure;
  const launcher = path.join(targetDir, 'schemathesis');
  writeFileSync(
    launcher,
    `#!/bin/sh\nPYTHONPATH=${JSON.stringify(targetDir)}\${PYTHONPATH:+:$PYTHONPATH} exec ${JSON.stringify(python)} -m schemathesis.cli "$@"\n`,
    { mode: 0o755 },
  );
  return undefined;
}

/**
 * The `schemathesis` executable: SCHEMATHESIS_PATH when set, else the pinned release in `.tools/`, installed from PyPI
 * when missing (a virtualenv at `.tools/schemathesis`; `pip install --target` when `venv` is unavailable). Silent and
 * instant when already installed; throws with what failed otherwise.
 */
export function ensureSchemathesis(): string {
  const override = process.env.SCHEMATHESIS_PATH;
  if (override) {
    if (!isExecutable(override))
      throw new Error(`schemathesis: ${override} (from SCHEMATHESIS_PATH) is not executable`);
    return override;
  }
  const found = installed();
  if (found) return found;
  const python = findPython();
  if (!python) throw new Error('schemathesis needs Python 3.11+ (python3 on PATH) to install into .tools/');
  const failures: string[] = [];
  const viaVenv = installVenv(python);
  if (viaVenv) {
    failures.push(viaVenv);
    rmSync(venvDir, { recursive: true, force: true });
    const viaTarget = installTarget(python);
    if (viaTarget) failures.push(viaTarget);
  }
  const now = installed();
  if (!now) {
    throw new Error(
      `schemathesis ${SCHEMATHESIS_VERSION} could not be installed into .tools/:\n${failures.join('\n')}\n` +
        `Install it yourself ("pip install schemathesis==${SCHEMATHESIS_VERSION}") and set SCHEMATHESIS_PATH.`,
    );
  }
  return now;
}

/** Ids that exist on the stack, so id-bearing routes are reached beyond their 404 (schemathesis cannot guess UUIDs). */
export interface KnownIds {
  creators: string[];
  videos: string[];
  webhooks: string[];
  /** posts of `creators[0]` */
  posts: string[];
  /** post collections of `creators[0]` */
  collections: string[];
  /** audience refresh jobs of `creators[0]` */
  audienceJobs: string[];
  /** deliveries of `webhooks[0]` */
  deliveries: string[];
  /**
   * What the DELETE operations get instead: the pass deletes early (soft deletes answer 204 again and again), and the
   * resources every other operation reads must outlive it.
   */
  disposable: { creators: string[]; videos: string[]; webhooks: string[] };
}

/** An answer's `data`: an object's fields (empty for anything else), or a list's items. */
type Fields = Record<string, unknown>;

/** One call as the fuzzing team, for seeding; throws on a network failure only. */
async function call(baseUrl: string, apiKey: string, method: string, url: string, body?: unknown) {
  const res = await fetch(`${baseUrl}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let data: unknown;
  try {
    data = text ? (JSON.parse(text) as { data?: unknown }).data : undefined;
  } catch {
    data = undefined;
  }
  const fields: Fields = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Fields) : {};
  const items: Fields[] = Array.isArray(data) ? (data as Fields[]) : [];
  return { status: res.status, data: fields, items, text };
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`seeding the fuzz run: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const lastSegment = (url: unknown): string | undefined =>
  typeof url === 'string' ? url.split('/').filter(Boolean).pop() : undefined;
const idsOf = (list: { items: Fields[] }): string[] =>
  list.items.map((item) => item.id).filter((id): id is string => typeof id === 'string');

/**
 * Real data for the fuzzer to reach: a tracked creator (first cycle finished) with a post collection, its posts and an
 * audience refresh job, a tracked video, the team's first webhook with its deliveries (a subscription to `webhookUrl`
 * is created first when given, so the tracking events are delivered), and a creator, a video and a webhook for the
 * DELETE operations. Throws with the answer when a step the pass relies on is refused.
 */
export async function seedKnownIds(
  baseUrl: string,
  apiKey: string,
  options: { webhookUrl?: string; timeoutMs?: number } = {},
): Promise<KnownIds> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const api = (method: string, url: string, body?: unknown) => call(baseUrl, apiKey, method, url, body);
  const expect = (what: string, res: { status: number; text: string }, ...statuses: number[]) => {
    if (!statuses.includes(res.status))
      throw new Error(`seeding the fuzz run: ${what} answered ${res.status}: ${res.text}`);
  };
  const subscribe = async (url: string) => {
    const hook = await api('POST', '/v1/webhooks', { url, enabled_events: ['*'] });
    expect('creating a webhook', hook, 201);
    return String(hook.data.id);
  };
  // subscribed before anything is tracked, so the tracking events are delivered to it
  const subscribed = options.webhookUrl ? await subscribe(options.webhookUrl) : undefined;
  const track = async (kind: 'creators' | 'videos') => {
    const suffix = randomUUID().replace(/-/g, '').slice(0, 11);
    const body =
      kind === 'creators'
        ? { platform: 'tiktok', handle: `fuzz_${suffix}` }
        : { platform: 'youtube', url: `https://youtu.be/${suffix}` };
    const res = await api('POST', `/v1/tracking/${kind}`, body);
    expect(`tracking ${kind}`, res, 202);
    return String(res.data.id);
  };
  const finalized = (path: string) =>
    until(
      `the first cycle of ${path}`,
      async () => ((await api('GET', path)).data.finalized ? true : undefined),
      timeoutMs,
    );
  const done = (path: string) =>
    until(path, async () => ((await api('GET', path)).data.status === 'processing' ? undefined : true), timeoutMs);

  const creatorId = await track('creators');
  const videoId = await track('videos');
  const disposable = { creators: [await track('creators')], videos: [await track('videos')] };
  const base = `/v1/tracking/creators/${creatorId}`;
  await finalized(base);
  const collect = await api('POST', `${base}/posts/collect`, { depth: 'standard' });
  expect('collecting posts', collect, 202);
  const collectionId = String(collect.data.collection_id ?? lastSegment(collect.data.poll_url));
  await done(`${base}/posts/collect/${collectionId}`);
  const posts = idsOf(await api('GET', `${base}/posts?limit=5`));
  const audience = await api('POST', `${base}/audience-refresh`, { force: true });
  expect('refreshing the audience', audience, 202);
  const jobId = String(audience.data.job_id);
  await done(`${base}/audience-refresh/${jobId}`);
  await finalized(`/v1/tracking/videos/${videoId}`);

  const hooks = (await api('GET', '/v1/webhooks')).items;
  const webhookId = subscribed ?? (typeof hooks[0]?.id === 'string' ? hooks[0].id : undefined);
  const hookUrl = options.webhookUrl ?? (typeof hooks[0]?.url === 'string' ? hooks[0].url : undefined);
  let deliveries: string[] = [];
  if (webhookId) {
    deliveries = await until(
      'a webhook delivery',
      async () => {
        const found = idsOf(await api('GET', `/v1/webhooks/${webhookId}/deliveries`));
        return found.length > 0 ? found.slice(0, 5) : undefined;
      },
      timeoutMs,
    );
  }
  return {
    creators: [creatorId],
    videos: [videoId],
    webhooks: webhookId ? [webhookId] : [],
    posts,
    collections: [collectionId],
    audienceJobs: [jobId],
    deliveries,
    disposable: { ...disposable, webhooks: hookUrl ? [await subscribe(hookUrl)] : [] },
  };
}

export interface FuzzProfile {
  /** test cases per operation and phase */
  maxExamples: number;
  /** steps per stateful scenario (schemathesis' default when absent) */
  maxSteps?: number;
  workers: number;
  /** fixed for the bounded pass (a finding is reproducible), random for the long one; printed either way */
  seed?: number;
  /** the run stops at this many failures (the report lists them all) */
  maxFailures?: number;
  /** seconds per request before schemathesis reports a timeout */
  requestTimeout: number;
  /**
   * How the known ids reach the path parameters. `fixed`: always the first known id, in every phase (the coverage
   * phase otherwise takes the document's example ids, which exist nowhere, and only reaches the 404), so a short pass
   * tests the handlers behind the ids every time. `mixed`: mostly a known id, sometimes a generated one (the 404 path
   * and malformed ids), in the phases that draw from dictionaries.
   */
  ids: 'fixed' | 'mixed';
}

/** `npm test`: every phase and check, a few cases per operation; the whole pass takes well under 90 s. */
export const BOUNDED: FuzzProfile = {
  maxExamples: 5,
  maxSteps: 5,
  workers: 2,
  seed: 20_240_601,
  requestTimeout: 10,
  ids: 'fixed',
};

/**
 * `npm run fuzz`: the same checks, many more cases and longer stateful scenarios; scripts/fuzz.ts runs it with `fixed`
 * ids, then with `mixed` ones.
 */
export const LONG: FuzzProfile = { maxExamples: 200, maxSteps: 20, workers: 2, requestTimeout: 20, ids: 'mixed' };

/**
 * `--checks all`, every check on every operation (not_a_server_error, status_code_conformance,
 * content_type_conformance, response_schema_conformance, response_headers_conformance, negative_data_rejection,
 * positive_data_acceptance, missing_required_header, unsupported_method, allow_header_conformance, ignored_auth,
 * use_after_free, ensure_resource_availability, object_level_authorization (a no-op with one team)) except where
 * one cannot apply, listed here with the reason.
 */
export const CHECKS_OFF: { check: string; operations: RegExp; why: string }[] = [
  {
    check: 'use_after_free',
    operations: /^[A-Z]+ \/v1\/tracking\/(creators|videos)\/\{id\}/,
    why:
      'DELETE of a tracked creator or video is a soft delete, documented as "Stopped; history stays readable": ' +
      'its snapshots, report and posts answer 200 after it (a deleted webhook is gone, and is still checked)',
  },
];

/**
 * Operations whose 400 can answer a schema-valid request, because what they check cannot be said in JSON Schema: for
 * these, `positive_data_acceptance` also accepts a 400 (every other operation must take every schema-valid input).
 * A rule that JSON Schema can say (a required field, minProperties, a pattern) belongs in the document, not here.
 */
export const SEMANTIC_400: { method: string; path: string; why: string }[] = [
  {
    method: 'POST',
    path: '/v1/tracking/creators',
    why: 'the url must be an account page of the platform named (host and path per platform)',
  },
  {
    method: 'POST',
    path: '/v1/tracking/videos',
    why: "the url must be a video of the platform named, with that platform's id format",
  },
  {
    method: 'POST',
    path: '/v1/webhooks',
    why: 'the receiver must be https and resolve, at request time, to public addresses only (DNS, SSRF guard)',
  },
  { method: 'PATCH', path: '/v1/webhooks/{id}', why: 'the same receiver check when the url changes' },
  {
    method: 'POST',
    path: '/v1/satellite/video-outlier',
    why: 'the url must be a video of the platform named that names its creator (or comes with `handle`)',
  },
  {
    method: 'GET',
    path: '/v1/satellite/sounds/{platform}/{music_id}',
    why: 'sounds are TikTok only (the seed answers 400 for another platform), and music_id must be a TikTok id or sound URL',
  },
  // start_date <= end_date is a relation between two parameters
  { method: 'GET', path: '/v1/usage', why: 'start_date must not be after end_date' },
  { method: 'GET', path: '/v1/tracking/creators/{id}/posts', why: 'start_date must not be after end_date' },
  { method: 'GET', path: '/v1/tracking/creators/{id}/snapshots', why: 'start_date must not be after end_date' },
  { method: 'GET', path: '/v1/tracking/videos/{id}/snapshots', why: 'start_date must not be after end_date' },
];

/** schemathesis' own default for positive_data_acceptance, plus 400 */
const POSITIVE_WITH_400 = ['2xx', '3xx', '400', '401', '403', '404', '409', '429', '5xx'];

/** TOML for one string: single-quoted literal strings take regexes without escaping. */
const literal = (value: string): string => {
  if (value.includes("'") || value.includes('\n')) throw new Error(`not a TOML literal string: ${value}`);
  return `'${value}'`;
};
const basic = (value: string): string => JSON.stringify(value);

/**
 * The run's `schemathesis.toml`: the API key (as an OpenAPI auth, so `ignored_auth` knows what to strip), no state
 * kept between runs (no example database, no cache: a pass depends on its seed only), the `SEMANTIC_400` operations,
 * and the known ids bound to each id-bearing route's path parameters (see `FuzzProfile.ids`).
 */
export function configToml(apiKey: string, ids: KnownIds | undefined, profile: FuzzProfile): string {
  const lines = [
    '[generation]',
    "database = 'none'",
    '',
    '[cache]',
    'enabled = false',
    '',
    '[auth.openapi.bearer]',
    `bearer = ${basic(apiKey)}`,
    '',
    ...(profile.maxSteps !== undefined ? ['[phases.stateful]', `max-steps = ${profile.maxSteps}`, ''] : []),
  ];
  for (const rule of SEMANTIC_400) {
    lines.push(
      '[[operations]]',
      // one filter: schemathesis ORs an entry's include-* keys, so path and method go together in the operation's name
      `include-name = ${basic(`${rule.method} ${rule.path}`)}`,
      `checks.positive_data_acceptance.expected-statuses = [${POSITIVE_WITH_400.map(basic).join(', ')}]`,
      '',
    );
  }
  for (const off of CHECKS_OFF) {
    lines.push(
      '[[operations]]',
      `include-name-regex = ${literal(off.operations.source)}`,
      `checks.${off.check}.enabled = false`,
      '',
    );
  }
  if (!ids) return lines.join('\n');
  const dictionaries: Record<string, string[]> = {
    creators: ids.creators,
    videos: ids.videos,
    webhooks: ids.webhooks,
    posts: ids.posts,
    collections: ids.collections,
    audience_jobs: ids.audienceJobs,
    deliveries: ids.deliveries,
    disposable_creators: ids.disposable.creators,
    disposable_videos: ids.disposable.videos,
    disposable_webhooks: ids.disposable.webhooks,
  };
  for (const [name, values] of Object.entries(dictionaries)) {
    if (values.length === 0 || profile.ids === 'fixed') continue;
    lines.push(`[dictionaries.${name}]`, `values = [${values.map(basic).join(', ')}]`, '');
  }
  // Which dictionary feeds which path parameter, by operation name ("METHOD /path"; one regex, as schemathesis ORs an
  // entry's include-* keys). The first entry matching an operation decides its `parameters` (schemathesis does not
  // merge them), so DELETE and the nested paths come first, each naming all its parameters. With `mixed` ids, 0.8
  // leaves a fifth of the cases to generated ids: the 404 path is fuzzed too.
  const anyMethod = '^[A-Z]+ ';
  const bindings: { nameRegex: string; params: Record<string, string> }[] = [
    { nameRegex: '^DELETE /v1/tracking/creators/\\{id\\}$', params: { id: 'disposable_creators' } },
    { nameRegex: '^DELETE /v1/tracking/videos/\\{id\\}$', params: { id: 'disposable_videos' } },
    { nameRegex: '^DELETE /v1/webhooks/\\{id\\}$', params: { id: 'disposable_webhooks' } },
    {
      nameRegex: `${anyMethod}/v1/tracking/creators/\\{id\\}/posts/\\{post_id\\}$`,
      params: { id: 'creators', post_id: 'posts' },
    },
    {
      nameRegex: `${anyMethod}/v1/tracking/creators/\\{id\\}/posts/collect/\\{collection_id\\}$`,
      params: { id: 'creators', collection_id: 'collections' },
    },
    {
      nameRegex: `${anyMethod}/v1/tracking/creators/\\{id\\}/audience-refresh/\\{job_id\\}$`,
      params: { id: 'creators', job_id: 'audience_jobs' },
    },
    { nameRegex: `${anyMethod}/v1/tracking/creators/\\{id\\}`, params: { id: 'creators' } },
    { nameRegex: `${anyMethod}/v1/tracking/videos/\\{id\\}`, params: { id: 'videos' } },
    {
      nameRegex: `${anyMethod}/v1/webhooks/\\{id\\}/deliveries/\\{delivery_id\\}`,
      params: { id: 'webhooks', delivery_id: 'deliveries' },
    },
    { nameRegex: `${anyMethod}/v1/webhooks/\\{id\\}`, params: { id: 'webhooks' } },
  ];
  for (const binding of bindings) {
    const params = Object.entries(binding.params).filter(([, dictionary]) => (dictionaries[dictionary] ?? []).length);
    if (params.length === 0) continue;
    const inline = params
      .map(([param, dictionary]) => {
        const value =
          profile.ids === 'fixed'
            ? basic((dictionaries[dictionary] ?? [])[0] ?? '')
            : `{ dictionary = ${basic(dictionary)}, probability = 0.8 }`;
        return `${basic(`path.${param}`)} = ${value}`;
      })
      .join(', ');
    lines.push(
      '[[operations]]',
      `include-name-regex = ${literal(binding.nameRegex)}`,
      `parameters = { ${inline} }`,
      // a DELETE must not take the ids other responses carry (the seeded ones among them) either
      ...(binding.nameRegex.startsWith('^DELETE ')
        ? ['examples', 'coverage', 'fuzzing'].map((phase) => `phases.${phase}.extra-data-sources.responses = false`)
        : []),
      '',
    );
  }
  return lines.join('\n');
}

export interface FuzzTarget {
  /** the API's origin, e.g. http://127.0.0.1:3000 (the document is read from `/openapi.json`) */
  baseUrl: string;
  apiKey: string;
  ids?: KnownIds;
}

/** The command line for one pass, with the config file it reads. */
export function schemathesisArgs(target: FuzzTarget, profile: FuzzProfile, configFile: string, reportDir: string) {
  return [
    '--config-file',
    configFile,
    'run',
    `${target.baseUrl}/openapi.json`,
    '--url',
    target.baseUrl,
    '--checks',
    'all',
    '--phases',
    'examples,coverage,fuzzing,stateful',
    '--max-examples',
    String(profile.maxExamples),
    '--workers',
    String(profile.workers),
    '--request-timeout',
    String(profile.requestTimeout),
    ...(profile.seed !== undefined ? ['--seed', String(profile.seed)] : []),
    ...(profile.maxFailures !== undefined ? ['--max-failures', String(profile.maxFailures)] : []),
    '--continue-on-failure',
    '--report',
    'junit,ndjson',
    '--report-dir',
    reportDir,
    '--no-color',
  ];
}

export interface FuzzResult {
  /** schemathesis' exit code: 0 when nothing was found */
  code: number;
  /** its whole console report (stdout and stderr, interleaved) */
  output: string;
  durationMs: number;
  /** JUnit and NDJSON reports (a scratch folder, removed after a clean pass, unless `options.reportDir` named one) */
  reportDir: string;
  command: string;
}

/**
 * Whether a pass's only problems are crashes inside schemathesis itself: a "Runtime Error" whose traceback ends in the
 * tool's or hypothesis' own code (CPython 3.11 sometimes raises "AST constructor recursion depth mismatch" while
 * hypothesis describes a lambda), and no check failed. Such a pass says nothing about the API; it is run again.
 */
export function onlyToolCrashes(output: string): boolean {
  if (/=+ FAILURES =+/.test(output)) return false;
  const errors = output.split(/_{4,} [A-Z]+ \S+ _{4,}/).slice(1);
  return (
    errors.length > 0 &&
    errors.every((e) => /^\s*Runtime Error\b/.test(e) && /site-packages\/(hypothesis|schemathesis)\//.test(e))
  );
}

/**
 * One schemathesis pass against `target` with every applicable check. Runs in a scratch folder (schemathesis writes
 * nothing into the repository); `echo` streams its report as it goes.
 */
export async function runSchemathesis(
  target: FuzzTarget,
  profile: FuzzProfile,
  options: { echo?: boolean; reportDir?: string; extraArgs?: string[] } = {},
): Promise<FuzzResult> {
  const executable = ensureSchemathesis();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'creator-tracker-fuzz-'));
  const configFile = path.join(scratch, 'schemathesis.toml');
  writeFileSync(configFile, configToml(target.apiKey, target.ids, profile), { mode: 0o600 });
  const reportDir = options.reportDir ?? path.join(scratch, 'report');
  const args = [...schemathesisArgs(target, profile, configFile, reportDir), ...(options.extraArgs ?? [])];
  const started = Date.now();
  const child = spawn(executable, args, {
    cwd: scratch,
    env: { ...process.env, COLUMNS: '160', NO_COLOR: '1', PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const take = (chunk: Buffer) => {
    output += chunk.toString();
    if (options.echo) process.stdout.write(chunk);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status, signal) => resolve(status ?? (signal ? 128 : 1)));
  }).finally(() => rmSync(configFile, { force: true })); // it holds the API key
  // a clean pass leaves nothing behind; a failing one keeps its reports for the message to point at
  if (code === 0 && !options.reportDir) rmSync(scratch, { recursive: true, force: true });
  return {
    code,
    output,
    durationMs: Date.now() - started,
    reportDir,
    command: `${executable} ${args.join(' ')}`,
  };
}

if (require.main === module) {
  try {
    const executable = ensureSchemathesis();
    const version = spawnSync(executable, ['--version'], { encoding: 'utf8' });
    console.log(`${executable} (${version.stdout.trim()})`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
