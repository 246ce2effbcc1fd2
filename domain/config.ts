import { z } from 'zod';
import { sourcePlan } from './sources';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const booleanFlag = z
  .enum(['true', 'false', '1', '0', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1');

/** startToCloseTimeout of the activities that read platforms and models (workflows/activity-options.ts) */
export const PLATFORM_ACTIVITY_SECONDS = 600;

/** A whole number that may be left unset (or empty); `z.coerce` would turn unset into NaN. */
const optionalInt = (schema: z.ZodNumber) =>
  optionalString.transform((v) => (v === undefined ? undefined : Number(v))).pipe(schema.optional());

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' });
const optionalHttpUrl = optionalString.pipe(httpUrl.optional());

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
  // hot reads kept in memory until their team's rows change (README, "Read cache"); 0 turns the cache off
  READ_CACHE_MB: z.coerce.number().min(0).max(4096).default(64),
  READ_CACHE_TTL_MS: z.coerce.number().int().min(1).default(30_000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  // JSON lines unless set to pretty; unset, a terminal gets pretty lines
  LOG_FORMAT: z.enum(['json', 'pretty', '']).optional(),
  // names the API process in /healthz (npm start sets one, to know its own API); one is made up when unset
  INSTANCE_ID: optionalString,
  // development and tests only: lets webhooks go to http://127.0.0.1 / localhost receivers (see README, Webhooks)
  WEBHOOK_ALLOW_INSECURE_LOOPBACK: booleanFlag,

  // Data sources (README, "Real data"): each platform is simulated until its credentials are set.
  DATA_SOURCE: z.enum(['auto', 'simulated']).default('auto'),
  YOUTUBE_API_KEY: optionalString,
  YOUTUBE_API_BASE_URL: httpUrl.default('https://www.googleapis.com/youtube/v3'),
  YOUTUBE_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  YOUTUBE_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  APIFY_TOKEN: optionalString,
  APIFY_API_BASE_URL: httpUrl.default('https://api.apify.com'),
  APIFY_TIKTOK_ACTOR: z.string().min(1).default('clockworks~tiktok-scraper'),
  APIFY_TIKTOK_COMMENTS_ACTOR: z.string().min(1).default('clockworks~tiktok-comments-scraper'),
  APIFY_TIKTOK_SOUND_ACTOR: z.string().min(1).default('clockworks~tiktok-sound-scraper'),
  APIFY_INSTAGRAM_PROFILE_ACTOR: z.string().min(1).default('apify~instagram-profile-scraper'),
  APIFY_INSTAGRAM_POST_ACTOR: z.string().min(1).default('apify~instagram-post-scraper'),
  APIFY_INSTAGRAM_COMMENT_ACTOR: z.string().min(1).default('apify~instagram-comment-scraper'),
  // a paid actor: without it TikTok audience refreshes skip the follower rung
  APIFY_TIKTOK_FOLLOWERS_ACTOR: optionalString,
  APIFY_RUN_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(3600).default(120),
  APIFY_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  APIFY_RUNS_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: optionalHttpUrl,
  OPENAI_MODEL: z.string().min(1).default('gpt-4o-mini'),
  OPENAI_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(60),
  OPENAI_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(2),
  OPENAI_REQUESTS_PER_MINUTE: z.coerce.number().int().min(1).default(60),
  UPSTREAM_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  // workflows kept in the worker's memory between tasks (the sticky cache). A tracked creator sleeps for hours, so the
  // cache holds the few that are working and the rest replay their short history when they wake: measured, 10,000
  // asleep keep a worker at 897 MiB with 500 (BENCHMARKS.md); the SDK's own default grows with every one held
  WORKER_MAX_CACHED_WORKFLOWS: optionalInt(z.number().int().min(0)).transform((v) => v ?? 500),
  // the worker's Prometheus endpoint (Temporal SDK metrics and business counters); off unless a port is given
  WORKER_METRICS_PORT: optionalInt(z.number().int().min(1).max(65535)),
  // how often the worker looks for tracking workflows that closed without stopping (terminated, timed out, failed)
  TRACKING_RECONCILE_INTERVAL_MS: optionalInt(z.number().int().min(100)).transform((v) => v ?? 30_000),
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

/** Every setting except the database: enough for commands that only talk to data sources (`sources:check`). */
export function parseSourceConfig(env: Record<string, string | undefined>): Omit<Config, 'DATABASE_URL'> {
  const result = configSchema.omit({ DATABASE_URL: true }).safeParse(env);
  if (!result.success) throw configError(result.error.issues);
  return result.data;
}

function configError(issues: readonly z.core.$ZodIssue[]): ConfigError {
  const lines = issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  return new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) throw configError(result.error.issues);
  const config = result.data;
  // the slowest platform step must fit its activity (workflows/activity-options.ts): a cycle's metrics read two actor
  // runs on Instagram (profile, posts), its report one comments run and up to two model calls; settings that cannot
  // fit would time out every cycle. Only the sources in use count.
  const plan = sourcePlan(config);
  const read =
    plan.platforms.tiktok === 'apify'
      ? config.APIFY_RUN_TIMEOUT_SECONDS + config.UPSTREAM_TIMEOUT_SECONDS
      : config.UPSTREAM_TIMEOUT_SECONDS;
  const model = plan.reports.generator === 'heuristic' ? 0 : config.OPENAI_TIMEOUT_SECONDS;
  const slowestStep = Math.max(2 * read, read + 2 * model);
  if (slowestStep > PLATFORM_ACTIVITY_SECONDS) {
    throw new ConfigError(
      'Invalid configuration:\n  APIFY_RUN_TIMEOUT_SECONDS, UPSTREAM_TIMEOUT_SECONDS and OPENAI_TIMEOUT_SECONDS let a ' +
        `platform step take ${slowestStep} s, more than the ${PLATFORM_ACTIVITY_SECONDS} s it may take`,
    );
  }
  if ((config.TEMPORAL_TLS_CERT_PATH === undefined) !== (config.TEMPORAL_TLS_KEY_PATH === undefined)) {
    throw new ConfigError('Invalid configuration:\n  TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together');
  }
  return config;
}
