import { rmSync } from 'node:fs';
import { startTestHub, type TestHub } from '@learnhook/core/testing';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, submit, title } from '../lib/browser.ts';

const OWNER = { email: 'owner@example.com', password: 'a long owner password' };

/**
 * What a template that forgot to escape would let through: an inline script and an inline event
 * handler. The CSP is the second line of defence, so it is tested on its own, by adding these to
 * every page on its way to the browser.
 */
const INJECTED =
  `<script>document.title = 'inline script ran'</script>` + `<img src="/assets/no-such-image.png" alt="" onerror="document.title = 'inline handler ran'">`;

/** Every GET of a console page reaches the browser with INJECTED at the end of its main element, and the hub's own headers. */
async function injectIntoPages(context: BrowserContext): Promise<void> {
  await context.route('**/*', async (route) => {
    const request = route.request();
    if (request.resourceType() !== 'document' || request.method() !== 'GET') return route.continue();
    const response = await route.fetch({ maxRedirects: 0 });
    await route.fulfill({ response, body: (await response.text()).replace('</main>', `${INJECTED}</main>`) });
  });
}

/** The CSP violations Chromium reports on the page's console from now on. */
function cspReports(page: Page): string[] {
  const reports: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) reports.push(message.text());
  });
  return reports;
}

async function signIn(page: Page, hub: TestHub): Promise<void> {
  await page.goto(`${hub.url}/sign-in`);
  await page.getByLabel('Email').fill(OWNER.email);
  await page.getByLabel('Password').fill(OWNER.password);
  expect(await submit(page, page.getByRole('button', { name: 'Sign in' }))).toBe(200);
}

describeInBrowser('the console defences, seen from a real browser', (browser) => {
  let hub: TestHub;
  let owner: Page;

  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.close();
    if (hub) rmSync(hub.dataDir, { recursive: true, force: true });
  });

  it("forbids inline scripts on every page: the browser runs the hub's own scripts and refuses an injected inline script and handler", async () => {
    const context = await browser().newContext();
    await injectIntoPages(context);
    const page = await context.newPage();
    const reports = cspReports(page);
    const setupLink = hub.hub.setupLink ?? '';

    async function expectRefused(response: Response | null, heading: string): Promise<void> {
      expect(await title(page).textContent()).toBe(heading);
      const csp = response?.headers()['content-security-policy'] ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      await page.waitForLoadState('load');
      expect(await page.title()).toBe(`${heading} · learnhook`);
      expect(await page.evaluate(() => 'htmx' in window)).toBe(true);
      expect(reports.some((report) => report.includes('inline script'))).toBe(true);
      expect(reports.some((report) => report.includes('inline event handler'))).toBe(true);
      reports.length = 0;
    }

    await expectRefused(await page.goto(`${hub.url}/sign-in`), 'Set up learnhook');
    await expectRefused(await page.goto(setupLink), 'Set up learnhook');
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByLabel('Password again').fill(OWNER.password);
    expect(await submit(page, page.getByRole('button', { name: 'Create owner account' }))).toBe(200);
    await expectRefused(await page.reload(), 'Home');
    await expectRefused(await page.goto(`${hub.url}/users`), 'Users');
    await expectRefused(await page.goto(`${hub.url}/account`), 'Your account');
    await expectRefused(await page.goto(`${hub.url}/no-such-page`), 'Not found');
    await expectRefused(await page.goto(setupLink), 'This link cannot be used');
    expect(await submit(page, page.getByRole('button', { name: 'Sign out' }))).toBe(200);
    await expectRefused(await page.reload(), 'Sign in');
    await browser().screenshot(page, 'security-01-sign-in-with-injected-script');
    await context.close();
  });

  it('shows what a person typed into a form as text, never as markup', async () => {
    owner = await (await browser().newContext()).newPage();
    const reports = cspReports(owner);
    await signIn(owner, hub);
    await owner.goto(`${hub.url}/users`);
    // The invitation form echoes a refused email back into its field; the browser's own email check is off, as a forged request would be.
    const typed = `"><script>document.title = 'echo ran'</script><h2>Injected heading</h2>`;
    await owner.getByLabel('Their email').fill(typed);
    await owner.getByRole('button', { name: 'Create invitation link' }).evaluate((button) => button.closest('form')?.setAttribute('novalidate', ''));
    expect(await submit(owner, owner.getByRole('button', { name: 'Create invitation link' }))).toBe(400);
    expect(await owner.getByText('Enter an email address, like name@example.com.').isVisible()).toBe(true);
    expect(await owner.getByLabel('Their email').inputValue()).toBe(typed);
    expect(await owner.getByRole('heading', { name: 'Injected heading' }).count()).toBe(0);
    expect(await owner.title()).toBe('Users · learnhook');
    // Escaped, not blocked: there was no script for the CSP to refuse.
    expect(reports).toEqual([]);
    await browser().screenshot(owner, 'security-02-typed-markup-shown-as-text');
  });

  it('keeps the session cookie from scripts and from other sites: HttpOnly and SameSite=Strict', async () => {
    const cookies = await owner.context().cookies(hub.url);
    const session = cookies.find((cookie) => cookie.name === 'lh_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookies.find((cookie) => cookie.name === 'lh_form')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await owner.evaluate(() => document.cookie)).toBe('');
  });

  it('refuses a console form posted without its CSRF token, with a page that says what to do', async () => {
    await owner.goto(`${hub.url}/users`);
    await owner.getByLabel('Their email').fill('no-token@example.com');
    const send = owner.getByRole('button', { name: 'Create invitation link' });
    await send.evaluate((button) => button.closest('form')?.querySelector('input[name="_csrf"]')?.remove());
    expect(await submit(owner, send)).toBe(403);
    expect(await title(owner).textContent()).toBe('Not allowed');
    expect(await owner.getByRole('alert').textContent()).toBe('This form has expired or did not come from the console; reload the page and try again.');
    await browser().screenshot(owner, 'security-03-form-without-csrf-token');
    expect((await hub.hub.store.accounts.listInvites(Date.now())).map((invite) => invite.email)).not.toContain('no-token@example.com');
  });

  it('refuses a form another site makes the signed-in browser post, which arrives without the session cookie', async () => {
    const context = owner.context();
    await context.route('http://attacker.test/**', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>Win a prize</title><form method="post" action="${hub.url}/users/invite">
          <input type="hidden" name="email" value="eve@example.com"><input type="hidden" name="role" value="admin"><button>Claim the prize</button></form>`,
      }),
    );
    const page = await context.newPage();
    await page.goto('http://attacker.test/prize');
    expect(await submit(page, page.getByRole('button', { name: 'Claim the prize' }))).toBe(403);
    expect(await title(page).textContent()).toBe('Not allowed');
    expect(await page.getByRole('alert').textContent()).toBe('This form was sent from another site; open the console and try again.');
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await browser().screenshot(page, 'security-04-cross-site-form');
    expect((await hub.hub.store.accounts.listInvites(Date.now())).map((invite) => invite.email)).not.toContain('eve@example.com');
  });
});
