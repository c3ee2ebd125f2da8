import { describe, expect, it } from 'vitest';
import { ENV_SETTINGS } from '../config.ts';
import { CliError } from '../errors.ts';
import { SERVE_USAGE, serveEnvironment } from './serve.ts';

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
});
