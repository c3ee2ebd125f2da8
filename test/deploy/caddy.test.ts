import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentAssignments, hasTool, ROOT, readRepoFile, unitEntries } from './deploy-files.ts';

const CADDYFILES = ['deploy/Caddyfile', 'deploy/Caddyfile.compose', 'deploy/Caddyfile.n8n'];

/** The upstreams a Caddyfile proxies to. */
const upstreams = (file: string): string[] => [...readRepoFile(file).matchAll(/^\s*reverse_proxy\s+(\S+)/gm)].map((match) => match[1] ?? '');

describe('the Caddyfiles', () => {
  it('send the same-machine proxy to where deploy/learnhook.service listens', () => {
    const env = Object.assign(
      {},
      ...unitEntries(readRepoFile('deploy/learnhook.service'))
        .filter((entry) => entry.key === 'Environment')
        .map((entry) => environmentAssignments(entry.value)),
    ) as Record<string, string>;
    expect(upstreams('deploy/Caddyfile')).toEqual([`${env.HOST}:${env.PORT}`]);
  });

  it('send the compose proxies to the hub service port the image listens on', () => {
    const port = /PORT=(\d+)/.exec(readRepoFile('Dockerfile'))?.[1];
    expect(upstreams('deploy/Caddyfile.compose')).toEqual([`learnhook:${port}`]);
    expect(upstreams('deploy/Caddyfile.n8n')).toEqual([`learnhook:${port}`, 'n8n:5678']);
  });

  it('appear in the README as the files they are', () => {
    const block = /```caddyfile\n([\s\S]*?)```/.exec(readRepoFile('README.md'))?.[1];
    expect(block).toBeDefined();
    expect(readRepoFile('deploy/Caddyfile')).toContain(block);
  });

  it.skipIf(!hasTool('caddy')).each(CADDYFILES)('%s passes caddy validate (skipped without caddy: apt-get install caddy)', (file) => {
    // Caddy keeps state under XDG folders: a temporary one, so validating leaves nothing behind.
    const home = mkdtempSync(path.join(os.tmpdir(), 'learnhook-caddy-'));
    const result = spawnSync('caddy', ['validate', '--adapter', 'caddyfile', '--config', path.join(ROOT, file)], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        XDG_DATA_HOME: home,
        XDG_CONFIG_HOME: home,
        LEARNHOOK_DOMAIN: 'learnhook.example.com',
        N8N_DOMAIN: 'n8n.example.com',
      },
      timeout: 20_000,
    });
    expect(`${result.stdout}${result.stderr}`).toContain('Valid configuration');
    expect(result.status).toBe(0);
  });
});
