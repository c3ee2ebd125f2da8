import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SAMPLES } from '../../catalog/index.ts';
import type { IngestInput } from '../../store/store.ts';
import {
  type ConsoleBrowser,
  eventually,
  ingestInput,
  receiverForTest,
  signedInOwner,
  signedInViewer,
  startTestHub,
  type TestHub,
} from '../../testing/index.ts';

const HOSTILE = '<script>alert(1)</script>\nevent: event\ndata: <img src=x onerror=alert(2)>';

/** An event whose every LMS-written field is hostile, stored as the ingest path stores one. */
function hostileInput(key: string): IngestInput {
  const sample = SAMPLES['enrollment.completed'];
  const event = { ...sample, id: `evt_${key}`, learner: { ...sample.learner, name: HOSTILE }, course: { ...sample.course, title: '</pre><b>bold</b>' } };
  return {
    connection_id: 'con_1',
    request: {
      method: 'POST',
      route: 'webhook',
      headers: { 'content-type': 'application/json', 'x-evil': '"><svg onload=alert(3)>' },
      body: Buffer.from(JSON.stringify({ note: '</pre><script>alert(4)</script>' })),
      received_at: Date.now(),
    },
    events: [{ id: `evt_${key}`, type: 'enrollment.completed', dedupe_key: key, event, needs: {} }],
  };
}

describe('the console event pages', () => {
  let hub: TestHub;
  let owner: ConsoleBrowser;
  beforeEach(async () => {
    hub = await startTestHub();
    owner = await signedInOwner(hub);
  });
  afterEach(() => hub.close());

  it('list events newest first, fifty to a page, with a link to the older ones and filters by type', async () => {
    await hub.hub.store.ingest(ingestInput(...Array.from({ length: 55 }, (_, index) => `e${String(index).padStart(2, '0')}`)));
    const first = await owner.request('GET', '/events');
    const ids = [...first.text.matchAll(/<code class="hint">(evt_\w+)<\/code>/g)].map((match) => match[1]);
    expect(ids).toHaveLength(50);
    expect(ids[0]).toBe('evt_e54');
    const older = /href="(\/events\?cursor=[^"]+)"/.exec(first.text)?.[1] ?? '';
    const second = await owner.request('GET', older.replace(/&amp;/g, '&'));
    expect([...second.text.matchAll(/<code class="hint">(evt_\w+)<\/code>/g)].map((match) => match[1])).toEqual([
      'evt_e04',
      'evt_e03',
      'evt_e02',
      'evt_e01',
      'evt_e00',
    ]);
    expect(second.text).not.toContain('sse-connect');
    expect((await owner.request('GET', '/events?from=2999-01-01')).text).toContain('No event matches these filters.');
    expect((await owner.request('GET', '/events?hydration=sideways')).text).toContain('The filter hydration was not used');
    const none = await owner.request('GET', '/events?type=user.created');
    expect(none.text).toContain('No event matches these filters.');
    expect((await owner.request('GET', '/events?id=evt_e07')).location).toBe('/events/evt_e07');
  });

  it('escape everything an LMS wrote, in the list, the envelope, the raw request and its headers', async () => {
    await hub.hub.store.ingest(hostileInput('x'));
    for (const path of ['/events', '/events/evt_x']) {
      const page = await owner.request('GET', path);
      expect(page.status).toBe(200);
      expect(page.text).not.toMatch(/<script>alert|<img src=x|<svg onload|<b>bold/);
    }
    const detail = await owner.request('GET', '/events/evt_x');
    expect(detail.text).toContain('&lt;/pre&gt;&lt;script&gt;alert(4)&lt;/script&gt;');
    expect(detail.text).toContain('&quot;&gt;&lt;svg onload=alert(3)&gt;');
  });

  it('stream new events to a live tail as escaped rows, one SSE message each, whatever newlines the LMS wrote', async () => {
    const stream = await fetch(`${hub.url}/events/stream`, { headers: { cookie: owner.cookie() } });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reader = stream.body?.getReader();
    await hub.hub.store.ingest(hostileInput('live'));
    let text = '';
    const decoder = new TextDecoder();
    while (!text.includes('evt_live') && reader) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += decoder.decode(chunk.value);
    }
    await reader?.cancel();
    const messages = text.split('\n\n').filter((message) => message.includes('evt_live'));
    expect(messages).toHaveLength(1);
    const lines = messages[0]?.split('\n') ?? [];
    expect(lines[0]).toBe('event: event');
    expect(lines.slice(1).every((line) => line.startsWith('data: '))).toBe(true);
    expect(messages[0]).not.toMatch(/<script>alert|<img src=x/);
  });

  it('send a processed event again to its subscription and show the new delivery', async () => {
    const receiver = await receiverForTest();
    const hook = await hub.api<{ id: string }>('POST', '/v1/hooks', { url: receiver.url, events: ['*'] });
    await hub.hub.store.ingest(ingestInput('r'));
    hub.hub.fanOut.wake();
    await receiver.waitFor(1);
    await eventually(async () => (await hub.hub.store.getEvent('evt_r'))?.state === 'processed', 10_000, 'the event processed');
    const page = await owner.request('GET', '/events/evt_r');
    expect(page.text).toContain('Every subscription that wants it now (1)');
    const replayed = await owner.submit('/events/evt_r', '/events/evt_r/replay', { hook_id: hook.body.id });
    expect(replayed.text).toContain('Sent again to 1 subscription');
    await receiver.waitFor(2);
    expect((await hub.hub.store.listDeliveries({ limit: 10, event_id: 'evt_r' })).data.map((delivery) => delivery.reason).sort()).toEqual(['event', 'replay']);
  });

  it('show a viewer the events but refuse them a replay', async () => {
    await hub.hub.store.ingest(ingestInput('v'));
    const viewer = await signedInViewer(hub, owner);
    expect((await viewer.request('GET', '/events/evt_v')).text).not.toContain('/replay');
    expect((await viewer.submit('/events/evt_v', '/events/evt_v/replay', {})).status).toBe(403);
  });

  it('stop with a live tail open: closing the hub ends the stream', async () => {
    const other = await startTestHub();
    const stream = await fetch(`${other.url}/events/stream`, { headers: { cookie: (await signedInOwner(other)).cookie() } });
    const reader = stream.body?.getReader();
    const ended = (async () => {
      while (reader && !(await reader.read()).done);
      return true;
    })();
    await other.close();
    expect(await ended).toBe(true);
  });
});
