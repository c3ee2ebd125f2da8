import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsOptions {
  /** The embedded store's bytes on disk, read at each scrape; absent on PostgreSQL (watch the database's own size there). */
  storeFileBytes?: (() => number) | undefined;
}

/** What /metrics exposes (Prometheus): one registry per hub, so tests can run several hubs. */
export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry();
  const { storeFileBytes } = options;
  if (storeFileBytes) {
    new Gauge({
      name: 'learnhook_store_file_bytes',
      help: 'The embedded store file and its write-ahead log, in bytes: levels off once retention prunes as much as arrives.',
      registers: [registry],
      collect() {
        this.set(storeFileBytes());
      },
    });
  }
  // prom-client's own names already start process_ and nodejs_: learnhook_process_cpu_seconds_total, learnhook_nodejs_heap_size_total_bytes.
  collectDefaultMetrics({ register: registry, prefix: 'learnhook_' });
  return {
    registry,
    ingestRequests: new Counter({
      name: 'learnhook_ingest_requests_total',
      help: 'Ingest requests by vendor and HTTP status.',
      labelNames: ['vendor', 'status'] as const,
      registers: [registry],
    }),
    eventsStored: new Counter({
      name: 'learnhook_events_stored_total',
      help: 'Events stored (duplicates excluded) by catalog type.',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    duplicates: new Counter({ name: 'learnhook_events_duplicate_total', help: 'Events a vendor sent again; stored once.', registers: [registry] }),
    attempts: new Counter({
      name: 'learnhook_delivery_attempts_total',
      help: 'Delivery attempts by outcome (succeeded, retry, failed, gone).',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    attemptSeconds: new Histogram({
      name: 'learnhook_delivery_attempt_seconds',
      help: 'Time from sending a delivery to its answer.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    inFlight: new Gauge({ name: 'learnhook_deliveries_in_flight', help: 'Deliveries being sent right now.', registers: [registry] }),
    dispatched: new Counter({
      name: 'learnhook_deliveries_dispatched_total',
      help: 'Deliveries the dispatcher took, by how: handed over by fan-out as they were written (handoff) or read back from the store (claim).',
      labelNames: ['via'] as const,
      registers: [registry],
    }),
    retentionPruned: new Counter({
      name: 'learnhook_retention_pruned_total',
      help: 'Rows retention removed, by table (raw_requests, events, deliveries, attempts, audit, activity).',
      labelNames: ['table'] as const,
      registers: [registry],
    }),
    retentionOwed: new Gauge({
      name: 'learnhook_retention_owed_requests',
      help: 'Requests past their retention window kept at the last pass because an event of them is still owed (not fanned out, or a delivery pending).',
      registers: [registry],
    }),
    retentionLastPass: new Gauge({
      name: 'learnhook_retention_last_pass_timestamp_seconds',
      help: 'When the last retention pass ran (Unix time).',
      registers: [registry],
    }),
    retentionPassSeconds: new Gauge({ name: 'learnhook_retention_pass_seconds', help: 'How long the last retention pass took.', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
