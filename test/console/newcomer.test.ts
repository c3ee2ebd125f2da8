import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CatalogEvent, createLogger } from '@learnhook/core';
import { emulatedApi, eventually, openLmsData, startReceiver, startSandboxLms, startTestHub, type TestHub } from '@learnhook/core/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOwner, describeInBrowser, submit, title } from '../lib/browser.ts';

const OWNER = { email: 'manager@example.com', password: 'a long manager password' };
const COMPLETED = 'Enrollment Completed by Learner';

/**
 * The whole road of issue 15 for a person who never opens a terminal: the setup link, an Absorb
 * connection with its API credentials against the sandbox LMS, the LMS reaching the hub, a
 * subscriber, a live event delivered hydrated, a subscriber outage and "Retry all failed".
 */
describeInBrowser('a newcomer, from the setup link to a delivered event, in a real browser', (browser) => {
  let hub: TestHub;
  let lms: Awaited<ReturnType<typeof startSandboxLms>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let page: Page;
  let down = false;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'learnhook-newcomer-'));

  beforeAll(async () => {
    // A failed first attempt is final, so the outage leaves failed deliveries to retry by hand.
    hub = await startTestHub({ LEARNHOOK_HYDRATION_MAX_WAIT_MS: '5000' }, undefined, { retryDelaysMs: [] });
    const logger = createLogger({ level: 'silent' });
    lms = await startSandboxLms({ data: await openLmsData(path.join(dir, 'lms.json'), logger), port: 0, host: '127.0.0.1', logger });
    receiver = await startReceiver(() => (down ? { status: 503, body: 'receiver is down' } : { status: 200 }));
    page = await browser().newPage();
  });
  afterAll(async () => {
    await receiver?.close();
    await lms?.close();
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
    if (hub) rmSync(hub.dataDir, { recursive: true, force: true });
  });

  it('creates the owner from the setup link', async () => {
    expect(await createOwner(page, hub.hub.setupLink ?? '', OWNER)).toBe(200);
    expect(await title(page).textContent()).toBe('Home');
  });

  it('connects Absorb with its API credentials, and Test API access reaches the LMS', async () => {
    await page.getByRole('link', { name: 'Add a connection' }).click();
    await page.getByRole('link', { name: 'Connect Absorb LMS' }).click();
    await page.getByLabel('Connection name').fill('acme-absorb');
    const settings = emulatedApi('absorb').sandboxSettings(lms.apiBase('absorb') ?? '');
    await page.getByLabel(/^API Base URL/).fill(String(settings.base_url));
    await page.getByLabel(/^Private API Key/).fill(String(settings.private_key));
    await page.getByLabel(/^Admin Username/).fill(String(settings.username));
    await page.getByLabel(/^Admin Password/).fill(String(settings.password));
    expect(await submit(page, page.getByRole('button', { name: 'Save and show the setup steps' }))).toBe(201);
    await page.getByRole('button', { name: 'Test API access' }).click();
    await page.locator('#api-test .notice.ok').waitFor({ timeout: 10_000 });
    expect(await page.locator('#api-test').textContent()).toContain('it lists learners');
    await browser().screenshot(page, 'newcomer-01-absorb-connected');
  });

  it('turns green when the sandbox LMS sends its first webhook to the URL shown', async () => {
    const ingestUrl =
      (await page
        .locator('.paste', { has: page.getByText('Webhook URL', { exact: true }) })
        .locator('code')
        .textContent()) ?? '';
    lms.setTargets({ absorb: { ingestUrl, inbound: {} } });
    await lms.emit({ vendor: 'absorb', event: COMPLETED });
    await page.locator('#arrivals.ok').waitFor({ timeout: 10_000 });
    await browser().screenshot(page, 'newcomer-02-lms-reached');
  });

  it('subscribes a plain URL, then sees the next event arrive live and delivered filled in', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Subscriptions' }).click();
    await page.getByRole('link', { name: 'Subscribe a URL' }).click();
    await page.getByLabel('Target URL').fill(`${receiver.url}/crm`);
    await page.getByRole('checkbox', { name: /enrollment\.completed/ }).check();
    expect(await submit(page, page.getByRole('button', { name: 'Subscribe' }))).toBe(201);

    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Events' }).click();
    const before = await page.locator('#event-rows tr').count();
    await page.waitForTimeout(300);
    await lms.emit({ vendor: 'absorb', event: COMPLETED });
    await page.waitForFunction((count) => document.querySelectorAll('#event-rows tr').length > count, before, { timeout: 10_000 });
    await browser().screenshot(page, 'newcomer-03-live-tail');
    const [delivered] = await receiver.waitFor(1, 15_000);
    const event = JSON.parse(delivered?.body ?? '{}') as CatalogEvent;
    expect(event.type).toBe('enrollment.completed');
    expect(event.hydration.status).toBe('complete');
    expect(event.learner?.email).toMatch(/@/);
  });

  it('shows the failed delivery while the subscriber is down, and "Retry all failed" delivers it once it is back', async () => {
    down = true;
    await lms.emit({ vendor: 'absorb', event: COMPLETED });
    await receiver.waitFor(2, 15_000);
    const hook = (await hub.hub.store.listHooks({ limit: 1 })).data[0];
    await eventually(
      async () => (await hub.hub.store.listDeliveries({ limit: 10, hook_id: hook?.id, status: 'failed' })).data.length === 1,
      15_000,
      'a failed delivery',
    );
    await page.goto(`${hub.url}/subscriptions/${hook?.id}`);
    expect(await page.getByText('receiver is down').first().isVisible()).toBe(true);
    await browser().screenshot(page, 'newcomer-04-delivery-failed');

    down = false;
    await page.getByRole('link', { name: 'Retry all failed' }).click();
    expect(await page.locator('#retry-preview').textContent()).toContain('This sends 1 failed delivery again');
    expect(await submit(page, page.getByRole('button', { name: 'Send them again' }))).toBe(200);
    await receiver.waitFor(3, 15_000);
    await eventually(
      async () => (await hub.hub.store.listDeliveries({ limit: 10, hook_id: hook?.id, status: 'failed' })).data.length === 0,
      15_000,
      'no failed delivery',
    );
    await page.goto(`${hub.url}/`);
    expect(await page.getByRole('heading', { name: 'You are all set' }).isVisible()).toBe(true);
    await browser().screenshot(page, 'newcomer-05-all-set');
  });
});
