/**
 * One logger for the API, the worker and the Temporal SDK: JSON lines (pino), pretty when a person watches a terminal.
 * Secrets are kept out twice over: known secret fields are redacted by path, and every written line is scrubbed of
 * the configured credentials and of anything shaped like an API key or webhook secret, wherever it hides (an error
 * message, a URL, a nested object).
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import type { LogLevel as TemporalLogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';

export type { Logger } from 'pino';
export type LogFormat = 'json' | 'pretty';

/** Fields whose value is a secret wherever they appear (headers, bodies, errors, SDK metadata). */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.authorization',
  '*.Authorization',
  '*.apiKey',
  '*.api_key',
  '*.token',
  '*.secret',
  '*.password',
  '*.webhookSecret',
  '*.webhook_secret',
];

/** API keys (`ct_…`), Standard Webhooks secrets (`whsec_…`) and bearer credentials, in any text. */
const SECRET_SHAPES = /\bct_[A-Za-z0-9_-]{8,}|\bwhsec_[A-Za-z0-9+/=]{8,}|(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g;
const CENSOR = '[Redacted]';

/** The configured credentials a line must never carry (upstream tokens, the Temporal API key). */
export function configuredSecrets(env: Record<string, unknown>): string[] {
  return ['YOUTUBE_API_KEY', 'APIFY_TOKEN', 'OPENAI_API_KEY', 'TEMPORAL_API_KEY']
    .map((name) => env[name])
    .filter((value): value is string => typeof value === 'string' && value.trim().length >= 4);
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces every secret in a serialized line; JSON-escaped forms of the configured values are covered too. */
export function scrubber(secrets: readonly string[]): (line: string) => string {
  const forms = secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)]);
  const configured = forms.length > 0 ? new RegExp([...new Set(forms)].map(escapeRegExp).join('|'), 'g') : undefined;
  return (line) => {
    const shaped = line.replace(SECRET_SHAPES, (_match, bearer?: string) => `${bearer ?? ''}${CENSOR}`);
    return configured ? shaped.replace(configured, CENSOR) : shaped;
  };
}

export interface LoggerOptions {
  level?: string;
  /** `pretty` for people; unset means pretty on a terminal, JSON otherwise */
  format?: LogFormat;
  /** the service name on every line (`api`, `worker`) */
  name?: string;
  /** values to scrub from every line, usually `configuredSecrets(process.env)` */
  secrets?: readonly string[];
  /** where lines go (tests capture them); stdout otherwise */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const format = options.format ?? (process.stdout.isTTY ? 'pretty' : 'json');
  const scrub = scrubber(options.secrets ?? []);
  const destination =
    options.destination ??
    (format === 'pretty'
      ? // synchronous, so a crash's last lines are not lost in a worker thread
        pinoPretty({ colorize: process.stdout.isTTY, sync: true })
      : pino.destination({ sync: true }));
  return pino(
    {
      level: options.level ?? 'info',
      base: options.name ? { service: options.name } : {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: CENSOR },
      hooks: { streamWrite: scrub },
    },
    destination,
  );
}

/** The logger settings in the environment: LOG_LEVEL and LOG_FORMAT, and the credentials to scrub. */
export function loggerFromEnv(name: string, env: Record<string, string | undefined> = process.env): Logger {
  const format = env.LOG_FORMAT === 'pretty' || env.LOG_FORMAT === 'json' ? env.LOG_FORMAT : undefined;
  return createLogger({ name, level: env.LOG_LEVEL || 'info', format, secrets: configuredSecrets(env) });
}

const PINO_LEVEL: Record<TemporalLogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal SDK's `Logger` over pino: workflow, activity, worker and core messages arrive with their metadata
 * (workflowId, runId, activityType, sdkComponent, …), which becomes fields of the line. `demote` turns info into debug
 * (the bundler's webpack summary is only for those who ask).
 */
export function temporalLogger(logger: Logger, options: { demoteInfo?: boolean } = {}): TemporalLogger {
  const log = (level: TemporalLogLevel, message: string, meta?: LogMetadata): void => {
    const pinoLevel = options.demoteInfo && level === 'INFO' ? 'debug' : PINO_LEVEL[level];
    const { error, ...fields } = (meta ?? {}) as { error?: unknown } & Record<string, unknown>;
    logger[pinoLevel](error === undefined ? fields : { ...fields, err: error }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
