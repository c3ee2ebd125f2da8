import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, localUrl } from '../config.ts';
import { issueSetupLink } from '../console/setup-link.ts';
import { CliError } from '../errors.ts';
import { openStore } from '../store/open-store.ts';

export const SETUP_LINK_USAGE = `Usage: learnhook setup-link

Prints a one-time link that creates the console's owner account, while the console has no
account; it works once, for 24 hours, and replaces any link printed before. Run it as the hub's
user, with the hub's settings: a hub running as a service keeps its setup link out of its logs.

Works on the store the hub uses (DATABASE_URL, else LEARNHOOK_DATA, default ./.learnhook/learnhook.db),
also while the hub runs. The link starts with LEARNHOOK_PUBLIC_URL, else the hub's HOST and PORT.
`;

/** `learnhook setup-link`: answers the exit code; writes the link only to `out`, the person's terminal. */
export async function runSetupLink(args: string[], config: Config, out: (text: string) => void): Promise<number> {
  const { values } = parseArgs({ args, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    out(SETUP_LINK_USAGE);
    return 0;
  }
  // A link written to a store no hub reads opens nothing: refuse rather than create one.
  if (!config.DATABASE_URL && !existsSync(config.LEARNHOOK_DATA))
    throw new CliError(
      `No store at ${path.resolve(config.LEARNHOOK_DATA)}: run this where the hub runs, as its user, with its LEARNHOOK_DATA (or DATABASE_URL).`,
    );
  const store = await openStore(config, { owner: false });
  try {
    const baseUrl = config.LEARNHOOK_PUBLIC_URL ?? localUrl(config.HOST, config.PORT);
    const link = await issueSetupLink(store.accounts, baseUrl, Date.now());
    if (!link)
      throw new CliError(`The console has an account already: sign in at ${baseUrl.replace(/\/$/, '')}/sign-in; an owner or admin invites others from Users.`);
    out(`Open this link to create the console's owner account (it works once, for 24 hours):\n  ${link}\n`);
    return 0;
  } finally {
    await store.close();
  }
}
