import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../telemetry/logger';

/** A real pino logger (redaction, scrubbing and all) whose JSON lines are kept for the test to read. */
export function capturedLogger(options: { level?: string; secrets?: string[] } = {}): {
  logger: Logger;
  text: () => string;
  lines: () => Record<string, any>[];
} {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({
    level: options.level ?? 'debug',
    format: 'json',
    secrets: options.secrets,
    destination,
  });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, any>);
  return { logger, text, lines };
}
