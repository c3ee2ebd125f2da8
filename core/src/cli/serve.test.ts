import { describe, expect, it } from 'vitest';
import { ENV_SETTINGS } from '../config.ts';
import { CliError } from '../errors.ts';
import { consoleAnnouncement, SERVE_USAGE, serveEnvironment } from './serve.ts';

describe('learnhook serve', () => {
  it('takes --port and --host over PORT and HOST', () => {
    expect(serveEnvironment(['--port', '9123', '--host', '0.0.0.0'], { PORT: '8080', HOST: '127.0.0.1', OTHER: 'kept' })).toEqual({
      help: false,
      env: { PORT: '9123', HOST: '0.0.0.0', OTHER: 'kept' },
    });
    expect(serveEnvironment([], { PORT: '8080' })).toEqual({ help: false, env: { PORT: '8080' } });
  });

  it('refuses an unknown flag with the usage, and a port that is not one, naming the flag', () => {
    expect(() => serveEnvironment(['--prot', '9'], {})).toThrow(CliError);
    expect(() => serveEnvironment(['--prot', '9'], {})).toThrow(/Unknown option '--prot'[\s\S]*Usage: learnhook serve \[--port N\]/);
    expect(() => serveEnvironment(['--port', 'eighty'], {})).toThrow(new CliError('--port must be a port number, not "eighty".'));
  });

  it('lists every setting in its help with the text apart from the name, however long the name', () => {
    expect(serveEnvironment(['--help'], {})).toEqual({ help: true });
    for (const [name, setting] of Object.entries(ENV_SETTINGS))
      expect(SERVE_USAGE).toMatch(new RegExp(`^  ${name} {2,}${setting.help.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
  });

  describe('tells of the console once it listens', () => {
    const link = 'https://learnhook.example.com/setup/0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';

    it('prints the one-time setup link to a terminal, the way npm start on a new machine shows it', () => {
      expect(consoleAnnouncement('http://localhost:8080', link, true)).toEqual({
        print: `\nConsole: http://localhost:8080/\nFirst run: open this link to create the owner account (it works once, for 24 hours):\n  ${link}\n\n`,
      });
      expect(consoleAnnouncement('http://localhost:8080', null, true)).toEqual({
        print: '\nConsole: http://localhost:8080/ (sign in with your console account)\n\n',
      });
    });

    it('only logs, for a service, that a link is waiting and the command that prints one, never the link', () => {
      const said = consoleAnnouncement('http://127.0.0.1:8080', link, false);
      expect(said).toEqual({ log: expect.stringContaining("run `learnhook setup-link` as the hub's user") });
      expect(JSON.stringify(said)).not.toContain('/setup/');
      expect(consoleAnnouncement('http://127.0.0.1:8080', null, false)).toEqual({ log: 'console at http://127.0.0.1:8080/' });
    });
  });
});
