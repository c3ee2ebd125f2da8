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

/**
 * A vendor folder (vendors/<vendor>/) holds every part of one LMS, and its parts sit in different
 * layers: a file's name says its role, and the role its layer. The API client is hydration's, the
 * sandbox parts are the sandbox's, and what assembles all roles (the vendor's index.ts, the
 * registry) sits on top, above everything it lists; every other file is the vendors layer.
 */
const VENDOR_ROLES: ReadonlyArray<{ name: RegExp; rank: number; layer: string }> = [
  { name: /^vendors\/[^/]+\/api-[^/]+\.ts$/, rank: 3, layer: 'hydrate' },
  { name: /^vendors\/[^/]+\/(?:sandbox-[^/]+|wire-format)\.ts$/, rank: 9, layer: 'top' },
  { name: /^vendors\/(?:[^/]+\/index|registry)\.ts$/, rank: 9, layer: 'top' },
];

const EXEMPT = 'testing/';
const BASE = { rank: 0, layer: 'base' };

/** The layer of a path relative to core/src ("/" separated); null for testing/. Throws for a folder the table does not place. */
function layerOf(file: string): { rank: number; layer: string } | null {
  if (file.startsWith(EXEMPT)) return null;
  const role = VENDOR_ROLES.find(({ name }) => name.test(file));
  if (role) return role;
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
        source: "import type { HydrationNeeds } from '../catalog/hydration-needs.ts';\nimport { buildEvent } from '../vendors/build-event.ts';",
      },
      { file: 'hydrate/rate-queue.ts', source: "import {\n  createTokenBuckets,\n} from '../http/rate-limit.ts';" },
      { file: 'config.ts', source: "const lazy = await import('./hub.ts');" },
      { file: 'testing/test-hub.ts', source: "import { startHub } from '../hub.ts';" },
      { file: 'cli.ts', source: "import packageJson from '../package.json' with { type: 'json' };\nimport { startHub } from './hub.ts';" },
    ];
    expect(upwardImports(files)).toEqual([
      'store/rows.ts -> ../vendors/build-event.ts (store -> vendors)',
      'hydrate/rate-queue.ts -> ../http/rate-limit.ts (hydrate -> http)',
      'config.ts -> ./hub.ts (base -> hub)',
    ]);
  });

  it('are checked inside a vendor folder by the role of each file', () => {
    const files = [
      { file: 'vendors/acme/inbound.ts', source: "import { acmeApiClient } from './api-client.ts';\nimport { buildEvent } from '../build-event.ts';" },
      { file: 'vendors/acme/api-client.ts', source: "import { acmeWireFormat } from './wire-format.ts';\nimport { acmeAdapter } from './inbound.ts';" },
      { file: 'vendors/acme/sandbox-api.ts', source: "import { acmeVendor } from './index.ts';\nimport { header } from '../../sandbox/api/common.ts';" },
      { file: 'vendors/connection-registry.ts', source: "import { VENDOR_REGISTRY } from './registry.ts';" },
      { file: 'hydrate/client-registry.ts', source: "import { acmeSandboxApi } from '../vendors/acme/sandbox-api.ts';" },
      { file: 'vendors/registry.ts', source: "import { acmeVendor } from './acme/index.ts';" },
    ];
    expect(upwardImports(files)).toEqual([
      'vendors/acme/inbound.ts -> ./api-client.ts (vendors -> hydrate)',
      'vendors/acme/api-client.ts -> ./wire-format.ts (hydrate -> top)',
      'vendors/connection-registry.ts -> ./registry.ts (vendors -> top)',
      'hydrate/client-registry.ts -> ../vendors/acme/sandbox-api.ts (hydrate -> top)',
    ]);
  });

  it('place every folder: one the table does not know fails the check', () => {
    expect(() => upwardImports([{ file: 'plugins/x.ts', source: '' }])).toThrow(/plugins\/ has no layer/);
  });
});
