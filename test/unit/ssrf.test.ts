import type { LookupAddress } from 'node:dns';
import fc from 'fast-check';
import {
  checkUrlShape,
  checkWebhookUrl,
  classifyAddress,
  guardedLookup,
  UnsafeUrlError,
  type Resolver,
} from '../../domain/ssrf';

const strict = { allowInsecureLoopback: false };
const dev = { allowInsecureLoopback: true };

const resolverOf =
  (table: Record<string, string[]>): Resolver =>
  async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('address classification', () => {
  it.each([
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.254', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['169.254.0.1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.254', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456:789a::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['2002:7f00:1::1', '6to4'],
  ])('refuses %s (%s)', (address, range) => {
    expect(classifyAddress(address)).toEqual({ public: false, range });
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:192.168.0.1', 'private'],
  ])('judges the IPv4-mapped %s as the IPv4 address it carries (%s)', (address, range) => {
    expect(classifyAddress(address)).toEqual({ public: false, range });
  });

  it('refuses IPv6 outside global unicast (2000::/3), zoned and invalid addresses', () => {
    expect(classifyAddress('::7f00:1').public).toBe(false);
    expect(classifyAddress('100::1').public).toBe(false);
    expect(classifyAddress('fe80::1%eth0')).toEqual({ public: false, range: 'zoned' });
    expect(classifyAddress('not-an-ip').public).toBe(false);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('allows the public address %s', (address) => {
    expect(classifyAddress(address).public).toBe(true);
  });

  it('refuses every address of 10/8, 172.16/12, 192.168/16, 127/8 and 169.254/16', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(
        fc.constantFrom('10', '172.16', '172.31', '192.168', '127', '169.254'),
        octet,
        octet,
        octet,
        (prefix, a, b, c) => {
          const rest = [a, b, c].slice(0, 4 - prefix.split('.').length);
          const address = [prefix, ...rest].join('.');
          expect(classifyAddress(address).public).toBe(false);
          expect(classifyAddress(`::ffff:${address}`).public).toBe(false);
        },
      ),
    );
  });
});

describe('webhook URL checks', () => {
  const resolve = resolverOf({
    'hooks.example.com': ['93.184.216.34'],
    'dual.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    'sneaky.example.com': ['93.184.216.34', '10.0.0.7'],
    'internal.example.com': ['192.168.10.10'],
    'mapped.example.com': ['::ffff:127.0.0.1'],
    localhost: ['127.0.0.1'],
  });

  it('accepts https to a name whose every address is public', async () => {
    await expect(checkWebhookUrl('https://hooks.example.com/in?x=1', strict, resolve)).resolves.toBeInstanceOf(URL);
    await expect(checkWebhookUrl('https://dual.example.com:8443/', strict, resolve)).resolves.toBeInstanceOf(URL);
    await expect(checkWebhookUrl('https://93.184.216.34/hook', strict, resolve)).resolves.toBeInstanceOf(URL);
  });

  it.each([
    ['http://hooks.example.com/', /https/],
    ['ftp://hooks.example.com/', /https/],
    ['not a url', /absolute URL/],
    ['https://user:pass@hooks.example.com/', /credentials/],
    ['https://127.0.0.1/', /loopback/],
    ['https://localhost/', /loopback/],
    ['https://app.localhost/', /loopback/],
    ['https://10.1.2.3/', /private/],
    ['https://169.254.169.254/latest/meta-data/', /link-local/],
    ['https://[::1]/', /loopback/],
    ['https://[::ffff:127.0.0.1]/', /loopback/],
    ['https://[fd00::1]/', /private/],
    ['https://0x7f.1/', /loopback/],
    ['https://2130706433/', /loopback/],
    ['https://metadata.google.internal/computeMetadata/v1/', /internal name/],
    ['https://metadata/', /internal name/],
    ['https://printer.local/', /internal name/],
    ['https://internal.example.com/', /192\.168\.10\.10/],
    ['https://sneaky.example.com/', /10\.0\.0\.7/],
    ['https://mapped.example.com/', /loopback/],
    ['https://nowhere.example.com/', /does not resolve/],
  ])('refuses %s', async (url, reason) => {
    await expect(checkWebhookUrl(url, strict, resolve)).rejects.toThrow(reason);
  });

  it('in development allows http only to hosts that name loopback literally', async () => {
    await expect(checkWebhookUrl('http://127.0.0.1:8080/hook', dev, resolve)).resolves.toBeInstanceOf(URL);
    await expect(checkWebhookUrl('http://[::1]:8080/hook', dev, resolve)).resolves.toBeInstanceOf(URL);
    await expect(checkWebhookUrl('http://localhost:8080/hook', dev, resolve)).resolves.toBeInstanceOf(URL);
    await expect(checkWebhookUrl('http://hooks.example.com/', dev, resolve)).rejects.toThrow(/https/);
    await expect(checkWebhookUrl('https://mapped.example.com/', dev, resolve)).rejects.toThrow(/loopback/);
    await expect(checkWebhookUrl('http://10.0.0.1/', dev, resolve)).rejects.toThrow(/https/);
    await expect(checkWebhookUrl('https://169.254.169.254/', dev, resolve)).rejects.toThrow(/link-local/);
  });

  it('classifies IP literals without DNS and leaves names for the resolver', () => {
    expect(checkUrlShape('https://93.184.216.34/', strict).hostname).toBeUndefined();
    expect(checkUrlShape('https://Hooks.Example.com./x', strict).hostname).toBe('hooks.example.com');
    expect(() => checkUrlShape('https://192.168.0.1/', strict)).toThrow(UnsafeUrlError);
  });
});

describe('guarded lookup (the address actually connected to)', () => {
  const lookupOnce = (
    resolve: Resolver,
    hostname: string,
    options: { all?: boolean; family?: number },
    loopbackAllowed = false,
  ) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>((done) => {
      guardedLookup(resolve, loopbackAllowed)(hostname, options, (err, address, family) =>
        done({ err, address, family }),
      );
    });

  it('hands over public addresses in both callback forms', async () => {
    const resolve = resolverOf({ 'dual.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'] });
    const all = await lookupOnce(resolve, 'dual.example.com', { all: true });
    expect(all.err).toBeNull();
    expect(all.address).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
    ]);
    const one = await lookupOnce(resolve, 'dual.example.com', { family: 6 });
    expect(one).toEqual({ err: null, address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 });
  });

  it('fails the connection when the name now resolves to a private address (DNS rebinding)', async () => {
    const table: Record<string, string[]> = { 'rebind.example.com': ['93.184.216.34'] };
    const resolve = resolverOf(table);
    expect((await lookupOnce(resolve, 'rebind.example.com', { all: true })).err).toBeNull();
    table['rebind.example.com'] = ['127.0.0.1'];
    const rebound = await lookupOnce(resolve, 'rebind.example.com', { all: true });
    expect(rebound.err).toBeInstanceOf(UnsafeUrlError);
    expect(rebound.err?.message).toMatch(/rebind\.example\.com resolves to 127\.0\.0\.1, a loopback address/);
  });

  it('passes resolver failures on', async () => {
    const failed = await lookupOnce(resolverOf({}), 'gone.example.com', {});
    expect(failed.err?.code).toBe('ENOTFOUND');
  });
});
