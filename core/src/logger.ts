import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino blanks wherever they appear in a log line: secrets are never logged, even when a
 * whole request or connection object is logged by mistake.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["ms-signature"]',
  'req.headers["webhook-signature"]',
  'req.headers["x-api-key"]',
  '*.secret',
  '*.password',
  '*.api_key',
  '*.token',
  '*.authorization',
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino({ level: options.level ?? 'info', redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'learnhook' } }, options.destination);
}
