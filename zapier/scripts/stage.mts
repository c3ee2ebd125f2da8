/**
 * Copies the app as Zapier receives it into a folder of its own: index.js, the bundled dist/, a
 * package.json with only the runtime dependency, and node_modules holding exactly that
 * dependency's installed tree, copied from this workspace (no network).
 *
 * Why: `zapier-platform build --skip-dep-install` zips the node_modules it finds, but it matches
 * .zapierapprc "includeInBuild" only against files inside the app folder. In this workspace npm
 * hoists zapier-platform-core's tree to the root node_modules, outside zapier/, so the files its
 * trace misses (the "module-sync" entries of async-function and friends, ../shared/notes/zapier.md)
 * could never be added. In the staged folder node_modules is inside the app, as on a plain install.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const appDir = path.resolve(import.meta.dirname, '..');

/** Copied as they are; package.json is written anew. src/ and README.md only go into source.zip. */
const APP_FILES = ['index.js', 'dist', '.zapierapprc', '.gitignore', 'README.md', 'src'];

const Dependencies = z.record(z.string(), z.string()).optional();
/** What this script reads of an installed package's package.json. */
const PackageDependencies = z.object({ dependencies: Dependencies, optionalDependencies: Dependencies, peerDependencies: Dependencies });
/** What it reads of the app's own. */
const AppManifest = PackageDependencies.extend({
  name: z.string(),
  version: z.string(),
  description: z.string().optional(),
  main: z.string(),
});

function readPackageJson<T>(dir: string, schema: z.ZodType<T>): T {
  return schema.parse(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')));
}

/** Node's lookup: node_modules/<name> in `fromDir`, then in each parent folder. */
function findPackageDir(name: string, fromDir: string): string | null {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/**
 * Every installed package folder `dependencies` need at run time, resolved as Node would from
 * the app folder: dependencies, peers and optional dependencies that are installed.
 */
export function runtimePackageDirs(fromDir: string, dependencies: Record<string, string>): string[] {
  const found = new Set<string>();
  const queue: Array<{ name: string; from: string; required: boolean }> = Object.keys(dependencies).map((name) => ({ name, from: fromDir, required: true }));
  for (let next = queue.shift(); next; next = queue.shift()) {
    const dir = findPackageDir(next.name, next.from);
    if (!dir) {
      if (next.required) throw new Error(`${next.name} (needed from ${next.from}) is not installed; run npm install.`);
      continue;
    }
    if (found.has(dir)) continue;
    found.add(dir);
    const manifest = readPackageJson(dir, PackageDependencies);
    for (const name of Object.keys(manifest.dependencies ?? {})) queue.push({ name, from: dir, required: true });
    for (const name of Object.keys({ ...manifest.optionalDependencies, ...manifest.peerDependencies })) queue.push({ name, from: dir, required: false });
  }
  return [...found].sort();
}

/** "/w/node_modules/a/node_modules/b" -> "node_modules/a/node_modules/b": the same nesting, staged. */
function stagedPath(packageDir: string): string {
  const marker = `${path.sep}node_modules${path.sep}`;
  return packageDir.slice(packageDir.indexOf(marker) + 1);
}

export function stageApp(stageDir: string): void {
  if (!existsSync(path.join(appDir, 'dist', 'index.js'))) throw new Error('dist/index.js is missing; run the bundle first.');
  mkdirSync(stageDir, { recursive: true });
  for (const name of APP_FILES) {
    const source = path.join(appDir, name);
    if (existsSync(source)) cpSync(source, path.join(stageDir, name), { recursive: true });
  }
  const manifest = readPackageJson(appDir, AppManifest);
  const dependencies = manifest.dependencies ?? {};
  // No scripts (the _zapier-build hook needs this workspace) and no devDependencies: they are
  // bundled into dist/, and @learnhook/core is not on npm, so an online install would fail on it.
  const staged = { name: manifest.name, version: manifest.version, description: manifest.description, private: true, main: manifest.main, dependencies };
  writeFileSync(path.join(stageDir, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);

  const copied = new Map<string, string>();
  for (const packageDir of runtimePackageDirs(appDir, dependencies)) {
    const target = stagedPath(packageDir);
    const earlier = copied.get(target);
    if (earlier) throw new Error(`Both ${earlier} and ${packageDir} would be staged as ${target}.`);
    copied.set(target, packageDir);
    cpSync(packageDir, path.join(stageDir, target), {
      recursive: true,
      dereference: true,
      // A nested node_modules holds other packages, staged on their own if they are needed.
      filter: (source) => source === packageDir || path.basename(source) !== 'node_modules',
    });
  }
}
