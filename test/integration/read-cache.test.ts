import type { Pool, QueryConfig } from 'pg';
import { apiRoutes } from '../../api/app';
import { ReadCache, readCacheOn } from '../../api/read-cache';
import { READ_MODEL_CHANNEL, ReadModelChanges } from '../../db/read-model-changes';
import { trackAndFinalize } from '../helpers/creators';
import { apiClient, eventually } from '../helpers/http';
import { appOnStack, stackForSuite, type Stack } from '../helpers/stack';
import { teamClient } from '../helpers/teams';

/**
 * The API's read cache against the real stack: every table a cached route reads notifies its changes (checked with
 * EXPLAIN of the statements those routes send), a change committed anywhere reaches the API, one team's change leaves
 * another's reads cached, a write through the API is seen by its caller's next read, and losing the listening
 * connection turns the cache off until it listens again.
 */

interface PlanNode {
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

const suite = stackForSuite();
let stack: Stack;
beforeAll(() => {
  stack = suite.stack;
});

const hits = () => stack.reads?.cache.stats.hits ?? NaN;

async function creatorAndVideo() {
  const team = await teamClient(stack, 10_000);
  const creator = await trackAndFinalize(team.api, '/v1/tracking/creators', {
    platform: 'tiktok',
    handle: 'cache.one',
  });
  const video = await trackAndFinalize(team.api, '/v1/tracking/videos', {
    platform: 'tiktok',
    url: 'https://www.tiktok.com/@cache.one/video/7301234567890123456',
  });
  return { ...team, creatorId: creator.id, videoId: video.id };
}

describe('read cache', () => {
  it('serves a repeated read from memory and every table a cached route reads carries the change trigger', async () => {
    const { api, key, creatorId, videoId } = await creatorAndVideo();
    const cached = apiRoutes({ pool: stack.pool, temporal: stack.client, taskQueue: stack.taskQueue }).routes.filter(
      (r) => r.cached,
    );
    expect(cached.map((r) => r.operationId).sort()).toEqual([
      'getCreator',
      'getVideo',
      'listCreatorSnapshots',
      'listCreators',
      'listVideoSnapshots',
      'listVideos',
    ]);
    const urlOf = (path: string) => path.replace('{id}', path.includes('/videos') ? videoId : creatorId);

    // a repeated read is a hit, and the same body
    for (const r of cached) {
      const first = await api.get(urlOf(r.path));
      const before = hits();
      const second = await api.get(urlOf(r.path));
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.body).toEqual(first.body);
      expect(hits()).toBe(before + 1);
      // a kept answer is the answer: same type, same Vary (download routes), a request id of its own
      for (const header of ['content-type', 'content-length', 'vary', 'cache-control']) {
        expect([header, second.headers.get(header)]).toEqual([header, first.headers.get(header)]);
      }
      expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    }

    // the statements each cached route sends, caught on their way to Postgres
    const sent: { text: string; values?: unknown[] }[] = [];
    const recording = new Proxy(stack.pool, {
      get(target, prop, receiver) {
        if (prop !== 'query') return Reflect.get(target, prop, receiver);
        return (statement: string | QueryConfig, values?: unknown[]) => {
          sent.push(typeof statement === 'string' ? { text: statement, values } : statement);
          return target.query(statement as string, values);
        };
      },
    }) as Pool;
    const app = await appOnStack({ ...stack, pool: recording });
    try {
      const client = apiClient(app.baseUrl, key);
      // the key is verified once, then remembered: only the routes' own statements are counted below
      expect((await client.get('/v1/usage')).status).toBe(200);
      for (const r of cached) {
        sent.length = 0;
        expect((await client.get(urlOf(r.path))).status).toBe(200);
        expect(sent.length).toBeGreaterThan(0);
        const relations = new Set<string>();
        const walk = (node: PlanNode): void => {
          if (node['Relation Name']) relations.add(node['Relation Name']);
          for (const child of node.Plans ?? []) walk(child);
        };
        for (const { text, values } of sent) {
          const plan = await stack.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
            `EXPLAIN (FORMAT JSON) ${text}`,
            values,
          );
          walk((plan.rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan);
        }
        expect(relations.size).toBeGreaterThan(0);
        const triggered = await stack.pool.query<{ relname: string }>(
          `SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
           WHERE t.tgname = 'read_model_changed' AND NOT t.tgisinternal AND c.relname = ANY ($1)`,
          [[...relations]],
        );
        expect({
          route: r.operationId,
          untriggered: [...relations].filter((name) => !triggered.rows.some((row) => row.relname === name)),
        }).toEqual({ route: r.operationId, untriggered: [] });
      }
    } finally {
      await new Promise((resolve) => app.server.close(resolve));
    }
  });

  it('drops a team’s reads when its rows change in Postgres, and keeps other teams’ reads', async () => {
    const mine = await creatorAndVideo();
    const other = await creatorAndVideo();
    const detail = `/v1/tracking/creators/${mine.creatorId}`;
    const snapshots = `${detail}/snapshots`;
    const otherDetail = `/v1/tracking/creators/${other.creatorId}`;
    await mine.api.get(detail);
    await mine.api.get(snapshots);
    await other.api.get(otherDetail);
    let before = hits();
    expect((await mine.api.get(detail)).body.data.display_name).not.toBe('Renamed elsewhere');
    expect(hits()).toBe(before + 1);

    // a write that is not the API's (an operator's SQL, a worker): the trigger's notice drops the team's bodies
    await stack.pool.query(`UPDATE tracked_creators SET display_name = 'Renamed elsewhere' WHERE id = $1`, [
      mine.creatorId,
    ]);
    await eventually('the renamed creator', async () => {
      const res = await mine.api.get(detail);
      return res.body.data.display_name === 'Renamed elsewhere' ? true : undefined;
    });
    // the other team's read was not dropped
    before = hits();
    expect((await other.api.get(otherDetail)).status).toBe(200);
    expect(hits()).toBe(before + 1);

    // a row moved to another team is gone for its old team too (the old team is notified as well as the new one)
    const moved = `/v1/tracking/creators/${other.creatorId}`;
    await stack.pool.query(`UPDATE tracked_creators SET status = 'stopped', deleted_at = now() WHERE id = $1`, [
      other.creatorId,
    ]);
    await eventually('the stopped creator', async () =>
      (await other.api.get(moved)).body.data?.status === 'stopped' ? true : undefined,
    );
    await stack.pool.query('UPDATE tracked_creators SET team_id = $2 WHERE id = $1', [other.creatorId, mine.teamId]);
    await eventually('the moved creator to leave its old team', async () =>
      (await other.api.get(moved)).status === 404 ? true : undefined,
    );

    // a snapshot written by anyone reaches the snapshot read of its creator's team
    const count = (await mine.api.get(snapshots)).body.data.length as number;
    await stack.pool.query(
      `INSERT INTO creator_snapshots (tracking_account_id, cycle, followers, snapshot_at)
       VALUES ($1, 999, 1, now())`,
      [mine.creatorId],
    );
    await eventually('the new snapshot', async () => {
      const res = await mine.api.get(snapshots);
      return res.body.data.length === count + 1 ? true : undefined;
    });
  });

  it('lets a caller read its own write through the API before any notice arrives', async () => {
    // a cache fed by nothing but this app's own writes: only the route layer can drop the team's bodies
    const deaf = new ReadCache({ maxBytes: 2 ** 20, ttlMs: 60_000 });
    deaf.listening(true);
    const app = await appOnStack(stack, { readCache: deaf });
    try {
      const { key, creatorId } = await creatorAndVideo();
      const api = apiClient(app.baseUrl, key);
      const detail = `/v1/tracking/creators/${creatorId}`;
      expect((await api.get(detail)).body.data.scrape_cadence).toBe('daily');
      const before = deaf.stats.hits;
      expect((await api.get(detail)).body.data.scrape_cadence).toBe('daily');
      expect(deaf.stats.hits).toBe(before + 1);
      expect((await api.patch(detail, { scrape_cadence: 'weekly' })).status).toBe(200);
      expect((await api.get(detail)).body.data.scrape_cadence).toBe('weekly');
    } finally {
      await new Promise((resolve) => app.server.close(resolve));
    }
  });

  it('passes every read through while its connection is lost, and caches again once it listens', async () => {
    const { api, creatorId } = await creatorAndVideo();
    const detail = `/v1/tracking/creators/${creatorId}`;
    await api.get(detail);
    const listener = stack.reads?.backendPid();
    expect(listener).toBeDefined();
    await stack.pool.query('SELECT pg_terminate_backend($1)', [listener]);
    // a change nobody hears (the connection is gone): what was kept before must not be served after
    await stack.pool.query(`UPDATE tracked_creators SET display_name = $2 WHERE id = $1`, [creatorId, 'While deaf']);
    await eventually('the change made while deaf', async () => {
      const res = await api.get(detail);
      return res.body.data.display_name === 'While deaf' ? true : undefined;
    });
    // it reconnects, and a repeated read is a hit again
    await eventually('the cache to listen again', async () => {
      await api.get(detail);
      const before = hits();
      await api.get(detail);
      return hits() === before + 1 ? true : undefined;
    });
    await stack.pool.query(`UPDATE tracked_creators SET display_name = $2 WHERE id = $1`, [creatorId, 'Heard again']);
    await eventually('the change after reconnecting', async () => {
      const res = await api.get(detail);
      return res.body.data.display_name === 'Heard again' ? true : undefined;
    });
  });

  it('is off from the moment its connection is lost until it listens again', async () => {
    // a cache of its own that waits a minute before reconnecting, so "lost" lasts through the test
    const reads = readCacheOn(stack.pool, { maxBytes: 2 ** 20, ttlMs: 60_000, retryMs: 60_000 });
    await reads.ready;
    const app = await appOnStack(stack, { readCache: reads.cache });
    try {
      const { key, creatorId } = await creatorAndVideo();
      const api = apiClient(app.baseUrl, key);
      const detail = `/v1/tracking/creators/${creatorId}`;
      await api.get(detail);
      await api.get(detail);
      expect(reads.cache.stats.hits).toBe(1);
      await stack.pool.query('SELECT pg_terminate_backend($1)', [reads.backendPid()]);
      await eventually('the lost connection', async () => (reads.backendPid() === undefined ? true : undefined));
      for (let i = 0; i < 3; i += 1) expect((await api.get(detail)).status).toBe(200);
      // nothing served from memory and nothing kept while nobody listens
      expect(reads.cache.stats.hits).toBe(1);
      expect(reads.cache.size).toBe(0);
    } finally {
      await new Promise((resolve) => app.server.close(resolve));
      await reads.close();
    }
  });

  it('counts a connection whose pings go unanswered as lost, and keeps one that answers', async () => {
    const events: string[] = [];
    const subscriber = {
      changed: () => undefined,
      reset: () => undefined,
      listening: (on: boolean) => void events.push(on ? 'on' : 'off'),
    };
    const answered = new ReadModelChanges({
      connection: stack.pool.options,
      subscriber,
      ping: {
        everyMs: 100,
        timeoutMs: 500,
        send: (payload) => stack.pool.query('SELECT pg_notify($1, $2)', [READ_MODEL_CHANNEL, payload]),
      },
    });
    await answered.start();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await answered.close();
    // on once, off only when closed
    expect(events).toEqual(['on', 'off']);

    events.length = 0;
    // a ping that never reaches Postgres: as a socket that died without a word, or a proxy that drops LISTEN
    const silent = new ReadModelChanges({
      connection: stack.pool.options,
      subscriber,
      retryMs: 60_000,
      log: () => undefined,
      ping: { everyMs: 100, timeoutMs: 300, send: async () => undefined },
    });
    await silent.start();
    await eventually('the silent connection to count as lost', async () => (events.includes('off') ? true : undefined));
    expect(events[0]).toBe('on');
    expect(silent.backendPid).toBeUndefined();
    await silent.close();
  });
});
