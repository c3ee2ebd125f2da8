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

/**
 * What `serve` says about the console once it listens. A setup link lets whoever opens it first
 * claim the owner account, so it is printed only to a terminal: `npm start` on a person's machine.
 * A service's stdout goes to journald or `docker logs`, which more people read; there the hub
 * logs that a link is waiting and which command prints one, never the link.
 */
export function consoleAnnouncement(url: string, setupLink: string | null, terminal: boolean): { print: string } | { log: string } {
  if (terminal && setupLink)
    return { print: `\nConsole: ${url}/\nFirst run: open this link to create the owner account (it works once, for 24 hours):\n  ${setupLink}\n\n` };
  if (terminal) return { print: `\nConsole: ${url}/ (sign in with your console account)\n\n` };
  if (setupLink)
    return {
      log: `console at ${url}/ has no account yet: run \`learnhook setup-link\` as the hub's user, with its settings, to print the one-time link that creates the owner account`,
    };
  return { log: `console at ${url}/` };
}
