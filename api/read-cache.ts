import { LRUCache } from 'lru-cache';
import type { Pool } from 'pg';
import type { Config } from '../domain/config';
import { READ_MODEL_CHANNEL, ReadModelChanges, type ReadModelSubscriber } from '../db/read-model-changes';

export interface ReadCacheOptions {
  /** the most the bodies kept (and their keys) may weigh, in bytes */
  maxBytes: number;
  /** how long a body is served at most, even with no change noticed: a bound if a notice were ever missed */
  ttlMs: number;
}

/** The cache the configuration asks for (`READ_CACHE_MB`, `READ_CACHE_TTL_MS`). */
export const readCacheOptions = (config: Pick<Config, 'READ_CACHE_MB' | 'READ_CACHE_TTL_MS'>): ReadCacheOptions => ({
  maxBytes: config.READ_CACHE_MB * 2 ** 20,
  ttlMs: config.READ_CACHE_TTL_MS,
});

/** What an entry costs beside its body and key (the LRU's node, the map's slot), roughly. */
const ENTRY_OVERHEAD_BYTES = 200;

/**
 * A JSON text as bytes of their own: `Buffer.from` puts short strings in a slice of a shared 8 KiB slab, and a kept
 * 1 KiB body would hold the whole slab alive, beyond what the cache counts.
 */
export function encoded(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}

export interface ReadCacheStats {
  hits: number;
  misses: number;
}

/**
 * The JSON bodies (encoded, as sent) of hot reads (details, lists, snapshots), per team and URL, served without asking
 * Postgres again until the team's rows change. Freshness comes from Postgres itself: migration 0014's triggers notify the team's id
 * at commit of every write to a table these reads come from, and `ReadModelChanges` passes the notice here. So a
 * change made anywhere (a worker's cycle, another API process, an operator's SQL) reaches every API process; a write
 * made through this process also drops the team's bodies before it answers (`changed`), so its caller's next read
 * sees it whatever the notice's timing.
 *
 * A read that began before a change and finished after it must not store what it read: a body is stored only if the
 * team's generation is still the one the read began under. Nothing is served or stored while no connection listens
 * (starting, or Postgres restarting): the cache then passes every read through.
 */
export class ReadCache implements ReadModelSubscriber {
  private readonly bodies: LRUCache<string, Buffer>;
  /** per team, bumped by every change: part of the key, so a change makes the team's old bodies unreachable */
  private readonly generations = new Map<string, number>();
  /** bumped by a reset: every team's bodies at once */
  private epoch = 0;
  private on = false;
  readonly stats: ReadCacheStats = { hits: 0, misses: 0 };

  constructor(options: ReadCacheOptions) {
    this.bodies = new LRUCache<string, Buffer>({
      maxSize: Math.max(options.maxBytes, 1),
      // the body's own bytes (it holds no pooled slab, see `encoded`), the key, and the entry's bookkeeping
      sizeCalculation: (body, key) => body.length + key.length + ENTRY_OVERHEAD_BYTES,
      ttl: Math.max(options.ttlMs, 1),
      // an expired body is never served: there is no stale-while-revalidate here
      allowStale: false,
    });
  }

  /** The key a read of `url` by `teamId` begins under, or undefined while nothing may be cached. */
  begin(teamId: string, url: string): string | undefined {
    if (!this.on) return undefined;
    return `${this.epoch}:${this.generations.get(teamId) ?? 0}:${teamId}:${url}`;
  }

  /** The body stored under `key`, counting the hit or the miss. */
  get(key: string): Buffer | undefined {
    const body = this.bodies.get(key);
    if (body === undefined) this.stats.misses += 1;
    else this.stats.hits += 1;
    return body;
  }

  /** Stores `body` under `key`, unless the team changed (or notices stopped) since the read began. */
  set(teamId: string, key: string, url: string, body: Buffer): void {
    if (this.begin(teamId, url) === key) this.bodies.set(key, body);
  }

  changed(teamId: string): void {
    this.generations.set(teamId, (this.generations.get(teamId) ?? 0) + 1);
  }

  reset(): void {
    this.epoch += 1;
    this.bodies.clear();
    // the epoch makes every key before it unreachable, so the teams' generations can start again
    this.generations.clear();
  }

  listening(on: boolean): void {
    this.on = on;
    if (!on) this.reset();
  }

  get size(): number {
    return this.bodies.size;
  }
}

/**
 * A read cache fed by its own listening connection to the pool's database: `cache` goes to `createApp`, `ready`
 * resolves once listening (or once the first attempt failed: it keeps retrying, passing reads through meanwhile),
 * `close` ends the connection.
 */
export function readCacheOn(
  pool: Pool,
  options: ReadCacheOptions & { retryMs?: number; pingEveryMs?: number },
  log?: (message: string, err?: unknown) => void,
): { cache: ReadCache; ready: Promise<void>; close(): Promise<void>; backendPid(): number | undefined } {
  const cache = new ReadCache(options);
  const pingEveryMs = options.pingEveryMs ?? 5_000;
  const changes = new ReadModelChanges({
    connection: pool.options,
    subscriber: cache,
    retryMs: options.retryMs,
    // a ping through the pool every few seconds: one cheap statement, and a dead connection is noticed in seconds
    ping: {
      everyMs: pingEveryMs,
      timeoutMs: pingEveryMs,
      send: (payload) => pool.query('SELECT pg_notify($1, $2)', [READ_MODEL_CHANNEL, payload]),
    },
    log,
  });
  return { cache, ready: changes.start(), close: () => changes.close(), backendPid: () => changes.backendPid };
}
