/**
 * The Zapier CLI steps for this app, offline where the CLI allows:
 *
 *   node scripts/zapier-cli.mts validate  bundle, then `validate --without-style`
 *   node scripts/zapier-cli.mts build   bundle; `validate --without-style` (the local schema check);
 *                                       `build --skip-dep-install --skip-validation` in a staged
 *                                       copy (stage.mts says why); build/build.zip and source.zip
 *   node scripts/zapier-cli.mts push    the same, then `push --skip-dep-install`, which uploads
 *                                       (network, and `zapier-platform login` first)
 *
 * `build` without --skip-validation would also run Zapier's style check, which calls Zapier's
 * servers; `validate --without-style` has already checked the schema by then.
 */
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { bundle } from './bundle.mts';
import { stageApp } from './stage.mts';

const appDir = path.resolve(import.meta.dirname, '..');
const cliBin = path.join(path.dirname(createRequire(import.meta.url).resolve('zapier-platform-cli/package.json')), 'src', 'bin', 'run');

/** No usage reports and no update checks from the CLI: CI and tests must not depend on them. */
const cliEnv = { ...process.env, DISABLE_ZAPIER_ANALYTICS: '1', NO_UPDATE_NOTIFIER: '1' };

/**
 * Runs `zapier-platform <args>` in `cwd` with this process's Node (the CLI refuses Node < 22; npm
 * scripts and vitest run on the project's Node 24). Answers its output; throws with it on failure.
 */
export async function zapierPlatform(args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cliBin, ...args], { cwd, env: cliEnv, maxBuffer: 16 * 1024 * 1024 });
    return `${stdout}${stderr}`;
  } catch (error) {
    const output = error instanceof Error && 'stdout' in error && 'stderr' in error ? `${String(error.stdout)}${String(error.stderr)}` : '';
    throw new Error(`zapier-platform ${args.join(' ')} failed in ${cwd}:\n${output}`, { cause: error });
  }
}

/** Bundles and runs the local schema check; answers the CLI's output. */
export async function validate(): Promise<string> {
  await bundle();
  return zapierPlatform(['validate', '--without-style'], appDir);
}

async function inStagedCopy<T>(run: (stageDir: string) => Promise<T>): Promise<T> {
  // Outside zapier/: the CLI zips every package.json under the app folder (notes/zapier.md).
  const stageDir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-zapier-stage-'));
  try {
    stageApp(stageDir);
    return await run(stageDir);
  } finally {
    rmSync(stageDir, { recursive: true, force: true });
  }
}

export interface BuildResult {
  buildZip: string;
  sourceZip: string;
  output: string;
}

/** validate, then build.zip and source.zip into zapier/build/. */
export async function buildZips(): Promise<BuildResult> {
  const validation = await validate();
  return inStagedCopy(async (stageDir) => {
    const output = await zapierPlatform(['build', '--skip-dep-install', '--skip-validation'], stageDir);
    const buildDir = path.join(appDir, 'build');
    mkdirSync(buildDir, { recursive: true });
    const result = { buildZip: path.join(buildDir, 'build.zip'), sourceZip: path.join(buildDir, 'source.zip'), output: `${validation}${output}` };
    copyFileSync(path.join(stageDir, 'build', 'build.zip'), result.buildZip);
    copyFileSync(path.join(stageDir, 'build', 'source.zip'), result.sourceZip);
    return result;
  });
}

/** validate, then push from a staged copy, showing the CLI's own output (it may ask questions). */
export async function push(): Promise<void> {
  console.log(await validate());
  await inStagedCopy(
    (stageDir) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [cliBin, 'push', '--skip-dep-install'], { cwd: stageDir, env: cliEnv, stdio: 'inherit' });
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`zapier-platform push exited with ${code}`))));
      }),
  );
}

if (import.meta.main) {
  const command = process.argv[2];
  if (command === 'validate') {
    console.log(await validate());
  } else if (command === 'build') {
    const result = await buildZips();
    console.log(`${result.output}\nbuilt ${path.relative(process.cwd(), result.buildZip)} and ${path.relative(process.cwd(), result.sourceZip)}`);
  } else if (command === 'push') {
    await push();
  } else {
    console.error('usage: node scripts/zapier-cli.mts validate | build | push');
    process.exitCode = 2;
  }
}
