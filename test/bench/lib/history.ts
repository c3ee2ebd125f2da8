import { type CatalogEvent, type EventType, SAMPLES } from '@learnhook/core';
import { openSqliteStore } from '@learnhook/core/testing';
import { fmt } from './stats.ts';

/**
 * A long history written straight into an embedded store file through the store's own ingest
 * (one request of `BATCH` events per call, one transaction each), before a hub opens the file:
 * rows 10 and 12 measure reads over a million stored events without ingesting them over HTTP.
 */
export const BATCH = 1_000;

export interface HistoryEvent {
  type: EventType;
  event: CatalogEvent;
}

export interface FillOptions {
  total: number;
  log(line: string): void;
  /** The connection a batch (its first event's index) came in on; default con_bench. */
  connectionOf?(first: number): string;
  /** When a batch was received (epoch ms); default now. */
  receivedAt?(first: number): number;
  /** The event at `index`, its id given; default row 10's enrollment.completed sample. */
  eventAt?(index: number, id: string): HistoryEvent;
}

const sampleCompletion = (_index: number, id: string): HistoryEvent => ({
  type: 'enrollment.completed',
  event: { ...SAMPLES['enrollment.completed'], id },
});

/** Writes `total` events (ids evt_0, evt_1, ...) into the store at `file`; answers the seconds it took. */
export async function fillEvents(file: string, options: FillOptions): Promise<number> {
  const { total, log, connectionOf = () => 'con_bench', receivedAt = () => Date.now(), eventAt = sampleCompletion } = options;
  const store = openSqliteStore({ file });
  const started = performance.now();
  try {
    for (let first = 0; first < total; first += BATCH) {
      await store.ingest({
        connection_id: connectionOf(first),
        request: { method: 'POST', route: 'webhook', headers: {}, body: Buffer.from('{}'), received_at: receivedAt(first) },
        events: Array.from({ length: Math.min(BATCH, total - first) }, (_, offset) => {
          const id = `evt_${first + offset}`;
          return { id, ...eventAt(first + offset, id), dedupe_key: id, needs: {} };
        }),
      });
      if ((first + BATCH) % 200_000 === 0) log(`  stored ${fmt(first + BATCH)} events ...`);
    }
  } finally {
    await store.close();
  }
  return (performance.now() - started) / 1000;
}
