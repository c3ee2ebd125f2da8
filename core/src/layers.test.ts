import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Imports run one way, down these layers (docs/architecture.md "Layers"): a module may import its
 * own layer or a lower one. Folders end in "/"; a root file not listed here is base. testing/ is
 * test support and may import anything.
 */
const LAYERS: Readonly<Record<string, { rank: number; layer: string }>> = {
  'catalog/': { rank: 0, layer: 'base' },
  'signatures/': { rank: 0, layer: 'base' },
  'store/': { rank: 1, layer: 'store' },
  'vendors/': { rank: 2, layer: 'vendors' },
  'hydrate/': { rank: 3, layer: 'hydrate' },
  'delivery/': { rank: 4, layer: 'delivery' },
  'operations/': { rank: 5, layer: 'operations' },
  'http/': { rank: 6, layer: 'http' },
  'console/': { rank: 7, layer: 'console' },
  'hub.ts': { rank: 8, layer: 'hub' },
  'hub/': { rank: 8, layer: 'hub' },
  'sandbox/': { rank: 9, layer: 'top' },
  'cli/': { rank: 9, layer: 'top' },
  'cli.ts': { rank: 9, layer: 'top' },
  'index.ts': { rank: 9, layer: 'top' },
};

const EXEMPT = 'testing/';
const BASE = { rank: 0, layer: 'base' };

/** The layer of a path relative to core/src ("/" separated); null for testing/. Throws for a folder the table does not place. */
function layerOf(file: string): { rank: number; layer: string } | null {
  if (file.startsWith(EXEMPT)) return null;
  const slash = file.indexOf('/');
  const key = slash === -1 ? file : file.slice(0, slash + 1);
  const entry = LAYERS[key];
  if (entry) return entry;
  if (slash === -1) return BASE;
  throw new Error(`${file}: the folder ${key} has no layer; add it to LAYERS in layers.test.ts and to docs/architecture.md.`);
}

const RELATIVE_IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every import that points up a layer, as "file -> import (from layer -> to layer)". Paths are relative to core/src. */
function upwardImports(files: readonly { file: string; source: string }[]): string[] {
  const found: string[] = [];
  for (const { file, source } of files) {
    const from = layerOf(file);
    if (!from) continue;
    for (const match of source.matchAll(RELATIVE_IMPORT)) {
      const specifier = match[1] ?? '';
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      // Outside core/src (../package.json): not a layer.
      if (target.startsWith('../')) continue;
      const to = layerOf(target);
      if (to && to.rank > from.rank) found.push(`${file} -> ${specifier} (${from.layer} -> ${to.layer})`);
    }
  }
  return found;
}

const SRC = path.dirname(fileURLToPath(import.meta.url));

function sourceFiles(): { file: string; source: string }[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .map((entry) => entry.split(path.sep).join('/'))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => ({ file, source: readFileSync(path.join(SRC, file), 'utf8') }));
}

describe('the layers of core/src', () => {
  it('import only from their own layer or a lower one', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    expect(upwardImports(files)).toEqual([]);
  });

  it('are checked: an import pointing up is named with its file and layers', () => {
    const files = [
      {
        file: 'store/rows.ts',
        source: "import type { HydrationNeeds } from '../catalog/hydration-needs.ts';\nimport { ADAPTERS } from '../vendors/index.ts';",
      },
      { file: 'hydrate/rate-queue.ts', source: "import {\n  createTokenBuckets,\n} from '../http/rate-limit.ts';" },
      { file: 'config.ts', source: "const lazy = await import('./hub.ts');" },
      { file: 'testing/test-hub.ts', source: "import { startHub } from '../hub.ts';" },
      { file: 'cli.ts', source: "import packageJson from '../package.json' with { type: 'json' };\nimport { startHub } from './hub.ts';" },
    ];
    expect(upwardImports(files)).toEqual([
      'store/rows.ts -> ../vendors/index.ts (store -> vendors)',
      'hydrate/rate-queue.ts -> ../http/rate-limit.ts (hydrate -> http)',
      'config.ts -> ./hub.ts (base -> hub)',
    ]);
  });

  it('place every folder: one the table does not know fails the check', () => {
    expect(() => upwardImports([{ file: 'plugins/x.ts', source: '' }])).toThrow(/plugins\/ has no layer/);
  });
});
