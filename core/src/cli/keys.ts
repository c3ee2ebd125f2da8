import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { CliError } from '../errors.ts';
import { API_SCOPES, createApiKey, INTEGRATION_SCOPES, type KeyContext, revokeApiKey } from '../operations/api-keys.ts';
import { openStore } from '../store/open-store.ts';
import type { ApiScope } from '../store/store.ts';

export const KEYS_USAGE = `Usage: learnhook keys <create|list|revoke> [options]

  learnhook keys create [--scope admin|hooks|events ...] [--label NAME]
      Creates an API key and prints it once. Without --scope the key gets hooks and events,
      what the Zapier app and the n8n node need. Repeat --scope or separate with commas.
  learnhook keys list
      Lists keys (never their secrets): id, label, scopes, created, last used, revoked.
  learnhook keys revoke <key-id>
      Revokes a key at once: its next request is refused.

Works on the store the hub uses (DATABASE_URL, else LEARNHOOK_DATA, default ./.learnhook/learnhook.db),
also while the hub runs.
`;

function scopesFrom(values: string[]): ApiScope[] {
  if (values.length === 0) return [...INTEGRATION_SCOPES];
  const scopes = values.flatMap((value) => value.split(',')).map((value) => value.trim());
  const unknown = scopes.filter((scope) => !(API_SCOPES as readonly string[]).includes(scope));
  if (unknown.length) throw new CliError(`Unknown scope ${unknown.join(', ')}; use ${API_SCOPES.join(', ')}.`);
  return [...new Set(scopes as ApiScope[])];
}

const date = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 19).replace('T', ' '));

/** `learnhook keys ...`: answers the exit code; writes what a person reads to `out`. */
export async function runKeys(args: string[], config: Config, out: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { scope: { type: 'string', multiple: true }, label: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [action, target] = positionals;
  if (values.help || !action) {
    out(KEYS_USAGE);
    return values.help ? 0 : 2;
  }
  // A key written to a store no hub reads is refused with 401 later: say where it went, and warn when that store is new.
  const where = config.DATABASE_URL ? `PostgreSQL (schema ${config.LEARNHOOK_PG_SCHEMA})` : `the embedded store ${path.resolve(config.LEARNHOOK_DATA)}`;
  const newStore = !config.DATABASE_URL && !existsSync(config.LEARNHOOK_DATA);
  const store = await openStore(config, { owner: false });
  try {
    const ctx: KeyContext = {
      store,
      now: Date.now,
      audit: (actor, action, target, details = {}) => store.appendAudit({ at: Date.now(), actor, action, target, details }),
    };
    switch (action) {
      case 'create': {
        const { key, record } = await createApiKey(ctx, 'cli', { label: values.label ?? 'cli', scopes: scopesFrom(values.scope ?? []) });
        out(`${key}\n`);
        out(`\nKey ${record.id} (${record.scopes.join(', ')}) created. This is the only time it is shown: store it now.\n`);
        out(`Stored in ${where}.\n`);
        if (newStore) {
          out(
            'Warning: that store did not exist until now, so no hub uses it yet and the hub you run will answer 401 to this key. Run this command where the hub runs, or with its LEARNHOOK_DATA (or DATABASE_URL).\n',
          );
        }
        return 0;
      }
      case 'list': {
        const keys = await store.listApiKeys();
        if (keys.length === 0) out('No API keys yet: learnhook keys create\n');
        for (const key of keys) {
          out(
            `${key.id}  ${key.label.padEnd(20)} ${key.scopes.join(',').padEnd(18)} created ${date(key.created_at)}  used ${date(key.last_used_at)}${key.revoked_at ? `  REVOKED ${date(key.revoked_at)}` : ''}\n`,
          );
        }
        return 0;
      }
      case 'revoke': {
        if (!target) throw new CliError('Name the key to revoke: learnhook keys revoke <key-id> (see learnhook keys list).');
        if (!(await revokeApiKey(ctx, 'cli', target))) throw new CliError(`No active key ${target}; see learnhook keys list.`);
        out(`Key ${target} revoked; its next request is refused.\n`);
        return 0;
      }
      default:
        out(`learnhook keys: unknown action "${action}".\n\n${KEYS_USAGE}`);
        return 2;
    }
  } finally {
    await store.close();
  }
}
