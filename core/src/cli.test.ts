import { describe, expect, it } from 'vitest';
import { CONNECTIONS_USAGE } from './cli/connections.ts';
import { EMIT_USAGE } from './cli/emit.ts';
import { KEYS_USAGE } from './cli/keys.ts';
import { SANDBOX_USAGE } from './cli/sandbox.ts';
import { SETUP_LINK_USAGE } from './cli/setup-link.ts';
import { ENV_SETTINGS } from './config.ts';
import { VERSION } from './hub.ts';
import { runCli } from './testing/cli.ts';

/**
 * The `learnhook` entry point as a person runs it: a process, its exit code and what it prints.
 * Each run starts a Node process that loads the hub's modules, a second or so on a busy machine.
 */
describe('learnhook', { timeout: 30_000 }, () => {
  it('prints its version for --version and -v', async () => {
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect((await runCli(['-v'])).stdout).toBe(`${VERSION}\n`);
  });

  it('lists its commands: exit 0 with --help, exit 2 with no command at all', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['serve', 'keys', 'connections', 'sandbox', 'emit', 'setup-link'])
      expect(help.stdout).toMatch(new RegExp(`^ {2}${command} +\\S`, 'm'));
    expect(await runCli([])).toEqual({ code: 2, stdout: help.stdout, stderr: '' });
  });

  it('rejects an unknown command with the usage on stderr and exit code 2', async () => {
    const run = await runCli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^learnhook: unknown command "frobnicate"\.\n\nlearnhook /);
  });

  it("hands each command its own arguments: `learnhook <command> --help` prints that command's help", async () => {
    const usages = { keys: KEYS_USAGE, connections: CONNECTIONS_USAGE, emit: EMIT_USAGE, sandbox: SANDBOX_USAGE, 'setup-link': SETUP_LINK_USAGE };
    const runs = await Promise.all(Object.keys(usages).map((command) => runCli([command, '--help'])));
    expect(runs).toEqual(Object.values(usages).map((usage) => ({ code: 0, stdout: usage, stderr: '' })));
  });

  it('prints help for serve that lists every setting it reads from the environment', async () => {
    const help = await runCli(['serve', '--help']);
    expect(help.code).toBe(0);
    for (const name of Object.keys(ENV_SETTINGS)) expect(help.stdout).toContain(`  ${name}`);
  });

  it('refuses an unknown serve flag with the usage instead of starting a hub elsewhere', async () => {
    const run = await runCli(['serve', '--prot', '9123']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^learnhook: Unknown option '--prot'/);
    expect(run.stderr).toContain('Usage: learnhook serve [--port N] [--host ADDRESS]');
  });

  it('refuses a bad setting by naming it, with exit code 1', async () => {
    const run = await runCli(['serve'], { env: { PORT: 'eighty' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^learnhook: Invalid environment:\n {2}PORT: /);
  });

  it("prints a command's refusal as one line on stderr, with exit code 1", async () => {
    expect(await runCli(['keys', 'create', '--scope', 'root'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'learnhook: Unknown scope root; use admin, hooks, events.\n',
    });
  });
});
