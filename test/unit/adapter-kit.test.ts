import { ProviderError, SourceConfigError, type Platform } from '../../domain/platform';
import { checkLimit, checkPlatform, count, decodeCursor, encodeCursor, scrubbed } from '../../providers/adapter-kit';

type PageCursor = { k: 'page'; n: number };
const readPage = (raw: string): PageCursor =>
  decodeCursor(raw, ['page'], ({ n }) => (Number.isInteger(n) ? { k: 'page', n: n as number } : null));

describe('cursors', () => {
  it('reads back what it wrote', () => {
    const cursor = encodeCursor({ k: 'page', n: 3 });
    expect(cursor).toMatch(/^[\w-]+$/);
    expect(readPage(cursor)).toEqual({ k: 'page', n: 3 });
  });

  it('rejects a garbled cursor, another kind, a non-object and fields that do not fit, as RangeError', () => {
    const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of [
      'not-a-cursor',
      '',
      Buffer.from('{"k":"page"').toString('base64url'),
      encodeCursor({ k: 'comments', n: 3 }),
      raw(null),
      raw(['page', 3]),
      raw('page'),
      encodeCursor({ k: 'page', n: 'three' }),
    ]) {
      expect(() => readPage(cursor)).toThrow(RangeError);
    }
  });
});

describe('count', () => {
  it('reads numbers and digit strings', () => {
    expect(count(0)).toBe(0);
    expect(count(1234)).toBe(1234);
    expect(count('10734')).toBe(10_734);
    expect(count(' 42 ')).toBe(42);
    expect(count(12.6)).toBe(13);
  });

  it('is null for a missing, hidden or unreadable metric, never 0', () => {
    for (const value of [undefined, null, '', ' ', -1, '-1', NaN, Infinity, '1.5', '1.234', '1e3', '1,234', '12K']) {
      expect(count(value)).toBeNull();
    }
    expect(count({})).toBeNull();
    expect(count(true)).toBeNull();
  });
});

describe('scrubbed', () => {
  const SECRET = 'sk-secret-123';

  it('removes every occurrence of the secret and keeps the class and the fields', () => {
    const provider = scrubbed(new ProviderError('rate_limited', `a ${SECRET} b ${SECRET}`, 30), SECRET, '[x]');
    expect(provider).toBeInstanceOf(ProviderError);
    expect(provider).toMatchObject({ kind: 'rate_limited', retryAfterSeconds: 30, message: 'a [x] b [x]' });
    expect((provider as Error).stack).not.toContain(SECRET);

    const config = scrubbed(new SourceConfigError(`refused ${SECRET}`), SECRET, '[x]');
    expect(config).toBeInstanceOf(SourceConfigError);
    expect((config as Error).message).toBe('refused [x]');

    const plain = scrubbed(new TypeError(`fetch ${SECRET}?${SECRET}`), SECRET, '[x]') as Error;
    expect(plain).toBeInstanceOf(Error);
    expect(`${plain.message}${plain.stack}`).not.toContain(SECRET);
  });

  it('passes through an error without the secret, a non-error, and anything when the secret is empty', () => {
    const clean = new ProviderError('deleted', 'gone');
    expect(scrubbed(clean, SECRET, '[x]')).toBe(clean);
    expect(scrubbed(SECRET, SECRET, '[x]')).toBe(SECRET);
    const any = new Error('anything');
    expect(scrubbed(any, '', '[x]')).toBe(any);
  });
});

describe('guards', () => {
  it('refuses a platform the adapter does not serve, and a limit that is not a positive integer', () => {
    expect(() => checkPlatform('tiktok' as Platform, ['tiktok', 'instagram'], 'reads TikTok')).not.toThrow();
    expect(() => checkPlatform('youtube' as Platform, ['tiktok'], 'reads TikTok only')).toThrow(
      new RangeError('reads TikTok only, not youtube'),
    );
    expect(() => checkLimit(1)).not.toThrow();
    for (const limit of [0, -1, 1.5, NaN]) expect(() => checkLimit(limit)).toThrow(RangeError);
  });
});
