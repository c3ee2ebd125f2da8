import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageDir, packCommunityPackage } from '../lib/n8n.ts';
import { extractTarball, filesUnder, filesUsersNeed, publishFileList, scanLikeN8n } from '../lib/n8n-package.ts';

/**
 * n8n-nodes-learnhook as it would be published (issue 19 §2): `npm publish --dry-run` uploads exactly
 * what an n8n user needs, and n8n's own community-package scanner passes it.
 */
const built = existsSync(path.join(packageDir, 'dist', 'nodes', 'Learnhook', 'LearnhookTrigger.node.js'));
if (!built) console.warn('skipping the n8n package test: n8n-node is not built; run npm run build -w n8n-node');

let unpacked: string;

describe.skipIf(!built)('the n8n community package as published', () => {
  beforeAll(() => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-n8n-package-'));
    unpacked = extractTarball(packCommunityPackage(dir), path.join(dir, 'package'));
  }, 60_000);

  it('npm publish --dry-run uploads exactly the files users need: manifest, README, licence, the built nodes, credential and icons', () => {
    const files = publishFileList();
    expect(files).toEqual(filesUsersNeed());
    expect(files.filter((file) => /\.(ts|mts|map)$|test|tsbuildinfo|^dist\/package\.json$/.test(file))).toEqual([]);
    expect(filesUnder(unpacked)).toEqual(files);
  }, 30_000);

  it('the package metadata names its repository, homepage, author and licence', () => {
    const manifest = JSON.parse(readFileSync(path.join(unpacked, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({
      license: 'MIT',
      repository: { type: 'git', url: expect.stringMatching(/^git\+https:\/\/github\.com\//), directory: 'n8n-node' },
      homepage: expect.stringMatching(/^https:\/\//),
      author: { name: expect.any(String), email: expect.stringContaining('@') },
      keywords: expect.arrayContaining(['n8n-community-node-package']),
    });
    expect(readFileSync(path.join(unpacked, 'LICENSE.md'), 'utf8')).toMatch(/^MIT License/);
    // n8n supplies n8n-workflow at run time; an optional peer keeps `npm install` from adding a second copy.
    expect(manifest.peerDependencies).toEqual({ 'n8n-workflow': '*' });
    expect(manifest.peerDependenciesMeta).toEqual({ 'n8n-workflow': { optional: true } });
    expect(manifest.dependencies).toBeUndefined();
  });

  it("passes n8n's community-package scanner on its source and on the packed tarball", () => {
    const { passed, source, tarball } = scanLikeN8n(unpacked);
    expect(source, source.details).toEqual({ passed: true });
    expect(tarball, tarball.details).toEqual({ passed: true });
    expect(passed).toBe(true);
  }, 120_000);

  it('the same scan fails a package that breaks one of its rules (a runtime dependency)', () => {
    const broken = mkdtempSync(path.join(os.tmpdir(), 'learnhook-n8n-broken-'));
    cpSync(unpacked, broken, { recursive: true });
    const manifest = JSON.parse(readFileSync(path.join(broken, 'package.json'), 'utf8'));
    writeFileSync(path.join(broken, 'package.json'), JSON.stringify({ ...manifest, dependencies: { axios: '1.18.0' } }, null, 2));
    const { passed, tarball } = scanLikeN8n(broken);
    expect(passed).toBe(false);
    expect(tarball.passed).toBe(false);
    expect(tarball.details).toContain('no-runtime-dependencies');
  }, 120_000);
});
