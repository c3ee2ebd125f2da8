import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { almBatchRequest, completionRequest, listen } from '@learnhook/core/testing';
import { startHubProcess, type HubProcess } from '../helpers/hub-process.ts';
import { ADMIN_KEY, eventually } from '../helpers/hub.ts';

/**
 * DESIGN §4: "An answered request is never lost, even if the process is killed the next instant."
 * The hub runs as its own process and is killed with SIGKILL (no handler, no flush, no close);
 * a second process on the same data folder must deliver every event the first one acknowledged.
 */

const HUB_ENV = { LEARNHOOK_API_KEY: ADMIN_KEY, LEARNHOOK_ALLOW_PRIVATE_TARGETS: 'true', LEARNHOOK_RATE_LIMIT: '10000' };

const hubs: HubProcess[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.stop('SIGKILL')));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startHub(dataDir: string): Promise<HubProcess> {
  const hub = await startHubProcess(HUB_ENV, { dataDir });
  hubs.push(hub);
  return hub;
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-crash-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function api<T>(hub: HubProcess, method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(hub.url + apiPath, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** A connection and a hook sending its events to `receiverUrl`. */
async function subscribe(hub: HubProcess, name: string, receiverUrl: string): Promise<{ ingestUrl: string; inbound: Record<string, unknown> }> {
  const connection = await api<{ ingest_url: string; inbound: Record<string, unknown> }>(hub, 'POST', '/v1/connections', { name, vendor: 'adobe-alm' });
  expect(connection.status).toBe(201);
  const hook = await api<{ id: string }>(hub, 'POST', '/v1/hooks', { url: `${receiverUrl}/${name}`, events: ['*'], filter: { connection: name } });
  expect(hook.status).toBe(201);
  // The ingest URL names the host that answered; the restarted hub listens on another port.
  return { ingestUrl: new URL(connection.body.ingest_url).pathname, inbound: connection.body.inbound };
}

/**
 * A subscriber that counts an event as delivered only once its 200 went out on a live socket: a
 * request that reached it while the hub was being killed, and so was never answered, does not
 * count, and must be sent again. While `up` is false it holds every request unanswered.
 */
async function startRecorder(delayMs: number) {
  const delivered = new Map<string, number>();
  const vendorIds = new Set<string>();
  const state = { up: true, requests: 0 };
  const server = await listen((req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      state.requests += 1;
      if (!state.up) return;
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string; source: { event_id: string | null } };
      const timer = setTimeout(() => {
        if (res.destroyed) return;
        res.once('finish', () => {
          delivered.set(event.id, (delivered.get(event.id) ?? 0) + 1);
          if (event.source.event_id) vendorIds.add(event.source.event_id);
        });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      }, delayMs);
      res.once('close', () => clearTimeout(timer));
    });
  });
  cleanups.push(() => server.close());
  return { url: server.url, delivered, vendorIds, state };
}

interface Acknowledged {
  /** The vendor's event id (ALM's eventId) the request carried. */
  vendorId: string;
  /** The hub's event ids from the 2xx answer; null if the answer's body was cut off by the kill. */
  eventIds: string[] | null;
}

/**
 * Sends `total` ALM requests, one distinct event each, `concurrency` at a time; `onAcknowledged`
 * hears the running count of 2xx answers. A request that fails (the hub is gone) is not
 * acknowledged, and neither is any other status.
 */
async function burst(options: { url: string; inbound: Record<string, unknown>; total: number; concurrency: number; onAcknowledged?: (count: number) => void }) {
  const acknowledged: Acknowledged[] = [];
  const otherStatuses: number[] = [];
  let failed = 0;
  let next = 0;
  async function worker(): Promise<void> {
    for (let n = next++; n < options.total; n = next++) {
      const request = completionRequest('adobe-alm', options.inbound, n);
      try {
        const response = await fetch(options.url + request.path, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
        if (!response.ok) {
          otherStatuses.push(response.status);
          continue;
        }
        const body = (await response.json().catch(() => null)) as { event_ids?: string[] } | null;
        acknowledged.push({ vendorId: `alm-${n}`, eventIds: body?.event_ids ?? null });
        options.onAcknowledged?.(acknowledged.length);
      } catch {
        failed += 1;
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { acknowledged, otherStatuses, failed };
}

function undelivered(acknowledged: Acknowledged[], recorder: Awaited<ReturnType<typeof startRecorder>>): Acknowledged[] {
  return acknowledged.filter(({ vendorId, eventIds }) => (eventIds ? eventIds.some((id) => !recorder.delivered.has(id)) : !recorder.vendorIds.has(vendorId)));
}

function summary(recorder: Awaited<ReturnType<typeof startRecorder>>) {
  const counts = [...recorder.delivered.values()];
  return { distinct: counts.length, deliveries: counts.reduce((sum, count) => sum + count, 0), duplicated: counts.filter((count) => count > 1).length };
}

/** Counts rows in a copy of the store as the kill left it (db + WAL), without touching the original. */
function storeAtKill(dataDir: string): { events: Record<string, number>; deliveries: Record<string, number> } {
  const copy = tempDir();
  for (const suffix of ['', '-wal']) {
    const file = path.join(dataDir, `learnhook.db${suffix}`);
    if (existsSync(file)) copyFileSync(file, path.join(copy, `learnhook.db${suffix}`));
  }
  const db = new DatabaseSync(path.join(copy, 'learnhook.db'));
  try {
    const countBy = (sql: string) => Object.fromEntries(db.prepare(sql).all().map((row) => [String(row.key), Number(row.count)]));
    return {
      events: countBy('SELECT state AS key, COUNT(*) AS count FROM events GROUP BY state'),
      deliveries: countBy('SELECT status AS key, COUNT(*) AS count FROM deliveries GROUP BY status'),
    };
  } finally {
    db.close();
  }
}

describe('an acknowledged event is never lost', () => {
  it('delivers every event acknowledged before a SIGKILL that lands mid-burst, once the hub restarts on the same store', async () => {
    const dataDir = tempDir();
    const recorder = await startRecorder(50);
    const first = await startHub(dataDir);
    const { ingestUrl, inbound } = await subscribe(first, 'crash-burst', recorder.url);

    const total = 400;
    const killAfter = 150;
    let killed: Promise<number | null> | undefined;
    let deliveredAtKill = 0;
    const result = await burst({
      url: first.url + ingestUrl,
      inbound,
      total,
      concurrency: 32,
      onAcknowledged: (count) => {
        if (count !== killAfter) return;
        deliveredAtKill = recorder.delivered.size;
        killed = first.stop('SIGKILL');
      },
    });
    expect(killed, 'the burst reached the kill point').toBeDefined();
    expect(await killed).toBeNull();
    const { acknowledged, failed, otherStatuses } = result;
    const pendingAtKill = undelivered(acknowledged, recorder).length;

    // The kill landed mid-burst: some requests were acknowledged, the rest failed on a dead socket.
    expect(otherStatuses).toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(killAfter);
    expect(failed).toBeGreaterThan(0);
    expect(acknowledged.length + failed).toBe(total);

    await startHub(dataDir);
    await eventually(async () => undelivered(acknowledged, recorder).length === 0, 20_000, 'every acknowledged event to be delivered after the restart').catch(
      (error: unknown) => {
        throw new Error(`${String(error)}; still missing: ${undelivered(acknowledged, recorder).map(({ vendorId }) => vendorId).join(', ')}`);
      },
    );

    const delivered = summary(recorder);
    console.info(
      `crash mid-burst: ${acknowledged.length}/${total} requests acknowledged (${acknowledged.filter((ack) => !ack.eventIds).length} with the answer cut off), ` +
        `${failed} failed; at the kill ${deliveredAtKill} delivered and ${pendingAtKill} acknowledged events not yet; ` +
        `after the restart ${delivered.distinct} distinct events delivered in ${delivered.deliveries} deliveries (${delivered.duplicated} delivered more than once)`,
    );
    expect(undelivered(acknowledged, recorder)).toEqual([]);
    // Every delivered event came from a request this test sent: nothing is invented on recovery.
    expect([...recorder.vendorIds].every((id) => /^alm-\d+$/.test(id) && Number(id.slice(4)) < total)).toBe(true);
  });

  it('delivers events acknowledged just before a SIGKILL, while nothing had reached the subscriber, once the hub restarts', async () => {
    const dataDir = tempDir();
    const recorder = await startRecorder(0);
    recorder.state.up = false;
    const first = await startHub(dataDir);
    const { ingestUrl, inbound } = await subscribe(first, 'crash-pending', recorder.url);

    const singles = await burst({ url: first.url + ingestUrl, inbound, total: 40, concurrency: 8 });
    expect({ acknowledged: singles.acknowledged.length, failed: singles.failed, otherStatuses: singles.otherStatuses }).toEqual({ acknowledged: 40, failed: 0, otherStatuses: [] });
    // Last, one ALM batch of 300 events: fanning it out takes the hub a moment, and the kill
    // lands the instant its answer is in, so some of it is still waiting to be fanned out.
    const batch = almBatchRequest(inbound, 1000, 300);
    const answer = await fetch(first.url + ingestUrl + batch.path, { method: 'POST', headers: batch.headers, body: batch.body });
    expect(await first.stop('SIGKILL')).toBeNull();
    expect(answer.status).toBe(202);
    const batchIds = ((await answer.json()) as { event_ids: string[] }).event_ids;
    expect(batchIds).toHaveLength(300);
    const acknowledged = [...singles.acknowledged, { vendorId: 'alm-1000', eventIds: batchIds }];
    const total = 40 + 300;
    expect(recorder.delivered.size).toBe(0);

    // The store as the kill left it holds every acknowledged event, none of them delivered.
    const atKill = storeAtKill(dataDir);
    expect((atKill.events.received ?? 0) + (atKill.events.processed ?? 0)).toBe(total);
    expect(atKill.deliveries.succeeded ?? 0).toBe(0);

    recorder.state.up = true;
    await startHub(dataDir);
    await eventually(async () => undelivered(acknowledged, recorder).length === 0, 20_000, 'every acknowledged event to be delivered after the restart');

    const delivered = summary(recorder);
    console.info(
      `kill right after ${total} events were acknowledged: the store held ${atKill.events.received ?? 0} events not yet fanned out, ` +
        `${atKill.deliveries.pending ?? 0} deliveries pending and ${atKill.deliveries.in_flight ?? 0} in flight (${recorder.state.requests - delivered.deliveries} requests held unanswered); ` +
        `after the restart ${delivered.distinct} distinct events delivered in ${delivered.deliveries} deliveries (${delivered.duplicated} more than once)`,
    );
    expect(delivered.distinct).toBe(total);
  });
});
