import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestHub, startIngestHub } from '../lib/ingest-hub.ts';

let ingest: IngestHub;
beforeAll(async () => {
  ingest = await startIngestHub();
});
afterAll(() => ingest.close());

describe("Learn365's URL check", () => {
  it('echoes ?echo= as text/plain, and answers 404 to the same check with a wrong token', async () => {
    const check = await fetch(`${ingest.connections.learn365.ingest_url}?echo=abc`);
    expect(check.status).toBe(200);
    expect(check.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await check.text()).toBe('abc');

    const url = new URL(ingest.connections.learn365.ingest_url);
    const wrong = await fetch(`${url.origin}/ingest/bad-learn365/${'A'.repeat(43)}?echo=abc`);
    expect(wrong.status).toBe(404);
    expect(await wrong.text()).not.toContain('abc');
  });
});
