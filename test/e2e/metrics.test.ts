import type { ConnectionAnswer } from '@learnhook/core';
import { completionRequest, fetchAnswer, sendToIngest, startTestHub, type TestHub } from '@learnhook/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** /metrics on a real hub: what an operator's Prometheus scrapes. */

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

describe('/metrics', () => {
  it('serves Prometheus text that counts ingest requests by vendor and status', async () => {
    const connection = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'metrics-absorb', vendor: 'absorb' });
    const before = await fetchAnswer(`${hub.url}/metrics`);
    const line = /^learnhook_ingest_requests_total\{vendor="absorb",status="202"\} (\d+)$/m;
    const count = (text: unknown) => Number(line.exec(String(text))?.[1] ?? 0);
    const request = completionRequest('absorb', connection.body.inbound, 701);
    expect((await sendToIngest(connection.body.ingest_url, request)).status).toBe(202);
    const after = await fetchAnswer(`${hub.url}/metrics`);
    expect(after.status).toBe(200);
    expect(after.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(String(after.body)).toContain('# TYPE learnhook_ingest_requests_total counter');
    expect(count(after.body)).toBe(count(before.body) + 1);
  });

  it('names the process and Node metrics once: learnhook_process_*, learnhook_nodejs_*, never process_process', async () => {
    const text = String((await fetchAnswer(`${hub.url}/metrics`)).body);
    expect(text).toMatch(/^learnhook_process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^learnhook_nodejs_heap_size_total_bytes \d/m);
    expect(text).not.toContain('process_process');
  });
});
