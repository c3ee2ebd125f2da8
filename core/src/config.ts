import path from 'node:path';
import { z } from 'zod';
import { parseAddressRange, parseAllowedTargets } from './allowed-targets.ts';

/** A PostgreSQL schema name: a plain identifier that needs no care anywhere (it is quoted all the same). */
export const PgSchemaNameSchema = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and underscores');

/** Express's names for address groups in "trust proxy". */
const TRUST_PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * The hub's settings, read from the environment (DESIGN §4 CLI). One schema gives the defaults,
 * the validation and the --help text.
 */
export const ENV_SETTINGS = {
  PORT: { schema: z.coerce.number().int().min(0).max(65535).default(8080), help: 'TCP port to listen on (default 8080).' },
  HOST: { schema: z.string().min(1).default('0.0.0.0'), help: 'Address to listen on (default 0.0.0.0).' },
  LEARNHOOK_DATA: {
    schema: z.string().min(1).default(path.join('.learnhook', 'learnhook.db')),
    help: 'The embedded store file (default ./.learnhook/learnhook.db).',
  },
  DATABASE_URL: {
    schema: z.string().url().optional(),
    help: 'postgres://... to use PostgreSQL instead of the embedded store; several hubs may share it (?schema=NAME picks a schema).',
  },
  LEARNHOOK_PG_SCHEMA: {
    schema: PgSchemaNameSchema.optional(),
    help: 'The PostgreSQL schema to keep tables in (default: ?schema= in DATABASE_URL, else public).',
  },
  LEARNHOOK_PG_POOL_MAX: { schema: z.coerce.number().int().min(1).max(1000).default(10), help: 'PostgreSQL connections per process (default 10).' },
  LEARNHOOK_PG_CONNECT_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(100).max(120_000).default(5_000),
    help: 'How long to wait for a PostgreSQL connection (default 5000).',
  },
  LEARNHOOK_PG_STATEMENT_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(100).max(600_000).default(30_000),
    help: 'How long one PostgreSQL statement may run before it is cancelled (default 30000).',
  },
  LEARNHOOK_PG_IDLE_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
    help: 'How long an idle pooled PostgreSQL connection is kept (default 10000).',
  },
  LEARNHOOK_LEASE_MS: {
    schema: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
    help: 'How long a hub holds an event or delivery it claimed before another may take it over, should it die (default 60000; above the delivery timeout and hydration wait).',
  },
  LEARNHOOK_RETENTION_DAYS: {
    schema: z.coerce.number().int().min(0).max(36_500).default(30),
    help: "Days events, their raw requests, deliveries and attempts are kept; a connection's retention_days overrides it; 0 keeps everything (default 30). What is still owed is never pruned.",
  },
  LEARNHOOK_AUDIT_RETENTION_DAYS: {
    schema: z.coerce.number().int().min(0).max(36_500).default(365),
    help: 'Days the audit log and the hourly activity counts are kept; 0 keeps them (default 365; not below LEARNHOOK_RETENTION_DAYS).',
  },
  LEARNHOOK_API_KEY: {
    schema: z
      .string()
      .min(16)
      .max(256)
      .regex(/^[\x21-\x7e]+$/, 'printable characters without spaces')
      .optional(),
    help: 'Seeds an admin API key (16+ characters), for headless starts.',
  },
  LEARNHOOK_SECRET_KEY: {
    schema: z.string().optional(),
    help: 'base64 of 32 bytes: encrypts secrets at rest (default: generated into secret.key beside the data file).',
  },
  LEARNHOOK_SECRET_KEY_PREVIOUS: {
    schema: z.string().optional(),
    help: 'During a key rotation: the old key (comma-separated for several), which opens secrets sealed with it but seals nothing; drop it once `learnhook secrets rotate` is done.',
  },
  LEARNHOOK_SECRET_KEY_NEXT: {
    schema: z.string().optional(),
    help: 'Before a key rotation on several processes: the new key, which opens secrets but seals nothing yet, so no process meets a secret it cannot open.',
  },
  LEARNHOOK_PUBLIC_URL: {
    schema: z.url().optional(),
    help: 'The base URL LMSs and integrations reach the hub at, for ingest URLs (default: the request host).',
  },
  LEARNHOOK_SESSION_TTL_MS: {
    schema: z.coerce
      .number()
      .int()
      .min(10_000)
      .max(30 * 24 * 3_600_000)
      .default(12 * 3_600_000),
    help: 'How long a console sign-in lasts (default 43200000: 12 hours).',
  },
  LEARNHOOK_ALLOW_PRIVATE_TARGETS: {
    schema: z.stringbool().default(false),
    help: 'true lets hooks target private and loopback addresses (local n8n, tests); link-local is always refused.',
  },
  LEARNHOOK_ALLOWED_TARGETS: {
    schema: z
      .string()
      .default('')
      .transform((text, context) => {
        try {
          return parseAllowedTargets(text);
        } catch (error) {
          context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
          return z.NEVER;
        }
      }),
    help: 'Private targets hooks may reach, one by one: comma-separated host:port, host or CIDR entries (n8n:5678,10.0.0.0/8); link-local is always refused.',
  },
  LEARNHOOK_TRUST_PROXY: {
    schema: z
      .string()
      .default('loopback')
      .refine(
        (text) => text.split(',').every((entry) => TRUST_PROXY_NAMES.has(entry.trim()) || parseAddressRange(entry.trim()) !== null),
        'comma-separated loopback, linklocal, uniquelocal, addresses or CIDR ranges',
      ),
    help: 'Which proxies may tell the client address and https (X-Forwarded-For, X-Forwarded-Proto): default loopback; set the proxy network (CIDR) when it runs elsewhere.',
  },
  LEARNHOOK_DELIVERY_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(100).max(120_000).default(15_000),
    help: 'How long one delivery attempt may take (default 15000).',
  },
  LEARNHOOK_HYDRATION_MAX_WAIT_MS: {
    schema: z.coerce.number().int().min(100).max(600_000).default(30_000),
    help: 'How long an event may wait for its LMS API before it goes out partial (default 30000).',
  },
  LEARNHOOK_HYDRATION_WARM_MAX: {
    schema: z.coerce.number().int().min(0).max(1_000_000).default(50_000),
    help: "Most learners and courses read ahead from each LMS's lists into the hydration cache; 0 turns this off (default 50000).",
  },
  LEARNHOOK_ALERT_URL: {
    schema: z.url({ protocol: /^https?$/ }).optional(),
    help: 'Where alerts are POSTed (a Zapier catch hook, an n8n webhook), signed like deliveries with LEARNHOOK_ALERT_SECRET: a hook disabled, an LMS API failing, a connection silent, the disk low.',
  },
  LEARNHOOK_ALERT_SECRET: {
    schema: z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, 'a whsec_ secret: whsec_ followed by base64 of 24 or more random bytes')
      .optional(),
    help: 'The whsec_ secret alerts are signed with (try: echo whsec_$(openssl rand -base64 32)).',
  },
  LEARNHOOK_ALERT_CHECK_MS: {
    schema: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
    help: 'How often the hub looks for alerts (default 60000).',
  },
  LEARNHOOK_DISK_MIN_FREE_PERCENT: {
    schema: z.coerce.number().min(0).max(100).default(10),
    help: "Alert when the embedded store's disk has less than this share free (default 10).",
  },
  LEARNHOOK_LMS_FAILURES_TO_OPEN: {
    schema: z.coerce.number().int().min(1).max(1000).default(5),
    help: "LMS API calls failing in a row (no answer, timeout, 5xx) before the connection's circuit breaker opens and events stop waiting for it (default 5).",
  },
  LEARNHOOK_LMS_COOLDOWN_MS: {
    schema: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    help: 'How long an open breaker waits before trying the LMS API again; doubles after each failed try, up to 5 minutes (default 30000).',
  },
  LEARNHOOK_RATE_LIMIT: {
    schema: z.coerce.number().int().min(1).default(50),
    help: 'API requests per second per key, with bursts of twice that (default 50).',
  },
  LEARNHOOK_HEADERS_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(500).max(600_000).default(20_000),
    help: 'How long a client may take to send its request headers before the connection is closed (default 20000).',
  },
  LEARNHOOK_REQUEST_TIMEOUT_MS: {
    schema: z.coerce.number().int().min(500).max(600_000).default(60_000),
    help: 'How long a client may take to send a whole request, body included (default 60000).',
  },
  LEARNHOOK_AUTH_FAILURE_LIMIT: {
    schema: z.coerce.number().int().min(1).default(60),
    help: 'Failed API key checks per minute, per key id for keys the hub issued and per client address otherwise, before 429 for a while (default 60).',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    help: 'Log level (default info).',
  },
} as const;

const ConfigSchema = z.object(
  Object.fromEntries(Object.entries(ENV_SETTINGS).map(([name, setting]) => [name, setting.schema])) as {
    [K in keyof typeof ENV_SETTINGS]: (typeof ENV_SETTINGS)[K]['schema'];
  },
);

const CheckedConfigSchema = ConfigSchema.superRefine((config, context) => {
  // A lease shorter than an attempt could let a second process send a delivery the first is still sending.
  const longest = Math.max(config.LEARNHOOK_DELIVERY_TIMEOUT_MS, config.LEARNHOOK_HYDRATION_MAX_WAIT_MS);
  if (config.LEARNHOOK_LEASE_MS <= longest) {
    context.addIssue({
      code: 'custom',
      path: ['LEARNHOOK_LEASE_MS'],
      message: `must be above LEARNHOOK_DELIVERY_TIMEOUT_MS and LEARNHOOK_HYDRATION_MAX_WAIT_MS (${longest})`,
    });
  }
  // The audit log says who did what to the events: it outlives them. A deleted connection's
  // events are found for pruning through its activity counts, which keep the audit window.
  const { LEARNHOOK_RETENTION_DAYS: days, LEARNHOOK_AUDIT_RETENTION_DAYS: auditDays } = config;
  if (auditDays > 0 && days > 0 && auditDays < days) {
    context.addIssue({ code: 'custom', path: ['LEARNHOOK_AUDIT_RETENTION_DAYS'], message: `must be 0 (keep) or at least LEARNHOOK_RETENTION_DAYS (${days})` });
  }
  // Hubs sharing PostgreSQL must open each other's secrets: a key generated per machine beside the
  // data file would differ between them, so it has to be given.
  if (config.LEARNHOOK_ALERT_URL && !config.LEARNHOOK_ALERT_SECRET) {
    context.addIssue({
      code: 'custom',
      path: ['LEARNHOOK_ALERT_SECRET'],
      message: 'must be set when LEARNHOOK_ALERT_URL is set: alerts are signed like deliveries',
    });
  }
  if (config.DATABASE_URL && !config.LEARNHOOK_SECRET_KEY) {
    context.addIssue({
      code: 'custom',
      path: ['LEARNHOOK_SECRET_KEY'],
      message: 'must be set when DATABASE_URL is set, the same on every hub process (try: openssl rand -base64 32)',
    });
  }
  // An extra key beside the generated secret.key would be a rotation half set up: the key that seals must be given too.
  for (const name of ['LEARNHOOK_SECRET_KEY_PREVIOUS', 'LEARNHOOK_SECRET_KEY_NEXT'] as const) {
    if (config[name] && !config.LEARNHOOK_SECRET_KEY) {
      context.addIssue({
        code: 'custom',
        path: [name],
        message: 'needs LEARNHOOK_SECRET_KEY beside it (the key that seals): see "Rotating the secret key" in the README',
      });
    }
  }
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Reads the settings; a bad value fails with the variable's name and what is wrong. */
export function readConfig(env: NodeJS.ProcessEnv): Config {
  const result = CheckedConfigSchema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
}

/** The address a server listening on `host`:`port` is reached at from this machine (0.0.0.0 listens on localhost too). */
export function localUrl(host: string, port: number): string {
  return `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}`;
}
