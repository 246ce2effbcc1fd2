import { encoded, ReadCache } from '../../api/read-cache';

const TEAM = 'team-a';
const OTHER = 'team-b';
const URL = '/v1/tracking/creators?limit=50';

function listening(options: Partial<{ maxBytes: number; ttlMs: number }> = {}): ReadCache {
  const cache = new ReadCache({ maxBytes: 2 ** 20, ttlMs: 60_000, ...options });
  cache.listening(true);
  return cache;
}

/** Reads `url` for `team` through the cache as the route layer does: a hit, or a miss that stores `body`. */
function read(cache: ReadCache, team: string, url: string, body: string): 'hit' | 'miss' {
  const key = cache.begin(team, url);
  if (key !== undefined && cache.get(key) !== undefined) return 'hit';
  if (key !== undefined) cache.set(team, key, url, Buffer.from(body));
  return 'miss';
}

describe('ReadCache', () => {
  it('keeps nothing and serves nothing until it is told it listens', () => {
    const cache = new ReadCache({ maxBytes: 2 ** 20, ttlMs: 60_000 });
    expect(cache.begin(TEAM, URL)).toBeUndefined();
    expect(read(cache, TEAM, URL, '{}')).toBe('miss');
    expect(cache.size).toBe(0);
  });

  it('serves a stored body until the team changes, and keeps other teams’ bodies', () => {
    const cache = listening();
    expect(read(cache, TEAM, URL, '{"a":1}')).toBe('miss');
    expect(read(cache, OTHER, URL, '{"b":1}')).toBe('miss');
    expect(read(cache, TEAM, URL, '{"a":1}')).toBe('hit');
    expect(cache.stats).toEqual({ hits: 1, misses: 2 });
    cache.changed(TEAM);
    expect(read(cache, TEAM, URL, '{"a":2}')).toBe('miss');
    expect(read(cache, TEAM, URL, '{"a":2}')).toBe('hit');
    expect(read(cache, OTHER, URL, '{"b":1}')).toBe('hit');
  });

  it('does not store what a read saw when the team changed while it ran', () => {
    const cache = listening();
    const key = cache.begin(TEAM, URL) as string;
    expect(cache.get(key)).toBeUndefined();
    cache.changed(TEAM); // committed after the read's snapshot, noticed before it stored
    cache.set(TEAM, key, URL, Buffer.from('{"old":true}'));
    expect(cache.size).toBe(0);
    expect(read(cache, TEAM, URL, '{"new":true}')).toBe('miss');
    const fresh = cache.begin(TEAM, URL) as string;
    expect(cache.get(fresh)?.toString()).toBe('{"new":true}');
  });

  it('drops everything on a reset, and turns off (dropping everything) when the connection is lost', () => {
    const cache = listening();
    read(cache, TEAM, URL, '{}');
    read(cache, OTHER, URL, '{}');
    cache.reset();
    expect(read(cache, TEAM, URL, '{}')).toBe('miss');
    expect(read(cache, OTHER, URL, '{}')).toBe('miss');
    // a read begun while listening cannot store once the connection is gone
    const key = cache.begin(TEAM, '/v1/tracking/videos') as string;
    cache.listening(false);
    cache.set(TEAM, key, '/v1/tracking/videos', Buffer.from('{}'));
    expect(cache.size).toBe(0);
    expect(cache.begin(TEAM, URL)).toBeUndefined();
    cache.listening(true);
    expect(read(cache, TEAM, URL, '{}')).toBe('miss');
    expect(read(cache, TEAM, URL, '{}')).toBe('hit');
  });

  it('serves a body no longer than its time to live', async () => {
    const cache = listening({ ttlMs: 30 });
    read(cache, TEAM, URL, '{}');
    expect(read(cache, TEAM, URL, '{}')).toBe('hit');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(read(cache, TEAM, URL, '{}')).toBe('miss');
  });

  it('stays within its size, evicting the least recently read', () => {
    const body = 'x'.repeat(400);
    // an entry weighs its body, its key (~35) and 200 of bookkeeping: three fit, four do not
    const cache = listening({ maxBytes: 2_200 });
    for (let i = 0; i < 3; i += 1) read(cache, TEAM, `/v1/tracking/creators/${i}`, body);
    expect(read(cache, TEAM, '/v1/tracking/creators/0', body)).toBe('hit');
    read(cache, TEAM, '/v1/tracking/creators/3', body);
    expect(cache.size).toBe(3);
    expect(read(cache, TEAM, '/v1/tracking/creators/1', body)).toBe('miss');
    expect(read(cache, TEAM, '/v1/tracking/creators/0', body)).toBe('hit');
  });
});

describe('encoded', () => {
  it('gives a short body bytes of its own, not a slice of a shared slab it would keep alive', () => {
    const body = encoded('{"data":{"id":"x"}}');
    expect(body.toString()).toBe('{"data":{"id":"x"}}');
    expect(body.buffer.byteLength).toBe(body.length);
    // what Buffer.from does with the same text, for contrast
    expect(Buffer.from('{"data":{"id":"x"}}').buffer.byteLength).toBeGreaterThan(body.length);
  });
});
