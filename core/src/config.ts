import path from 'node:path';
import { z } from 'zod';

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
  DATABASE_URL: { schema: z.string().url().optional(), help: 'postgres://... to use PostgreSQL instead of the embedded store.' },
  LEARNHOOK_API_KEY: { schema: z.string().min(16).optional(), help: 'Seeds an admin API key, for headless starts.' },
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

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** Reads the settings; a bad value fails with the variable's name and what is wrong. */
export function readConfig(env: NodeJS.ProcessEnv): Config {
  const result = ConfigSchema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
}
