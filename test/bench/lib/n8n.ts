import { existsSync } from 'node:fs';
import path from 'node:path';
import { n8nDir } from '../../helpers/n8n.ts';

/**
 * Where the bench looks for a real n8n (rows 3 and 7): the one cache folder the project uses
 * (test/helpers/n8n.ts; n8n-node/scripts/install-n8n.mjs installs it there, LEARNHOOK_N8N_DIR
 * overrides it): ~/.cache/learnhook/n8n-<version>/node_modules/.bin/n8n.
 */
export const N8N_BIN = path.join(n8nDir, 'node_modules', '.bin', 'n8n');

export const N8N_MISSING = 'skipped: n8n not installed (see the n8n-node issue)';

/** The n8n binary, or null when none is cached. */
export function cachedN8n(): string | null {
  return existsSync(N8N_BIN) && existsSync(path.join(n8nDir, '.learnhook-installed')) ? N8N_BIN : null;
}
