import { rmSync } from 'node:fs';
import { SAMPLES } from '@learnhook/core';
import { startTestHub, type TestHub } from '@learnhook/core/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOwner, describeInBrowser } from '../lib/browser.ts';

const OWNER = { email: 'owner@example.com', password: 'a long owner password' };

/** Markup that runs script four ways if any template forgets to escape it. */
const PAYLOAD = `"'><script>window.__ran = 'script'</script><img src=x onerror="window.__ran='img'"><svg onload="window.__ran='svg'"></svg></pre></code></textarea>`;

/** Every string in a value replaced by the payload (ids kept unique), as an LMS that wanted to attack the console would send it. */
function hostile(value: unknown, path = ''): unknown {
  if (typeof value === 'string') return `${PAYLOAD}${path}`;
  if (Array.isArray(value)) return value.map((item, index) => hostile(item, `${path}.${index}`));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, hostile(inner, `${path}.${key}`)]));
  return value;
}

describeInBrowser('an LMS that sends markup in every field, shown in a real browser', (browser) => {
  let hub: TestHub;
  let page: Page;
  const ran: string[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    const connection = await hub.api<{ id: string }>('POST', '/v1/connections', { name: 'hostile', vendor: 'standard', description: PAYLOAD });
    const hook = await hub.api<{ id: string }>('POST', '/v1/hooks', { url: 'http://127.0.0.1:9/never', events: ['*'], description: PAYLOAD });
    expect(hook.status).toBe(201);
    const sample = SAMPLES['enrollment.completed'];
    const event = {
      ...(hostile(sample) as typeof sample),
      id: 'evt_hostile',
      type: 'enrollment.completed' as const,
      occurred_at: sample.occurred_at,
      received_at: new Date().toISOString(),
    };
    await hub.hub.store.ingest({
      connection_id: connection.body.id,
      request: {
        method: 'POST',
        route: 'webhook',
        headers: { 'content-type': 'application/json', 'x-lms': PAYLOAD },
        body: Buffer.from(JSON.stringify(hostile({ note: 'n', user: { name: 'x' } }))),
        received_at: Date.now(),
      },
      events: [{ id: 'evt_hostile', type: 'enrollment.completed', dedupe_key: 'hostile', event, needs: {} }],
    });
    page = await browser().newPage();
    page.on('dialog', (dialog) => {
      ran.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await createOwner(page, hub.hub.setupLink ?? '', OWNER);
  });
  afterAll(async () => {
    await hub?.close();
    if (hub) rmSync(hub.dataDir, { recursive: true, force: true });
  });

  it('runs none of it on any page that shows it, and shows it as text', async () => {
    const connectionId = (await hub.hub.store.getConnection('hostile'))?.id ?? '';
    const hookId = (await hub.hub.store.listHooks({ limit: 1 })).data[0]?.id ?? '';
    const pages = [
      '/',
      '/connections',
      `/connections/${connectionId}`,
      `/connections/${connectionId}/edit`,
      '/events',
      '/events/evt_hostile',
      '/subscriptions',
      `/subscriptions/${hookId}`,
    ];
    for (const path of pages) {
      const response = await page.goto(`${hub.url}${path}`);
      expect(response?.status(), path).toBe(200);
      // Give an onerror or onload handler the time to fire, had one been parsed.
      await page.waitForTimeout(150);
      const marker = await page.evaluate(() => (window as unknown as { __ran?: string }).__ran ?? null);
      if (marker) ran.push(`${path}: ${marker}`);
      expect(await page.locator('main script, main img[src="x"], main svg[onload]').count(), path).toBe(0);
      await browser().screenshot(page, `hostile-${path.replace(/\W+/g, '-').replace(/^-|-$/g, '') || 'home'}`);
    }
    await page.goto(`${hub.url}/events/evt_hostile`);
    expect(await page.getByText('window.__ran', { exact: false }).first().isVisible()).toBe(true);
    expect(ran).toEqual([]);
  });
});
