import { ConfigError, parseConfig, requiredConfigKeys } from '../../domain/config';

describe('configuration', () => {
  const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };

  it('fills documented defaults when only DATABASE_URL is given', () => {
    expect(parseConfig(base)).toMatchObject({
      TEMPORAL_ADDRESS: 'localhost:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'creator-tracker',
      PORT: 3000,
      TEMPORAL_TLS: false,
      WORKER_MAX_CACHED_WORKFLOWS: 500,
    });
    expect(requiredConfigKeys).toEqual(['DATABASE_URL']);
  });

  it('names every bad variable in one message', () => {
    expect(() => parseConfig({ DATABASE_URL: 'mysql://x', PORT: 'eighty' })).toThrow(ConfigError);
    try {
      parseConfig({ DATABASE_URL: 'mysql://x', PORT: 'eighty' });
    } catch (err) {
      expect((err as Error).message).toMatch(/DATABASE_URL: must be a postgres:\/\/ connection URL/);
      expect((err as Error).message).toMatch(/PORT:/);
    }
  });

  it('refuses a TLS client certificate without its key', () => {
    expect(() => parseConfig({ ...base, TEMPORAL_TLS_CERT_PATH: '/tmp/cert.pem' })).toThrow(/go together/);
  });

  it('treats empty strings as unset and reads boolean flags', () => {
    const config = parseConfig({ ...base, TEMPORAL_API_KEY: '', TEMPORAL_TLS: 'true' });
    expect(config.TEMPORAL_API_KEY).toBeUndefined();
    expect(config.TEMPORAL_TLS).toBe(true);
    expect(parseConfig({ ...base, WORKER_MAX_CACHED_WORKFLOWS: '' }).WORKER_MAX_CACHED_WORKFLOWS).toBe(500);
    expect(parseConfig({ ...base, WORKER_MAX_CACHED_WORKFLOWS: '0' }).WORKER_MAX_CACHED_WORKFLOWS).toBe(0);
  });
});
