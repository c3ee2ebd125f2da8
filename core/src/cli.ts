#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { runBackup } from './cli/backup.ts';
import { runConnections } from './cli/connections.ts';
import { runEmit } from './cli/emit.ts';
import { runKeys } from './cli/keys.ts';
import { runRestore } from './cli/restore.ts';
import { runSandbox } from './cli/sandbox.ts';
import { runSecrets } from './cli/secrets.ts';
import { consoleAnnouncement, SERVE_USAGE, serveEnvironment } from './cli/serve.ts';
import { runSetupLink } from './cli/setup-link.ts';
import { readConfig } from './config.ts';
import { CliError } from './errors.ts';
import { startHub, VERSION } from './hub.ts';
import { createLogger } from './logger.ts';
import { credentialKeys, VENDOR_REGISTRY } from './vendors/registry.ts';

const USAGE = `learnhook ${VERSION}: connect your LMS to Zapier and n8n.

Usage: learnhook <command> [options]

Commands:
  serve        Run the hub (the HTTP API, LMS ingest and delivery).
  keys         Create, list and revoke API keys.
  connections  Connect an LMS to a running hub (learnhook connections add acme --vendor absorb), list them.
  sandbox      Run the hub with a sandbox LMS, ready to try a Zap or an n8n workflow.
  emit         Send an LMS event from a running sandbox (learnhook emit absorb "Enrollment Completed by Learner").
  backup       Copy the embedded store and its key while the hub runs (learnhook backup /var/backups/learnhook/).
  restore      Put a backup back in place of the embedded store (stop the hub first).
  secrets      Re-seal the stored secrets with a new LEARNHOOK_SECRET_KEY (learnhook secrets rotate), with no downtime.
  setup-link   Print a one-time link that creates the console's owner account, while it has none.

Options:
  -h, --help     Show help (also: learnhook <command> --help).
  -v, --version  Print the version.
`;

/**
 * Runs a long-lived service until SIGTERM or Ctrl-C. The handlers go in before the service starts,
 * so a signal sent the moment it announces itself is never met by the default action (an abrupt
 * kill); `close` then finishes in-flight work and the process exits 0.
 */
async function runUntilSignal(start: () => Promise<{ close(): Promise<void> } | null>, onStopping: (signal: string) => void): Promise<void> {
  let service: { close(): Promise<void> } | null = null;
  let pending: string | null = null;
  const stop = (signal: string) => {
    if (!service) {
      pending = signal;
      return;
    }
    onStopping(signal);
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`learnhook: error while stopping: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  service = await start();
  if (!service) {
    process.removeListener('SIGTERM', stop);
    process.removeListener('SIGINT', stop);
    return;
  }
  if (pending) stop(pending);
}

async function serve(env: NodeJS.ProcessEnv): Promise<void> {
  const config = readConfig(env);
  const logger = createLogger({ level: config.LOG_LEVEL, credentialKeys: credentialKeys() });
  await runUntilSignal(
    async () => {
      const hub = await startHub(config, logger, VENDOR_REGISTRY).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') throw new CliError(`Port ${config.PORT} is already in use; set PORT to a free port.`);
        throw error;
      });
      logger.info({ url: hub.url, version: VERSION }, `learnhook hub listening on ${hub.url}`);
      const announcement = consoleAnnouncement(hub.url, hub.setupLink, process.stdout.isTTY === true);
      if ('print' in announcement) process.stdout.write(announcement.print);
      else logger.info({ console: `${hub.url}/` }, announcement.log);
      return hub;
    },
    (signal) => logger.info({ signal }, 'stopping: finishing in-flight requests and deliveries'),
  );
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
    const options = serveEnvironment(argv.slice(argv.indexOf('serve') + 1), process.env);
    if (options.help) {
      process.stdout.write(SERVE_USAGE);
      return 0;
    }
    await serve(options.env);
    return -1;
  }
  if (command === 'sandbox') {
    const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', credentialKeys: credentialKeys() });
    const out = (text: string) => process.stdout.write(text);
    let ran = false;
    await runUntilSignal(
      async () => {
        const session = await runSandbox(argv.slice(argv.indexOf('sandbox') + 1), process.env, logger, out);
        ran = session !== null;
        return session;
      },
      () => out('Stopping the sandbox ...\n'),
    );
    return ran ? -1 : 0;
  }
  if (command === 'emit') {
    return runEmit(argv.slice(argv.indexOf('emit') + 1), process.env, (text) => process.stdout.write(text));
  }
  if (command === 'connections') {
    return runConnections(argv.slice(argv.indexOf('connections') + 1), process.env, (text) => process.stdout.write(text));
  }
  if (command === 'backup') {
    return runBackup(argv.slice(argv.indexOf('backup') + 1), readConfig(process.env), (text) => process.stdout.write(text));
  }
  if (command === 'restore') {
    return runRestore(argv.slice(argv.indexOf('restore') + 1), readConfig(process.env), (text) => process.stdout.write(text));
  }
  if (command === 'keys') {
    return runKeys(argv.slice(argv.indexOf('keys') + 1), readConfig(process.env), (text) => process.stdout.write(text));
  }
  if (command === 'setup-link') {
    return runSetupLink(argv.slice(argv.indexOf('setup-link') + 1), readConfig(process.env), (text) => process.stdout.write(text));
  }
  if (command === 'secrets') {
    return runSecrets(argv.slice(argv.indexOf('secrets') + 1), readConfig(process.env), (text) => process.stdout.write(text));
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
