import { z } from 'zod';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const booleanFlag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');

/**
 * Every environment variable the API, the worker and the scripts read. Parsed once at start-up; a bad value stops
 * the process with a message naming the variable. The README's configuration table mirrors this schema.
 */
export const configSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// connection URL' }),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('creator-tracker'),
  TEMPORAL_API_KEY: optionalString,
  TEMPORAL_TLS: booleanFlag,
  TEMPORAL_TLS_CERT_PATH: optionalString,
  TEMPORAL_TLS_KEY_PATH: optionalString,
  TEMPORAL_TLS_CA_PATH: optionalString,
  TEMPORAL_TLS_SERVER_NAME: optionalString,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(300),
  IP_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  // development and tests only: lets webhooks go to http://127.0.0.1 / localhost receivers (see README, Webhooks)
  WEBHOOK_ALLOW_INSECURE_LOOPBACK: booleanFlag,
});

export type Config = z.infer<typeof configSchema>;

/** The webhook development setting alone, for code built without the parsed configuration at hand. */
export function webhookLoopbackSetting(env: Record<string, string | undefined>): boolean {
  return configSchema.shape.WEBHOOK_ALLOW_INSECURE_LOOPBACK.parse(env.WEBHOOK_ALLOW_INSECURE_LOOPBACK);
}

/** Names of the variables the app services (API and worker) must be given; docker-compose is checked against it. */
export const requiredConfigKeys = Object.entries(configSchema.shape)
  .filter(([, schema]) => !schema.safeParse(undefined).success)
  .map(([key]) => key);

export class ConfigError extends Error {}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = result.data;
  if ((config.TEMPORAL_TLS_CERT_PATH === undefined) !== (config.TEMPORAL_TLS_KEY_PATH === undefined)) {
    throw new ConfigError('Invalid configuration:\n  TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together');
  }
  return config;
}
