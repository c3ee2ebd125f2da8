import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../store/secret-box.ts';
import type { ConnectionRecord } from '../store/store.ts';
import { createConnectionRegistry } from './connection-registry.ts';
import { VENDOR_REGISTRY } from './registry.ts';

const box = createSecretBox(randomBytes(32));
const INBOUND = { secret: `whsec_${randomBytes(24).toString('base64')}` };

function record(updatedAt: number): ConnectionRecord {
  return {
    id: 'con_1',
    name: 'acme',
    vendor: 'standard',
    description: null,
    token_enc: box.seal('token-1'),
    inbound_enc: box.seal(JSON.stringify(INBOUND)),
    api_enc: box.seal('{"base_url":"https://lms.example"}'),
    created_at: 1,
    updated_at: updatedAt,
  };
}

function registryOver(stored: { current: ConnectionRecord | null }) {
  let reads = 0;
  const registry = createConnectionRegistry({
    store: {
      getConnection: async () => {
        reads += 1;
        return stored.current;
      },
    },
    box,
    vendors: VENDOR_REGISTRY,
    now: () => 0,
  });
  return { registry, reads: () => reads };
}

describe('the connection registry', () => {
  it('opens a connection once and keeps it while it is unchanged', async () => {
    const { registry, reads } = registryOver({ current: record(1) });
    const opened = await registry.get('acme');
    expect(opened).toMatchObject({ token: 'token-1', inbound: INBOUND, api: { base_url: 'https://lms.example' } });
    await registry.get('acme');
    expect(reads()).toBe(1);
  });

  it('reads a changed connection from the store again, whether named by name or id', async () => {
    const stored = { current: record(1) };
    const { registry, reads } = registryOver(stored);
    await registry.get('acme');
    stored.current = record(2);
    registry.changed('con_1');
    expect((await registry.get('acme'))?.record.updated_at).toBe(2);
    expect(reads()).toBe(2);
  });

  it('tells every listener what changed until it unsubscribes', () => {
    const { registry } = registryOver({ current: null });
    const heard: string[] = [];
    const unsubscribe = registry.onChanged((nameOrId) => heard.push(nameOrId));
    registry.changed('acme');
    unsubscribe();
    registry.changed('con_1');
    expect(heard).toEqual(['acme']);
  });
});
