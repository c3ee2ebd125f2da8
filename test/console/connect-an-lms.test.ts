import { rmSync } from 'node:fs';
import { ADMIN_KEY, completionRequest, sendToIngest, startTestHub, type TestHub } from '@learnhook/core/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createOwner, describeInBrowser, submit, title } from '../lib/browser.ts';

const OWNER = { email: 'owner@example.com', password: 'a long owner password' };

/** The text of the copy box under `label` in the setup steps. */
const pasted = (page: Page, label: string) =>
  page
    .locator('.paste', { has: page.getByText(label, { exact: true }) })
    .locator('code')
    .textContent();

describeInBrowser('a training manager connects an LMS in a real browser', (browser) => {
  let hub: TestHub;
  let page: Page;
  const dialogs: string[] = [];
  let ingestUrl = '';
  let secret = '';

  beforeAll(async () => {
    hub = await startTestHub();
    page = await browser().newPage();
    // An LMS-written value that ran as script would open a dialog: none may.
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await createOwner(page, hub.hub.setupLink ?? '', OWNER);
  });
  afterAll(async () => {
    await hub?.close();
    if (hub) rmSync(hub.dataDir, { recursive: true, force: true });
  });

  it('goes from the checklist to the gallery and saves a Learn365 connection, seeing the setup steps and the secret once', async () => {
    await page.getByRole('link', { name: 'Add a connection' }).click();
    expect(await title(page).textContent()).toBe('Add a connection');
    await browser().screenshot(page, 'connect-01-gallery');
    await page.getByRole('link', { name: 'Connect Learn365 (Zensai)' }).click();
    await page.getByLabel('Connection name').fill('Acme Learn365');
    expect(await submit(page, page.getByRole('button', { name: 'Save and show the setup steps' }))).toBe(400);
    expect(await page.getByText('Use lower-case letters, digits and dashes').first().isVisible()).toBe(true);
    await browser().screenshot(page, 'connect-02-form-error');

    await page.getByLabel('Connection name').fill('acme-learn365');
    await page.getByLabel('Description (optional)').fill('<img src=x onerror=alert(1)>');
    expect(await submit(page, page.getByRole('button', { name: 'Save and show the setup steps' }))).toBe(201);
    expect(await title(page).textContent()).toBe('acme-learn365');
    ingestUrl = (await pasted(page, 'WebHookUri')) ?? '';
    secret = (await pasted(page, 'Secret')) ?? '';
    expect(ingestUrl).toContain('/ingest/acme-learn365/');
    expect(secret).toHaveLength(48);
    expect(await page.getByText('<img src=x onerror=alert(1)>', { exact: false }).isVisible()).toBe(true);
    expect(await page.getByRole('status').filter({ hasText: 'Waiting for your LMS' }).isVisible()).toBe(true);
    await browser().screenshot(page, 'connect-03-setup-steps');
  });

  it('turns the live check red with the reason, then green, as the LMS sends, without a reload', async () => {
    await sendToIngest(ingestUrl, completionRequest('learn365', { secret: 'w'.repeat(40) }));
    await page.getByText('A request arrived').waitFor({ timeout: 10_000 });
    expect(await page.getByText('the signature does not match').isVisible()).toBe(true);
    await browser().screenshot(page, 'connect-04-refused');
    expect((await sendToIngest(ingestUrl, completionRequest('learn365', { secret }))).status).toBe(202);
    await page.locator('#arrivals.ok').waitFor({ timeout: 10_000 });
    expect(await page.locator('#arrivals').getByText('Accepted: 1 new event').isVisible()).toBe(true);
    await browser().screenshot(page, 'connect-05-arrived');
  });

  it('shows the event in the log, adds the next one live, and opens it beside what the LMS sent', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Events' }).click();
    const rows = page.locator('#event-rows tr');
    expect(await rows.count()).toBe(1);
    await page.waitForTimeout(300);
    expect((await sendToIngest(ingestUrl, completionRequest('learn365', { secret }, 2))).status).toBe(202);
    await page.waitForFunction(() => document.querySelectorAll('#event-rows tr').length === 2, undefined, { timeout: 10_000 });
    await browser().screenshot(page, 'connect-06-events-live');
    await rows.first().getByRole('link').click();
    expect(await page.getByRole('heading', { name: 'What the LMS sent' }).isVisible()).toBe(true);
    expect(await page.getByRole('heading', { name: 'What subscribers receive' }).isVisible()).toBe(true);
    await browser().screenshot(page, 'connect-07-event');
  });

  it('creates an API key for Zapier with the steps to take there', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Name').fill('Zapier: training team');
    expect(await submit(page, page.getByRole('button', { name: 'Create the key' }))).toBe(201);
    expect(await page.locator('#new-key').textContent()).toMatch(/^lh_/);
    expect(await page.getByText('Next, in Zapier').isVisible()).toBe(true);
    await browser().screenshot(page, 'connect-08-key');
    expect(dialogs).toEqual([]);
  });

  it('fits a 360 px wide phone: no page scrolls sideways, tables scroll inside their box', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    const connectionPath = new URL(ingestUrl).pathname.split('/')[2] ?? '';
    const id = (
      await (await fetch(`${new URL(ingestUrl).origin}/v1/connections/${connectionPath}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()
    ).id;
    for (const path of ['/', '/connections', `/connections/${id}`, '/events', '/subscriptions', '/keys', '/users']) {
      await page.goto(new URL(path, ingestUrl).toString());
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await page.goto(new URL(`/connections/${id}`, ingestUrl).toString());
    await browser().screenshot(page, 'connect-09-phone-connection');
    await page.goto(new URL('/events', ingestUrl).toString());
    await browser().screenshot(page, 'connect-10-phone-events');
  });
});
