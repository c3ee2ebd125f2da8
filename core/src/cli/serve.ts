import { parseArgs } from 'node:util';
import { ENV_SETTINGS } from '../config.ts';
import { CliError } from '../errors.ts';

const NAME_WIDTH = Math.max(...Object.keys(ENV_SETTINGS).map((name) => name.length)) + 2;

export const SERVE_USAGE = `Usage: learnhook serve [--port N] [--host ADDRESS]

Runs the learnhook hub until SIGTERM or Ctrl-C, then finishes in-flight requests and exits.

Options:
  --port N          Listen on this port (the same as PORT=N).
  --host ADDRESS    Listen on this address (the same as HOST=ADDRESS).
  -h, --help        Show this help.

Settings come from the environment:
${Object.entries(ENV_SETTINGS)
  .map(([name, setting]) => `  ${name.padEnd(NAME_WIDTH)}${setting.help}`)
  .join('\n')}
`;

/**
 * `learnhook serve`'s flags, applied over the environment (a flag wins over its variable). An
 * unknown flag is refused with the usage: a typo must not start a hub on another port than asked.
 */
export function serveEnvironment(args: string[], env: NodeJS.ProcessEnv): { help: true } | { help: false; env: NodeJS.ProcessEnv } {
  let values: { port?: string | undefined; host?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : String(error)}\n\n${SERVE_USAGE}`);
  }
  if (values.help) return { help: true };
  if (values.port !== undefined) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number, not "${values.port}".`);
  }
  return {
    help: false,
    env: { ...env, ...(values.port !== undefined ? { PORT: values.port } : {}), ...(values.host !== undefined ? { HOST: values.host } : {}) },
  };
}
