import { existsSync } from 'node:fs';
import path from 'node:path';
import { readConfig } from '@learnhook/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { N8N_VERSION } from '../lib/n8n.ts';
import { envFile, hubSettingNames, ROOT, readRepoFile } from './deploy-files.ts';

const SETTINGS = hubSettingNames();

/**
 * The compose files cannot be run here (no Docker engine): these tests read them as docker
 * compose would, with deploy/env.example filled in, and hand the hub's environment to the hub's
 * own validation.
 */
interface Service {
  image?: string;
  build?: { context: string };
  environment?: Record<string, string>;
  volumes?: string[];
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
  networks?: { default?: { ipam?: { config?: Array<{ subnet?: string }> } } };
  volumes?: Record<string, unknown>;
}

/** deploy/env.example with its empty values filled in as a person would. */
const exampleEnv: Record<string, string> = {
  ...envFile(readRepoFile('deploy/env.example')),
  POSTGRES_PASSWORD: 'c0ffee0123456789abcdef',
  LEARNHOOK_SECRET_KEY: Buffer.alloc(32, 9).toString('base64'),
};

/** Compose's ${NAME}, ${NAME:?message} and ${NAME:-default}, from `values`; a name it lacks fails the test. */
function interpolate(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{([A-Z0-9_]+)(?::?[?-][^}]*)?\}/g, (_, name: string) => {
    const value = values[name];
    if (!value) throw new Error(`\${${name}} is not set by deploy/env.example`);
    return value;
  });
}

const COMPOSE_FILES = ['deploy/docker-compose.yml', 'deploy/docker-compose.n8n.yml'];
const load = (file: string): Compose => parse(interpolate(readRepoFile(file), exampleEnv)) as Compose;

describe.each(COMPOSE_FILES)('%s', (file) => {
  const compose = load(file);
  const hub = compose.services.learnhook;

  it('builds the hub from the repository Dockerfile', () => {
    expect(hub?.build?.context).toBe('..');
    expect(existsSync(path.join(ROOT, 'deploy', hub?.build?.context ?? '', 'Dockerfile'))).toBe(true);
  });

  it('gives the hub only settings it has, with values its own validation accepts', () => {
    const env = hub?.environment ?? {};
    expect(Object.keys(env).filter((name) => !SETTINGS.has(name))).toEqual([]);
    const config = readConfig(env);
    expect(config.LEARNHOOK_PUBLIC_URL).toBe(`https://${exampleEnv.LEARNHOOK_DOMAIN}`);
  });

  it('trusts forwarded headers from its own network, where Caddy runs, and from nowhere else', () => {
    const subnets = compose.networks?.default?.ipam?.config?.map((entry) => entry.subnet);
    expect(subnets).toHaveLength(1);
    expect(hub?.environment?.LEARNHOOK_TRUST_PROXY).toBe(subnets?.[0]);
    expect(compose.services.caddy).toBeDefined();
  });

  it('mounts a Caddyfile that exists and names every volume it uses', () => {
    const mounts = Object.values(compose.services).flatMap((service) => service.volumes ?? []);
    for (const mount of mounts) {
      const [source = ''] = mount.split(':');
      if (source.startsWith('.')) expect(existsSync(path.join(ROOT, 'deploy', source)), mount).toBe(true);
      else expect(Object.keys(compose.volumes ?? {}), mount).toContain(source);
    }
    expect(mounts.some((mount) => mount.endsWith(':/etc/caddy/Caddyfile:ro'))).toBe(true);
  });

  it('lets the hub finish a delivery attempt when it is stopped', () => {
    const seconds = Number(/^(\d+)s$/.exec(hub?.stop_grace_period ?? '')?.[1]);
    expect(seconds * 1000).toBeGreaterThan(readConfig({}).LEARNHOOK_DELIVERY_TIMEOUT_MS);
  });
});

describe('deploy/docker-compose.yml', () => {
  const compose = load('deploy/docker-compose.yml');

  it('runs the hub on the PostgreSQL service beside it, with the secret key compose requires', () => {
    const env = compose.services.learnhook?.environment ?? {};
    const postgres = compose.services.postgres?.environment ?? {};
    const url = new URL(env.DATABASE_URL ?? '');
    expect(url.hostname).toBe('postgres');
    expect(decodeURIComponent(url.username)).toBe(postgres.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(postgres.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${postgres.POSTGRES_DB}`);
    expect(readRepoFile('deploy/docker-compose.yml')).toMatch(/LEARNHOOK_SECRET_KEY: \$\{LEARNHOOK_SECRET_KEY:\?/);
  });
});

describe('deploy/docker-compose.n8n.yml', () => {
  const compose = load('deploy/docker-compose.n8n.yml');

  it("allows exactly the private target n8n's webhook URL names, on the n8n version the project tests", () => {
    const n8n = compose.services.n8n;
    expect(n8n?.image).toBe(`n8nio/n8n:${N8N_VERSION}`);
    const webhook = new URL(n8n?.environment?.WEBHOOK_URL ?? '');
    expect(compose.services.learnhook?.environment?.LEARNHOOK_ALLOWED_TARGETS).toBe(`${webhook.hostname}:${webhook.port}`);
    expect(Object.keys(compose.services)).toContain(webhook.hostname);
  });

  it('keeps the embedded store, and the secret.key beside it, on a volume at the image data folder', () => {
    const mounts = compose.services.learnhook?.volumes ?? [];
    expect(mounts.map((mount) => mount.split(':')[1])).toContain('/data');
  });
});
