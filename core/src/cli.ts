#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError, ENV_SETTINGS, readConfig } from './config.ts';
import { runKeys } from './cli/keys.ts';
import { createLogger } from './logger.ts';
import { startHub, VERSION } from './hub.ts';

const USAGE = `learnhook ${VERSION}: connect your LMS to Zapier and n8n.

Usage: learnhook <command> [options]

Commands:
  serve     Run the hub (the HTTP API, LMS ingest and delivery).
  keys      Create, list and revoke API keys.

Options:
  -h, --help     Show help (also: learnhook <command> --help).
  -v, --version  Print the version.
`;

const SERVE_USAGE = `Usage: learnhook serve

Runs the learnhook hub until SIGTERM or Ctrl-C, then finishes in-flight requests and exits.
Settings come from the environment:
${Object.entries(ENV_SETTINGS)
  .map(([name, setting]) => `  ${name.padEnd(20)}${setting.help}`)
  .join('\n')}
`;

async function serve(): Promise<void> {
  const config = readConfig(process.env);
  const logger = createLogger({ level: config.LOG_LEVEL });
  // Handlers go in before anything is announced, so a signal sent the moment the hub says it
  // listens is never met by the default action (an abrupt kill).
  let stopRequested: string | null = null;
  let stopHub: ((signal: string) => void) | null = null;
  const onSignal = (signal: string) => (stopHub ? stopHub(signal) : (stopRequested = signal));
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  const hub = await startHub(config, logger).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new ConfigError(`Port ${config.PORT} is already in use; set PORT to a free port.`);
    throw error;
  });
  stopHub = (signal) => {
    logger.info({ signal }, 'stopping: finishing in-flight requests and deliveries');
    hub.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  logger.info({ url: hub.url, version: VERSION }, `learnhook hub listening on ${hub.url}`);
  if (stopRequested) stopHub(stopRequested);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
  });
  const [command] = positionals;
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (!command) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  if (command === 'serve') {
    if (values.help) {
      process.stdout.write(SERVE_USAGE);
      return 0;
    }
    await serve();
    return -1;
  }
  if (command === 'keys') {
    return runKeys(argv.slice(argv.indexOf('keys') + 1), readConfig(process.env), (text) => process.stdout.write(text));
  }
  process.stderr.write(`learnhook: unknown command "${command}".\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    // -1: a long-running command owns the process from here.
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`learnhook: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
