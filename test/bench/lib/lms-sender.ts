import { type SandboxData, wireRequest } from '@learnhook/core';
import { httpClient } from './load.ts';
import type { HubChild, SandboxInfo } from './processes.ts';
import type { Receiver } from './receiver.ts';

/**
 * Sends sandbox-LMS events the way the sandbox LMS does (core's wireRequest: the vendor's own
 * wire format, lean Absorb bodies that need hydration), straight to the hub's ingest URL, and
 * remembers when each left, by the vendor's event id that the delivered event carries back
 * (source.event_id), so a delivery's latency is its arrival time minus its send time.
 */
export const EVENT = 'Certificate Awarded';

export function lmsSender(target: SandboxInfo['targets'][string], data: SandboxData, vendor: 'absorb' = 'absorb') {
  const client = httpClient(128);
  const sentAt = new Map<string, number>();
  /** How long each ingest request took to be acknowledged (202), ms, in send order. */
  const ackMs: number[] = [];
  let sequence = 0;
  let rejected = 0;
  return {
    sentAt,
    ackMs,
    get rejected() {
      return rejected;
    },
    /** Sends one event about `user` and `course` (indexes into the sandbox data). */
    async send(userIndex: number, courseIndex: number): Promise<void> {
      const user = data.users[userIndex % data.users.length];
      const course = data.courses[courseIndex % data.courses.length];
      if (!user || !course) throw new Error('the sandbox data has no users or courses');
      sequence += 1;
      const wire = wireRequest(vendor, EVENT, { user, course, enrollment: null, data, sequence: 1_000_000 + sequence, at: new Date() }, target.inbound);
      const id = (JSON.parse(wire.body) as { correlationId?: string }).correlationId;
      const started = performance.now();
      if (id) sentAt.set(id, started);
      const answer = await client.post(target.ingestUrl + wire.path, wire.headers, wire.body);
      ackMs.push(performance.now() - started);
      if (answer.status !== 202) {
        rejected++;
        throw new Error(`ingest answered ${answer.status}: ${answer.text.slice(0, 200)}`);
      }
    },
    close: () => client.close(),
  };
}

/** Subscribes the receiver to `events` on the hub and lets it check signatures with the hook's secret. */
export async function subscribe(hub: HubChild, receiver: Receiver, events: string[], pathName = '/deliveries'): Promise<string> {
  const created = await hub.api<{ id: string; secret: string }>('POST', '/v1/hooks', { url: receiver.url + pathName, events });
  if (created.status !== 201) throw new Error(`subscribing answered ${created.status}: ${JSON.stringify(created.body)}`);
  receiver.addSecret(created.body.secret);
  return created.body.id;
}
