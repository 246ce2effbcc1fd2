import { configuredSecrets } from '../../telemetry/logger';
import { capturedLogger } from '../helpers/log-capture';

describe('the logger', () => {
  const upstream = { YOUTUBE_API_KEY: 'AIzaSyD-upstream-key-1234', APIFY_TOKEN: 'apify_api_tok/en+9876', PORT: '3000' };

  it('writes JSON lines with an ISO time, a level name and the fields given', () => {
    const { logger, lines } = capturedLogger();
    logger.info({ route: '/v1/creators/:id' }, 'hello');
    expect(lines()[0]).toMatchObject({ level: 'info', msg: 'hello', route: '/v1/creators/:id' });
    expect(new Date(lines()[0]?.time).toISOString()).toBe(lines()[0]?.time);
  });

  it('never writes an API key, a webhook secret or a configured upstream credential, wherever it hides', () => {
    const secrets = configuredSecrets(upstream);
    expect(secrets).toEqual([upstream.YOUTUBE_API_KEY, upstream.APIFY_TOKEN]);
    const { logger, text } = capturedLogger({ secrets });
    const apiKey = 'ct_live_0123456789abcdefghijklmnop';
    const webhookSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    logger.info({ req: { headers: { authorization: `Bearer ${apiKey}`, 'x-api-key': apiKey } } }, 'request');
    logger.info({ body: { secret: webhookSecret, url: 'https://hooks.example.com' } }, 'created');
    logger.warn({ note: `retrying with ${webhookSecret} and ${apiKey}` }, 'in a string');
    logger.error(
      { err: new Error(`GET https://www.googleapis.com/youtube/v3/channels?key=${upstream.YOUTUBE_API_KEY} failed`) },
      'upstream',
    );
    logger.error({ url: `https://api.apify.com/v2/acts?token=${encodeURIComponent(upstream.APIFY_TOKEN)}` }, 'encoded');
    logger.info({ config: { apiKey: 'anything-at-all', token: 'some-token', password: 'pw' } }, 'fields by name');
    const written = text();
    for (const secret of [apiKey, webhookSecret, upstream.YOUTUBE_API_KEY, upstream.APIFY_TOKEN, 'some-token', 'pw"']) {
      expect(written).not.toContain(secret);
    }
    expect(written).not.toContain(encodeURIComponent(upstream.APIFY_TOKEN));
    expect(written).toContain('[Redacted]');
    // the rest of each line survives
    expect(written).toContain('hooks.example.com');
    expect(written).toContain('www.googleapis.com/youtube/v3/channels?key=[Redacted]');
  });
});
