import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { registerRoutes, type Route } from './route';
import { registerEventWebhooks } from './schemas/events';

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function openApiDocument(routes: readonly Route[]) {
  const registry = new OpenAPIRegistry();
  registerRoutes(registry, routes);
  registerEventWebhooks(registry);
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  registry.registerComponent('securitySchemes', 'apiKey', { type: 'apiKey', in: 'header', name: 'X-API-Key' });
  registry.registerComponent('securitySchemes', 'webhookSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-signature',
    description:
      'On deliveries to you: `v1,<base64 HMAC-SHA256>` of `webhook-id.webhook-timestamp.body` with the webhook’s ' +
      'secret (Standard Webhooks); verify it before trusting the body.',
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Creator Tracker API',
      version: '1.0.0',
      description:
        'Track TikTok, YouTube and Instagram creators and videos over time. Every answer is JSON; every error is the ' +
        'one envelope `{"error": {status, code, message, details?, request_id}}`. A known path asked with a method it ' +
        'does not serve answers 405 with `Allow`. Credits are cents; paid work reserves first and refunds on failure.',
    },
    servers: [{ url: '/', description: 'This server' }],
    tags: [
      { name: 'Creators', description: 'Tracked creators: snapshots, reports, posts' },
      { name: 'Creator jobs', description: 'Paid jobs on a tracked creator: post collection, audience' },
      { name: 'Videos', description: 'Tracked videos and their trajectory' },
      { name: 'Webhooks', description: 'Subscriptions and their delivery log' },
      { name: 'Satellite', description: 'One-off paid analyses (video outlier) and their durable runs' },
      { name: 'Account', description: 'Balance and usage' },
      { name: 'Health', description: 'Liveness and readiness' },
    ],
  });
}
