import { rmSync } from 'node:fs';
import { connectAlm, deliveriesOf, eventually, ingestCompletion, signedInOwner, startReceiver, startTestHub, type TestHub } from '@learnhook/core/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, submit, title } from '../lib/browser.ts';

describeInBrowser('an admin managing subscriptions in a real browser', (browser) => {
  let hub: TestHub;
  let page: Page;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let down = false;
  let hookPath = '';

  beforeAll(async () => {
    // No retry schedule: a failed first attempt is final, so "Retry all failed" has something to send.
    hub = await startTestHub({}, undefined, { retryDelaysMs: [] });
    receiver = await startReceiver(() => (down ? { status: 500, body: 'the zap is <em>off</em>' } : { status: 200, body: 'thanks from the receiver' }));
    await signedInOwner(hub);
    page = await browser().newPage();
    await page.goto(`${hub.url}/sign-in`);
    await page.getByLabel('Email').fill('owner@example.com');
    await page.getByLabel('Password').fill('a long password');
    await submit(page, page.getByRole('button', { name: 'Sign in' }));
  });
  afterAll(async () => {
    await receiver?.close();
    await hub?.close();
    if (hub) rmSync(hub.dataDir, { recursive: true, force: true });
  });

  it('subscribes a URL from the form, after being told beside the field what is missing, and sees the secret once', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Subscriptions' }).click();
    expect(await title(page).textContent()).toBe('Subscriptions');
    await browser().screenshot(page, 'subscriptions-01-empty');
    await page.getByRole('link', { name: 'Subscribe a URL' }).click();

    await page.getByLabel('Target URL').fill(`${receiver.url}/zap`);
    expect(await submit(page, page.getByRole('button', { name: 'Subscribe' }))).toBe(400);
    expect(await page.getByText('Choose at least one event type.').isVisible()).toBe(true);
    expect(await page.getByLabel('Target URL').inputValue()).toBe(`${receiver.url}/zap`);
    await browser().screenshot(page, 'subscriptions-02-form-errors');

    await page.getByRole('checkbox', { name: /enrollment\.completed/ }).check();
    await page.getByRole('checkbox', { name: /certificate\.awarded/ }).check();
    await page.getByLabel('Description (optional)').fill('CRM sync');
    expect(await submit(page, page.getByRole('button', { name: 'Subscribe' }))).toBe(201);
    expect(await page.locator('#new-secret').textContent()).toMatch(/^whsec_/);
    await browser().screenshot(page, 'subscriptions-03-created');
  });

  it("sends a test event to the receiver and shows the receiver's answer on the page", async () => {
    // The form posted to /subscriptions/new; the page it answered links its own actions.
    hookPath = (await page.locator('form[action$="/test"]').getAttribute('action'))?.replace(/\/test$/, '') ?? '';
    await page.getByLabel('Event type').selectOption('certificate.awarded');
    await page.getByRole('button', { name: 'Send a test event' }).click();
    await page.getByText(/The target answered HTTP 200 in \d+ ms\./).waitFor();
    expect(await page.locator('#test-result pre').textContent()).toBe('thanks from the receiver');
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]?.body ?? '{}').type).toBe('certificate.awarded');
    await browser().screenshot(page, 'subscriptions-04-test-sent');
  });

  it('sees failed deliveries with their attempts, previews "Retry all failed" and queues them', async () => {
    const connection = await connectAlm(hub.api, 'browser-alm');
    down = true;
    await ingestCompletion(hub.url, connection);
    await ingestCompletion(hub.url, connection);
    const hookId = hookPath.split('/').pop() ?? '';
    await eventually(async () => (await deliveriesOf(hub.api, hookId)).filter((delivery) => delivery.status === 'failed').length === 2);

    await page.goto(`${hub.url}/subscriptions`);
    await browser().screenshot(page, 'subscriptions-05-list-health');
    await page.goto(`${hub.url}${hookPath}`);
    expect(await page.locator('pre.snippet').first().textContent()).toBe('the zap is <em>off</em>');
    await browser().screenshot(page, 'subscriptions-06-failed-attempts');

    await page.getByRole('link', { name: 'Retry all failed' }).click();
    expect(await page.locator('#retry-preview').textContent()).toBe(`This sends 2 failed deliveries again to ${receiver.url}/zap.`);
    await browser().screenshot(page, 'subscriptions-07-retry-preview');
    down = false;
    expect(await submit(page, page.getByRole('button', { name: 'Send them again' }))).toBe(200);
    expect(await page.getByText('2 failed deliveries queued again.').isVisible()).toBe(true);
    await browser().screenshot(page, 'subscriptions-08-retried');
    await eventually(async () => (await deliveriesOf(hub.api, hookId)).every((delivery) => delivery.status === 'succeeded'));
    await page.goto(`${hub.url}${hookPath}`);
    expect(await page.getByText('100%').isVisible()).toBe(true);
    await browser().screenshot(page, 'subscriptions-09-delivered');
  });
});
