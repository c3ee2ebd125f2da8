import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Request headers that carry a credential, blanked by pino's own path redaction. */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers["ms-signature"]', 'req.headers["webhook-signature"]', 'req.headers["x-api-key"]'];

/** Keys that hold a credential in the hub's own objects (a hook's secret, a session token), beside the vendors' (`credentialKeys`). */
const CREDENTIAL_KEYS = ['secret', 'password', 'api_key', 'token', 'authorization'];

/** Deeper than any settings object nests; it also ends a walk through a cycle. */
const MAX_DEPTH = 8;

const CENSOR = '[redacted]';

/**
 * `value` with every credential key blanked at any depth, copied only where something is blanked
 * (the caller's object stays as it was). pino's path redaction needs a wildcard per level, and a
 * connection logged whole holds its credentials three or four levels down
 * (connection.inbound.xapi.password): the paths that would take cost several times a walk.
 */
function blanked(value: unknown, keys: ReadonlySet<string>, depth: number): unknown {
  if (depth > MAX_DEPTH || typeof value !== 'object' || value === null || value instanceof Error) return value;
  if (Array.isArray(value)) {
    const items = value.map((item) => blanked(item, keys, depth + 1));
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  let copy: Record<string, unknown> | null = null;
  for (const [key, inner] of Object.entries(value)) {
    const safe = keys.has(key) ? CENSOR : blanked(inner, keys, depth + 1);
    if (safe !== inner) {
      copy ??= { ...value };
      copy[key] = safe;
    }
  }
  return copy ?? value;
}

/**
 * The hub's logger. Secrets are never logged, even when a whole request or connection is logged by
 * mistake: `credentialKeys` are the settings keys the vendors' schemas mark secret (the registry's
 * `credentialKeys()`), blanked wherever they appear, with the hub's own.
 */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream; credentialKeys?: readonly string[] } = {}): Logger {
  const keys = new Set([...CREDENTIAL_KEYS, ...(options.credentialKeys ?? [])]);
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: CENSOR },
      formatters: {
        log: (object) => Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, keys.has(key) ? CENSOR : blanked(inner, keys, 1)])),
      },
      base: { service: 'learnhook' },
    },
    options.destination,
  );
}
