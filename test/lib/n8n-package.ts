import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageDir } from './n8n.ts';

/** The files `npm publish` would upload from n8n-node, read from `npm publish --dry-run --json`. */
export function publishFileList(): string[] {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  const output = execFileSync('npm', ['publish', '--dry-run', '--json'], { cwd: packageDir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const answer = JSON.parse(output) as Record<string, { files: Array<{ path: string }> }>;
  const published = answer['n8n-nodes-learnhook'];
  if (!published) throw new Error(`npm publish --dry-run answered no n8n-nodes-learnhook: ${output.slice(0, 500)}`);
  return published.files.map((file) => file.path).sort();
}

const RELATIVE_REQUIRE = /require\("(\.{1,2}\/[^"]+)"\)/g;
const ICON_FILE = /["']file:([^"']+\.svg)["']/g;

/**
 * What an n8n user needs from n8n-node, derived from the built package rather than listed by hand:
 * package.json, README and licence; every node and credential its `n8n` block names; each node's
 * codex file; the icons they point at; and every module they require, transitively.
 */
export function filesUsersNeed(root = packageDir): string[] {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };
  const needed = new Set(['package.json', 'README.md', 'LICENSE.md']);
  const queue = [...manifest.n8n.nodes, ...manifest.n8n.credentials];
  for (const node of manifest.n8n.nodes) needed.add(node.replace(/\.js$/, '.json'));
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (needed.has(file)) continue;
    needed.add(file);
    const code = readFileSync(path.join(root, file), 'utf8');
    for (const [, target] of code.matchAll(RELATIVE_REQUIRE)) if (target) queue.push(path.posix.join(path.posix.dirname(file), `${target}.js`));
    for (const [, icon] of code.matchAll(ICON_FILE)) if (icon) needed.add(path.posix.join(path.posix.dirname(file), icon));
  }
  return [...needed].sort();
}

/** Unpacks an npm tarball as n8n's scanner and installer do (tar, first path component stripped). */
export function extractTarball(tarball: string, destination: string): string {
  mkdirSync(destination, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', destination, '--strip-components=1']);
  return destination;
}

export interface ScanResult {
  passed: boolean;
  message?: string;
  details?: string;
}

/**
 * n8n's community-package scanner on this package without the registry (n8n-node/scripts/scan-package.mjs:
 * the scanner's own analyzePackage on the source and on the unpacked tarball; only the provenance
 * check waits for publication). A child process, as n8n runs it: under vitest NODE_ENV is "test",
 * which makes eslint-plugin-n8n-nodes-base take every file for "Test.node.ts".
 */
export function scanLikeN8n(unpackedDir: string): { passed: boolean; source: ScanResult; tarball: ScanResult } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_ENV'));
  const result = spawnSync(process.execPath, [path.join(packageDir, 'scripts', 'scan-package.mjs'), '--unpacked', unpackedDir, '--json'], {
    cwd: packageDir,
    env,
    encoding: 'utf8',
  });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`scan-package.mjs exited ${result.status} without a verdict:\n${result.stdout}\n${result.stderr}`);
  }
}

/** Every file under `dir`, relative, sorted. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}
