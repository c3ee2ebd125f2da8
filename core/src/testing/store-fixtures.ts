import { SAMPLES } from '../catalog/index.ts';
import type { HookRecord, IngestInput } from '../store/store.ts';

/** A stored hook for every event type, active, with `overrides` laid over it. */
export function hookRecord(id: string, overrides: Partial<HookRecord> = {}): HookRecord {
  return {
    id,
    url: 'http://127.0.0.1:9/hook',
    events: ['*'],
    filter: {},
    description: null,
    secret_enc: 'enc',
    previous_secret_enc: null,
    previous_secret_until: null,
    status: 'active',
    status_reason: null,
    failing_since: null,
    created_by: null,
    created_at: 1,
    updated_at: 1,
    ...overrides,
  };
}

/** One ingested request on connection con_1 carrying an enrollment.completed event `evt_<key>` per key, deduped on the key. */
export function ingestInput(...keys: string[]): IngestInput {
  return {
    connection_id: 'con_1',
    request: { method: 'POST', route: 'webhook', headers: { 'content-type': 'application/json' }, body: Buffer.from('{}'), received_at: 1 },
    events: keys.map((key) => ({
      id: `evt_${key}`,
      type: 'enrollment.completed',
      dedupe_key: key,
      event: { ...SAMPLES['enrollment.completed'], id: `evt_${key}` },
      needs: {},
    })),
  };
}
