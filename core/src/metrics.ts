import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** What /metrics exposes (Prometheus): one registry per hub, so tests can run several hubs. */
export function createMetrics() {
  const registry = new Registry();
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
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
