import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import type { ConnectionRecord } from '../store/store.ts';
import type { ConnectionRegistry, OpenConnection } from '../vendors/connection-registry.ts';
import { createConnectionWarmUps } from './connection-warm-ups.ts';

const logger = createLogger({ level: 'silent' });

function connection(id: string, api: boolean): OpenConnection {
  const record: ConnectionRecord = {
    id,
    name: id,
    vendor: 'absorb',
    description: null,
    token_enc: '',
    inbound_enc: '',
    api_enc: api ? 'sealed' : null,
    created_at: 1,
    updated_at: 1,
  };
  return { record, token: 't', inbound: {}, api: api ? { base_url: 'https://lms.example' } : null };
}

function setUp(known: OpenConnection[]) {
  const listeners = new Set<(nameOrId: string) => void>();
  const connections: ConnectionRegistry = {
    get: async (nameOrId) => known.find((c) => c.record.id === nameOrId || c.record.name === nameOrId) ?? null,
    changed: (nameOrId) => {
      for (const listener of listeners) listener(nameOrId);
    },
    onChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const warmed: string[] = [];
  let stopped = false;
  const hydrator = {
    warm: async (id: string) => {
      warmed.push(id);
    },
    stopWarming: () => {
      stopped = true;
    },
  };
  const store = { listConnections: async () => ({ data: known.map((c) => c.record), next_cursor: null }) };
  const warmUps = createConnectionWarmUps({ connections, store, hydrator, logger });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { connections, warmUps, warmed, stopped: () => stopped, settle };
}

describe('connection warm-ups', () => {
  it('warm a connection as soon as it is created or changed, when it has LMS API settings', async () => {
    const { connections, warmed, settle } = setUp([connection('con_api', true), connection('con_plain', false)]);
    connections.changed('con_api');
    connections.changed('con_plain');
    connections.changed('con_deleted');
    await settle();
    expect(warmed).toEqual(['con_api']);
  });

  it('warm every connection with LMS API settings at start', async () => {
    const { warmUps, warmed, settle } = setUp([connection('con_a', true), connection('con_b', false), connection('con_c', true)]);
    warmUps.warmAll();
    await settle();
    expect(warmed).toEqual(['con_a', 'con_c']);
  });

  it('stop listening and stop the warm-ups under way when stopped', async () => {
    const { connections, warmUps, warmed, stopped, settle } = setUp([connection('con_api', true)]);
    warmUps.stop();
    connections.changed('con_api');
    await settle();
    expect(warmed).toEqual([]);
    expect(stopped()).toBe(true);
  });
});
