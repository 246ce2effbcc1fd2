/**
 * API read benchmark on the embedded stack (private Postgres, Temporal dev server, one worker, the API): seeds the
 * read model in bulk SQL, then loads each read route with autocannon side by side with a bare Express route that
 * answers the same JSON from memory, in the same run, and prints requests/s, p50/p99 and the ratio to the bare route.
 * Each route is measured twice: on the API as it runs by default (hot reads served by the read cache, api/read-cache.ts,
 * until their team's rows change) and on the same API built without the cache (every read asks Postgres), the
 * figure for a read nobody made a moment before.
 *
 *   npm run bench:reads -- [--creators 10000] [--snapshots 365] [--snapshots-each 30] [--no-record]
 *
 * Environment: BENCH_READS_DURATION_S (10) seconds per measurement, BENCH_READS_WARMUP_S (3) seconds of warm-up per
 * route before it, BENCH_READS_CONNECTIONS (20), BENCH_READS_ONLY (a comma-separated subset of the route names below),
 * BENCH_READS_DUMP=<file> writes the bodies the API answered (the seed is deterministic, so two dumps of two versions
 * of the code must be byte-for-byte identical).
 *
 * What is seeded: the bench team with `--creators` live creators plus a tenth as many stopped ones, another team with
 * as many again (other tenants share the tables), `--snapshots-each` daily snapshots per creator and `--snapshots` for
 * the creator the snapshot and detail routes read; then VACUUM ANALYZE, as autovacuum would have left the tables.
 * `--explain` prints EXPLAIN (ANALYZE, BUFFERS) of the statements the db/ functions behind those routes send.
 *
 * The app is the one `withEmbeddedStack` builds: `createApp` with the read cache, `rateLimitPerMinute` and
 * `ipRateLimitPerMinute` at 1e9 (the defaults, 300 per key and 1,200 per IP a minute, would answer 429 within the first second). Response
 * validation is off (it is on only under jest, NODE_ENV=test, which this refuses). The load generator runs in a child
 * process; the bare routes run in this process, beside the API, on an `express()` app of their own with nothing but
 * the route.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import express from 'express';
import type { Pool, QueryConfig } from 'pg';
import { createApp } from '../api/app';
import { findCreator, listCreators, ownedCreatorSnapshots } from '../db/creators';
import { createTeam, teamForApiKey } from '../db/teams';
import type { Queryable } from '../db/transaction';
import { projectRoot } from '../scripts/temporal-tools';
import { withEmbeddedStack, type EmbeddedStack } from './embedded';

const { values: args } = parseArgs({
  options: {
    creators: { type: 'string', default: '10000' },
    snapshots: { type: 'string', default: '365' },
    'snapshots-each': { type: 'string', default: '30' },
    explain: { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
  },
});
const CREATORS = Number(args.creators);
const SNAPSHOTS = Number(args.snapshots);
const SNAPSHOTS_EACH = Number(args['snapshots-each']);
const DURATION_S = Number(process.env.BENCH_READS_DURATION_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_READS_WARMUP_S ?? 3);
const CONNECTIONS = Number(process.env.BENCH_READS_CONNECTIONS ?? 20);
const ONLY = process.env.BENCH_READS_ONLY?.split(',').map((s) => s.trim());

if (process.env.NODE_ENV === 'test') {
  throw new Error('NODE_ENV=test turns on response validation in createApp; run the bench without it');
}

/** Every seeded timestamp is relative to this, with microseconds, so two runs seed the same rows. */
const BASE = '2026-12-01T06:00:04.512345Z';

/**
 * `count` creators of `teamId`, ids and values derived from `tag` and the row number (deterministic), created 37 s
 * apart with a tie every other row (the list's `id` tiebreaker is exercised), a third per platform.
 */
async function seedCreators(db: Pool, teamId: string, tag: string, count: number, stopped: boolean): Promise<void> {
  await db.query(
    `INSERT INTO tracked_creators (id, team_id, platform, platform_handle, platform_user_id, display_name, avatar_url,
       profile_url, bio, is_verified, category, content_tags, profile_metadata, status, pause_reason, scrape_cadence,
       enrichment_status, latest_followers, latest_following, latest_total_videos, latest_total_likes,
       latest_total_views, latest_subscribers, growth_rate, followers_gained, cycles_completed, cycles_failed,
       last_scraped_at, next_scrape_at, created_at, updated_at, deleted_at)
     SELECT bench_uuid($2 || i), $1, p.platform, $2 || '.creator.' || i, 'uid' || (1000000 + i),
       'Bench Creator ' || i, 'https://cdn.example.com/avatars/' || i || '.jpeg',
       'https://www.tiktok.com/@' || $2 || '.creator.' || i, 'Comedy and life hacks, a new video every day (' || i || ')',
       i % 7 = 0, 'Comedy', ARRAY['comedy', 'lifehack', 'reaction'],
       jsonb_build_object('country', 'IT', 'language', 'it',
         'external_links', jsonb_build_array('https://www.instagram.com/bench' || i)),
       CASE WHEN $4 THEN 'stopped' WHEN i % 13 = 0 THEN 'paused' ELSE 'active' END,
       CASE WHEN NOT $4 AND i % 13 = 0 THEN 'manual' END, 'daily', 'ready',
       162000000 + i * 37, 80 + i % 50, 1000 + i % 900, 2480000000 + i * 101, 1930000000 + i * 1009,
       CASE WHEN p.platform = 'youtube' THEN 5000000 + i END, (i % 300) / 100.0 - 0.5, i * 3 % 5000 - 100,
       30, i % 3, ts.at - interval '1 day', CASE WHEN NOT $4 AND i % 13 <> 0 THEN ts.at + interval '1 day' END,
       ts.at - (i / 2) * interval '37 seconds' - interval '30 days', ts.at, CASE WHEN $4 THEN ts.at END
     FROM generate_series(1, $3::int) i,
       LATERAL (SELECT (ARRAY['tiktok', 'youtube', 'instagram'])[1 + i % 3] AS platform) p,
       LATERAL (SELECT $5::timestamptz AS at) ts`,
    [teamId, tag, count, stopped, BASE],
  );
}

/** Daily snapshots of every creator of the team, `each` per creator and `target` for `targetId`. */
async function seedSnapshots(db: Pool, teamId: string, targetId: string, target: number, each: number): Promise<void> {
  await db.query(
    `INSERT INTO creator_snapshots (id, tracking_account_id, cycle, followers, following, total_videos, total_views,
       total_likes, collected_post_count, subscribers, delta_followers, delta_following, delta_total_videos,
       delta_total_views, delta_total_likes, snapshot_at)
     SELECT bench_uuid(c.id::text || s), c.id, s, 162000000 + s * 27500, 82, 1000 + s, 1930000000 + s::bigint * 41200000,
       2480000000 + s * 3100000, 50, CASE WHEN c.platform = 'youtube' THEN 5000000 + s END,
       CASE WHEN s > 1 THEN 27500 END, CASE WHEN s > 1 THEN 0 END, CASE WHEN s > 1 THEN 1 END,
       CASE WHEN s > 1 THEN 41200000 END, CASE WHEN s > 1 THEN 3100000 END,
       $4::timestamptz - (n.count - s) * interval '1 day' + (s % 1000) * interval '1 microsecond'
     FROM tracked_creators c,
       LATERAL (SELECT CASE WHEN c.id = $2 THEN $3::int ELSE $5::int END AS count) n,
       generate_series(1, n.count) s
     WHERE c.team_id = $1`,
    [teamId, targetId, target, BASE, each],
  );
}

/** Seeds the read model (see the header) for `teamId`; returns the id of the creator with the long history. */
export async function seedReads(db: Pool, teamId: string): Promise<string> {
  const started = performance.now();
  // a version-4 UUID derived from a string: md5 with the version and variant nibbles set (the API checks both)
  await db.query(
    `CREATE FUNCTION bench_uuid(text) RETURNS uuid IMMUTABLE LANGUAGE sql
       AS $$ SELECT overlay(overlay(md5($1) PLACING '4' FROM 13) PLACING '8' FROM 17)::uuid $$`,
  );
  const other = await createTeam(db, 'other tenants');
  await seedCreators(db, teamId, 'bench', CREATORS, false);
  await seedCreators(db, teamId, 'bench.stopped', Math.round(CREATORS / 10), true);
  await seedCreators(db, other.id, 'other', CREATORS, false);
  // the newest live creator of the team reads as the first of the list; its history is the long one
  const targetId = (
    await db.query<{ id: string }>(
      `SELECT id FROM tracked_creators WHERE team_id = $1 AND deleted_at IS NULL ORDER BY created_at DESC, id LIMIT 1`,
      [teamId],
    )
  ).rows[0]?.id as string;
  await seedSnapshots(db, teamId, targetId, SNAPSHOTS, SNAPSHOTS_EACH);
  await seedSnapshots(db, other.id, targetId, SNAPSHOTS, SNAPSHOTS_EACH);
  await db.query('DROP FUNCTION bench_uuid');
  await db.query('VACUUM ANALYZE');
  const counts = await db.query<{ creators: number; snapshots: number }>(
    `SELECT (SELECT count(*)::int FROM tracked_creators) AS creators,
            (SELECT count(*)::int FROM creator_snapshots) AS snapshots`,
  );
  console.error(
    `seeded ${counts.rows[0]?.creators} creators and ${counts.rows[0]?.snapshots} snapshots in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return targetId;
}

/**
 * Runs `work` (db/ functions) on a connection that also prints `EXPLAIN (ANALYZE, BUFFERS)` of each statement it
 * sends, so the plans shown are of the exact SQL and parameters the API runs.
 */
async function explain(db: Pool, what: string, work: (db: Queryable) => Promise<unknown>): Promise<void> {
  const explaining = {
    query: async (statement: string | QueryConfig, values?: unknown[]) => {
      // a statement arrives as text and parameters, or as a (prepared) query config
      const [text, params] = typeof statement === 'string' ? [statement, values] : [statement.text, statement.values];
      const plan = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, params);
      console.error(`-- ${what}\n${text}\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
      return db.query(text, params);
    },
  };
  await work(explaining as unknown as Queryable);
}

interface Measured {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  /** CPU of this process (API, bare routes, idle worker) per request, µs */
  nodeCpuUs: number;
  /** CPU of the database's backends per request, µs */
  pgCpuUs: number;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/** One autocannon run in a child process, so the load generator does not share this event loop. */
function autocannon(url: string, headers: Record<string, string>, seconds: number): Promise<AutocannonResult> {
  const cli = path.join(projectRoot, 'node_modules/autocannon/autocannon.js');
  const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
  const child = spawn(
    process.execPath,
    [cli, '-c', String(CONNECTIONS), '-d', String(seconds), '-j', '-n', ...headerArgs, url],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const result = JSON.parse(out) as AutocannonResult;
      if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
        return reject(
          new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`),
        );
      }
      resolve(result);
    });
  });
}

/** utime + stime, in clock ticks, of the database's backends by pid (Linux /proc). */
async function backendTicks(db: Pool): Promise<Map<number, number>> {
  const { rows } = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  const ticks = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
    } catch {
      // ended meanwhile
    }
  }
  return ticks;
}

async function measure(db: Pool, url: string, headers: Record<string, string>): Promise<Measured> {
  const pgBefore = await backendTicks(db);
  const cpuBefore = process.cpuUsage();
  const result = await autocannon(url, headers, DURATION_S);
  const cpu = process.cpuUsage(cpuBefore);
  const pgAfter = await backendTicks(db);
  let pgTicks = 0;
  for (const [pid, t] of pgAfter) pgTicks += t - (pgBefore.get(pid) ?? 0);
  const total = result.requests.total;
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: total,
    nodeCpuUs: Math.round((cpu.user + cpu.system) / total),
    // clock ticks are 1/100 s on Linux
    pgCpuUs: Math.round((pgTicks * 10_000) / total),
  };
}

interface Row {
  route: string;
  bodyBytes: number;
  /** the machine's 1-minute load average when the route's measurement started (2 cores: above 2 it is shared) */
  load: number;
  bare: Measured;
  /** the API as it runs: hot reads from the read cache */
  api: Measured;
  /** reads the cache answered / asked Postgres for while `api` was measured */
  cache: { hits: number; misses: number };
  /** the same API without the cache: every read asks Postgres */
  uncached: Measured;
}

async function run(stack: EmbeddedStack): Promise<Row[]> {
  const key = stack.headers.authorization?.replace(/^Bearer /, '') as string;
  const teamId = (await teamForApiKey(stack.db, key))?.teamId as string;
  const targetId = await seedReads(stack.db, teamId);
  const routes: [string, string][] = [
    ['creator detail', `/v1/tracking/creators/${targetId}`],
    ['creators list, limit 50', '/v1/tracking/creators?limit=50'],
    ['snapshots, default limit (30)', `/v1/tracking/creators/${targetId}/snapshots`],
    [`snapshots, limit ${SNAPSHOTS}`, `/v1/tracking/creators/${targetId}/snapshots?limit=${SNAPSHOTS}`],
  ];
  if (args.explain) {
    await explain(stack.db, 'creator', (db) => findCreator(db, teamId, targetId));
    await explain(stack.db, 'creators list', (db) => listCreators(db, teamId, { page: 1, limit: 50 }));
    await explain(stack.db, 'creators list, page 100', (db) => listCreators(db, teamId, { page: 100, limit: 50 }));
    await explain(stack.db, 'snapshots', (db) => ownedCreatorSnapshots(db, teamId, targetId, { limit: 30 }));
    await explain(stack.db, `snapshots, limit ${SNAPSHOTS}`, (db) =>
      ownedCreatorSnapshots(db, teamId, targetId, { limit: SNAPSHOTS }),
    );
  }
  const selected = routes.filter(([name]) => !ONLY || ONLY.some((o) => name.startsWith(o)));

  // the same JSON the API answers, served from memory by a bare Express route
  const bodies = new Map<string, unknown>();
  const dump: Record<string, string> = {};
  for (const [name, url] of selected) {
    const res = await fetch(`${stack.base}${url}`, { headers: stack.headers });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text}`);
    bodies.set(name, JSON.parse(text));
    dump[name] = text;
  }
  if (process.env.BENCH_READS_DUMP) writeFileSync(process.env.BENCH_READS_DUMP, JSON.stringify(dump, null, 1));
  const bare = express();
  bare.get('/bare/:i', (req, res) => {
    res.json(bodies.get(selected[Number(req.params.i)]?.[0] as string));
  });
  const bareServer = bare.listen(0, '127.0.0.1');
  await new Promise((r) => bareServer.once('listening', r));
  const bareBase = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}`;
  // the API as the stack builds it, but with no read cache
  const uncachedServer = createApp({
    pool: stack.db,
    temporal: stack.client,
    taskQueue: stack.taskQueue,
    rateLimitPerMinute: 1e9,
    ipRateLimitPerMinute: 1e9,
    log: console.error,
  }).listen(0, '127.0.0.1');
  await new Promise((r) => uncachedServer.once('listening', r));
  const uncachedBase = `http://127.0.0.1:${(uncachedServer.address() as AddressInfo).port}`;

  const rows: Row[] = [];
  try {
    for (const [i, [name, url]] of selected.entries()) {
      const bareUrl = `${bareBase}/bare/${i}`;
      const apiUrl = `${stack.base}${url}`;
      const uncachedUrl = `${uncachedBase}${url}`;
      const auth = { authorization: stack.headers.authorization as string };
      if (WARMUP_S > 0) {
        await autocannon(bareUrl, {}, WARMUP_S);
        await autocannon(apiUrl, auth, WARMUP_S);
        await autocannon(uncachedUrl, auth, WARMUP_S);
      }
      const load = os.loadavg()[0] as number;
      const bareMeasured = await measure(stack.db, bareUrl, {});
      const before = { ...stack.readCache.stats };
      const api = await measure(stack.db, apiUrl, auth);
      const cache = {
        hits: stack.readCache.stats.hits - before.hits,
        misses: stack.readCache.stats.misses - before.misses,
      };
      const row: Row = {
        route: name,
        bodyBytes: Buffer.byteLength(dump[name] as string),
        load,
        bare: bareMeasured,
        api,
        cache,
        uncached: await measure(stack.db, uncachedUrl, auth),
      };
      const ratio = (m: Measured) => (m.requestsPerSecond / row.bare.requestsPerSecond).toFixed(2);
      console.error(
        `${name}: bare ${row.bare.requestsPerSecond} req/s; API ${row.api.requestsPerSecond} req/s ` +
          `(p50 ${row.api.p50} ms, p99 ${row.api.p99} ms, ratio ${ratio(row.api)}, ${cache.hits} hits, ` +
          `${cache.misses} misses); without the cache ${row.uncached.requestsPerSecond} req/s ` +
          `(p99 ${row.uncached.p99} ms, ratio ${ratio(row.uncached)})`,
      );
      rows.push(row);
    }
  } finally {
    await new Promise((r) => bareServer.close(r));
    await new Promise((r) => uncachedServer.close(r));
  }
  return rows;
}

function table(rows: Row[]): string {
  const header =
    '| route | body | bare req/s | API req/s | ratio | API p50 / p99 ms | cache hits / misses | ' +
    'uncached req/s | ratio | uncached p50 / p99 ms | bare p50 / p99 ms | node CPU µs/req, bare / API / uncached | ' +
    'Postgres CPU µs/req, API / uncached | load |\n' +
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n';
  const ratio = (m: Measured, bare: Measured) => (m.requestsPerSecond / bare.requestsPerSecond).toFixed(2);
  return (
    header +
    rows
      .map(
        (r) =>
          `| ${r.route} | ${(r.bodyBytes / 1024).toFixed(1)} KiB | ${r.bare.requestsPerSecond} | ` +
          `${r.api.requestsPerSecond} | ${ratio(r.api, r.bare)} | ${r.api.p50} / ${r.api.p99} | ` +
          `${r.cache.hits} / ${r.cache.misses} | ${r.uncached.requestsPerSecond} | ${ratio(r.uncached, r.bare)} | ` +
          `${r.uncached.p50} / ${r.uncached.p99} | ${r.bare.p50} / ${r.bare.p99} | ` +
          `${r.bare.nodeCpuUs} / ${r.api.nodeCpuUs} / ${r.uncached.nodeCpuUs} | ` +
          `${r.api.pgCpuUs} / ${r.uncached.pgCpuUs} | ${r.load.toFixed(1)} |`,
      )
      .join('\n') +
    '\n'
  );
}

async function main(): Promise<void> {
  const rows = await withEmbeddedStack(1000, run);
  const text = table(rows);
  console.log(text);
  if (args['no-record']) return;
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  appendFileSync(
    path.join(projectRoot, 'BENCHMARKS.md'),
    `\n## ${new Date().toISOString().slice(0, 10)} · bench/reads.ts · ${machine}\n\n` +
      `${CREATORS} live creators (and ${Math.round(CREATORS / 10)} stopped) in the team, as many in another; ` +
      `${CONNECTIONS} connections, ${DURATION_S} s each after ${WARMUP_S} s of warm-up.\n\n${text}`,
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
