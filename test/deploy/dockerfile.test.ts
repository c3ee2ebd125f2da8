import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@learnhook/core/testing';
import { describe, expect, it } from 'vitest';
import { dockerInstructions, hubSettingNames, type Instruction, ROOT, readRepoFile, runHub, startCommand } from './deploy-files.ts';

const SETTINGS = hubSettingNames();

/**
 * This machine has no Docker engine and cannot pull base images, so the image is never built
 * here: these tests hold the Dockerfile to what CI does run (the install script, the start
 * command, the health check script) and run those pieces the way the image would.
 */
const instructions = dockerInstructions(readRepoFile('Dockerfile'));
const all = (keyword: string): Instruction[] => instructions.filter((instruction) => instruction.keyword === keyword);
const jsonForm = (args: string): string[] => JSON.parse(args) as string[];

/** ENV NAME=value ... pairs of the run stage. */
const imageEnv: Record<string, string> = Object.fromEntries(
  all('ENV').flatMap((instruction) => instruction.args.split(/\s+/).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])),
);

const healthcheckArgv = (): string[] => {
  const [healthcheck] = all('HEALTHCHECK');
  const command = healthcheck?.args.split(' CMD ')[1];
  if (!command) throw new Error('the Dockerfile has no HEALTHCHECK ... CMD [...]');
  return jsonForm(command);
};

/** The project's Node 24, the same version the image's base carries (checked below). */
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');
const onProjectNode = (argv: string[]): string[] => (argv[0] === 'node' ? [NODE, ...argv.slice(1)] : argv);

/** .dockerignore as Docker reads it: the last pattern that matches a path or a folder above it wins. */
function ignoredByDockerignore(file: string): boolean {
  const patterns = readRepoFile('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const parents = file.split('/').map((_, index, parts) => parts.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    const source = glob
      .split('**/')
      .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
      .join('(?:.*/)?');
    const regex = new RegExp(`^${source}$`);
    if (parents.some((parent) => regex.test(parent))) ignored = !negated;
  }
  return ignored;
}

describe('the Dockerfile', () => {
  it('installs dependencies with the same script CI runs, and CI runs no other install', () => {
    const runs = all('RUN').map((instruction) => instruction.args);
    expect(runs).toContain('scripts/install.sh');
    accessSync(path.join(ROOT, 'scripts/install.sh'), constants.X_OK);
    const ci = readRepoFile('.ci/run');
    expect(ci).toMatch(/^scripts\/install\.sh$/m);
    expect(ci).not.toMatch(/^\s*npm (ci|install)\b/m);
  });

  it('starts the hub with package.json start script, node as PID 1 (exec form)', () => {
    const [cmd] = all('CMD');
    expect(cmd && jsonForm(cmd.args)).toEqual(startCommand());
  });

  it('builds on the Node version package.json pins', () => {
    const pkg = JSON.parse(readRepoFile('package.json')) as { devDependencies: Record<string, string> };
    const image = all('ARG').find((instruction) => instruction.args.startsWith('NODE_IMAGE='))?.args;
    expect(image).toBe(`NODE_IMAGE=node:${pkg.devDependencies.node}-bookworm-slim`);
    const stages = all('FROM').map((instruction) => instruction.args.split(' ')[0]);
    expect(stages).toHaveLength(2);
    for (const stage of stages) expect(stage).toMatch(/^\$\{NODE_IMAGE\}$/);
  });

  it('copies only files that exist and that .dockerignore lets into the build context', () => {
    const sources = all('COPY')
      .filter((instruction) => !instruction.args.startsWith('--from'))
      .flatMap((instruction) => instruction.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      expect(existsSync(path.join(ROOT, source)), source).toBe(true);
      expect(ignoredByDockerignore(source), source).toBe(false);
    }
    // The big ones stay out of the context.
    expect(ignoredByDockerignore('node_modules/zod/package.json')).toBe(true);
    expect(ignoredByDockerignore('core/node_modules/x')).toBe(true);
    expect(ignoredByDockerignore('zapier/src/index.ts')).toBe(true);
  });

  it('runs as a user other than root, keeps the store on the /data volume it owns, and sets only hub settings', () => {
    const [user] = all('USER');
    expect(user?.args).toMatch(/^\w+$/);
    expect(user?.args).not.toBe('root');
    expect(all('RUN').some((instruction) => instruction.args.includes(`chown ${user?.args}:${user?.args} /data`))).toBe(true);
    expect(all('VOLUME').map((instruction) => instruction.args)).toEqual(['/data']);
    expect(path.dirname(imageEnv.LEARNHOOK_DATA ?? '')).toBe('/data');
    const settings = Object.keys(imageEnv).filter((name) => name !== 'PATH');
    expect(settings.filter((name) => !SETTINGS.has(name))).toEqual([]);
  });

  it('runs the hub from its CMD and environment, passes its HEALTHCHECK, stops on SIGTERM with 0, then fails the check', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-docker-'));
    const port = String(await freePort());
    // The image's environment, but on loopback here (the image listens on every address) and in
    // a temporary folder instead of /data.
    const { PATH: _imagePath, ...settings } = imageEnv;
    const env = { ...settings, HOST: '127.0.0.1', PORT: port, LEARNHOOK_DATA: path.join(dataDir, 'learnhook.db') };
    const [cmd] = all('CMD');
    const hub = await runHub(onProjectNode(jsonForm(cmd?.args ?? '[]')), { cwd: ROOT, env, url: `http://127.0.0.1:${port}` });
    const check = (checkEnv: Record<string, string>) =>
      spawnSync(NODE, healthcheckArgv().slice(1), { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...checkEnv }, encoding: 'utf8', timeout: 10_000 });
    try {
      expect(check(env).status).toBe(0);
      // As in the image: HOST=0.0.0.0, which the check reaches on loopback.
      expect(check({ ...env, HOST: '0.0.0.0' }).status).toBe(0);
      expect(readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    } finally {
      expect(await hub.stop()).toBe(0);
    }
    const after = check(env);
    expect(after.status).toBe(1);
    expect(after.stderr).toContain(`127.0.0.1:${port}/healthz`);
  }, 40_000);
});
