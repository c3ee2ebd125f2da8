import { parseArgs } from 'node:util';
import { CliError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { nextSteps, type SandboxSession, startSandbox } from '../sandbox/session.ts';

export const SANDBOX_USAGE = `Usage: learnhook sandbox [--port N] [--lms-port N] [--dir DIR]

Starts the hub and a sandbox LMS that speaks every supported vendor's format, creates one hub
connection per vendor and an API key, and prints how to try a Zap or an n8n workflow.

  --port N       the hub's port (default: PORT or 8080)
  --lms-port N   the sandbox LMS's port (default: the hub's port + 1)
  --dir DIR      where the sandbox keeps its hub store and LMS data (default ./.learnhook/sandbox)

The LMS's organisation (users, courses, enrollments, ...) is DIR/lms.json: edit it by hand,
even while the sandbox runs. Stop with Ctrl-C.
`;

export async function runSandbox(args: string[], env: NodeJS.ProcessEnv, logger: Logger, out: (text: string) => void): Promise<SandboxSession | null> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string' }, 'lms-port': { type: 'string' }, dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    out(SANDBOX_USAGE);
    return null;
  }
  const number = (value: string | undefined, flag: string) => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new CliError(`${flag} must be a port number, not "${value}".`);
    return parsed;
  };
  const session = await startSandbox({
    env,
    port: number(values.port, '--port'),
    lmsPort: number(values['lms-port'], '--lms-port'),
    dir: values.dir,
    logger,
    progress: (line) => out(`${line}\n`),
  });
  out(nextSteps(session));
  return session;
}
