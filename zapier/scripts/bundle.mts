/**
 * Bundles the Zapier app into dist/index.js (CommonJS), the file the root index.js re-exports.
 *
 * Why a bundle: Zapier loads CommonJS and installs only this package's `dependencies`, while
 * @learnhook/core is ESM TypeScript that exists only in this workspace. So the catalog and the
 * Standard Webhooks verifier are compiled in, and zapier-platform-core stays external: Zapier's
 * runtime provides it from `dependencies`.
 *
 * Run by `npm run build` and, through the `_zapier-build` script, by every `zapier-platform build`
 * and `push`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const appDir = path.resolve(import.meta.dirname, '..');
/** core/src, where @learnhook/core's modules live (its package exports TypeScript sources). */
const coreSources = path.dirname(fileURLToPath(import.meta.resolve('@learnhook/core')));

/**
 * @learnhook/core's index also exports the hub (express, undici, pino, node:sqlite ...), which the
 * app never calls. Its modules do no work on import that the catalog or the verifier rely on, so
 * marking them side-effect free lets esbuild drop every module the app does not use: the bundle
 * then holds the catalog, the verifier and zod, not the hub.
 */
const coreWithoutSideEffects: Plugin = {
  name: 'learnhook-core-without-side-effects',
  setup(bundler) {
    const nested = Symbol('resolving inside the plugin');
    bundler.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === nested) return undefined;
      const resolved = await bundler.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: nested,
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      const inCore = !resolved.external && resolved.path.startsWith(coreSources + path.sep);
      return inCore ? { path: resolved.path, sideEffects: false } : undefined;
    });
  },
};

export async function bundle(): Promise<string> {
  const outfile = path.join(appDir, 'dist', 'index.js');
  await build({
    absWorkingDir: appDir,
    entryPoints: ['src/index.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    // Zapier's runtime is Node 22 (platform 18.0 and later).
    target: 'node22',
    format: 'cjs',
    // pg's optional native binding: core's PostgreSQL store is not in the bundle, but esbuild resolves pg's requires.
    external: ['zapier-platform-core', 'pg-native'],
    plugins: [coreWithoutSideEffects],
    // Keeps function and class names, so errors in Zapier's logs stay readable.
    keepNames: true,
    logLevel: 'warning',
  });
  return outfile;
}

if (import.meta.main) {
  const outfile = await bundle();
  console.log(`bundled ${path.relative(process.cwd(), outfile)}`);
}
