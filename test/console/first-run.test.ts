import { rmSync } from 'node:fs';
import { startTestHub, type TestHub } from '@learnhook/core/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, submit, title } from '../lib/browser.ts';

const OWNER = { email: 'owner@example.com', password: 'a long owner password' };
const VIEWER = { email: 'viewer@example.com', password: 'a long viewer password' };

describeInBrowser('a newcomer in a real browser', (browser) => {
  let hub: TestHub;
  let page: Page;
  let viewer: Page;
  let inviteLink = '';

  beforeAll(async () => {
    hub = await startTestHub();
    page = await browser().newPage();
  });
  afterAll(async () => {
    await hub?.close();
    if (hub) rmSync(hub.dataDir, { recursive: true, force: true });
  });

  it('opens the setup link and is told, beside the field, that the password is too short', async () => {
    await page.goto(hub.hub.setupLink ?? '');
    expect(await title(page).textContent()).toBe('Set up learnhook');
    expect(await page.getByText('Create the owner account of this hub.').isVisible()).toBe(true);
    await browser().screenshot(page, '01-setup');

    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Password again').fill('short');
    expect(await submit(page, page.getByRole('button', { name: 'Create owner account' }))).toBe(400);

    const password = page.getByLabel('Password', { exact: true });
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByText('Use at least 10 characters.').isVisible()).toBe(true);
    expect(await page.getByLabel('Email').inputValue()).toBe(OWNER.email);
    await browser().screenshot(page, '02-setup-password-too-short');
  });

  it('creates the owner and lands on Home with the getting-started checklist', async () => {
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByLabel('Password again').fill(OWNER.password);
    expect(await submit(page, page.getByRole('button', { name: 'Create owner account' }))).toBe(200);

    expect(await title(page).textContent()).toBe('Home');
    expect(new URL(page.url()).pathname).toBe('/');
    const checklist = page.getByRole('region', { name: 'Getting started' });
    expect(await checklist.getByRole('listitem').count()).toBe(4);
    expect(await checklist.getByRole('heading', { name: 'Connect your LMS (to do)' }).isVisible()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Console' }).getByText(OWNER.email).isVisible()).toBe(true);
    await browser().screenshot(page, '03-home-checklist');
  });

  it('signs out, is refused a wrong password with a clear message, and signs in again', async () => {
    await submit(page, page.getByRole('button', { name: 'Sign out' }));
    expect(await title(page).textContent()).toBe('Sign in');
    await browser().screenshot(page, '04-sign-in');

    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill('not my password');
    expect(await submit(page, page.getByRole('button', { name: 'Sign in' }))).toBe(401);
    expect(await page.getByRole('alert').textContent()).toBe('That email and password do not match an account.');
    await browser().screenshot(page, '05-sign-in-wrong-password');

    await page.getByLabel('Password').fill(OWNER.password);
    expect(await submit(page, page.getByRole('button', { name: 'Sign in' }))).toBe(200);
    expect(await title(page).textContent()).toBe('Home');
  });

  it('invites a viewer from the Users page and shows the invitation link', async () => {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Users' }).click();
    await page.waitForURL('**/users');
    expect(await title(page).textContent()).toBe('Users');
    const people = page.getByRole('table', { name: 'People who can sign in to this console' });
    expect(await people.getByRole('cell', { name: `${OWNER.email} (you)` }).isVisible()).toBe(true);

    await page.getByLabel('Their email').fill(VIEWER.email);
    await page.getByRole('radio', { name: /^Viewer/ }).check();
    expect(await submit(page, page.getByRole('button', { name: 'Create invitation link' }))).toBe(201);

    const notice = page.getByRole('status');
    expect(await notice.textContent()).toContain('Invitation created.');
    inviteLink = (await notice.getByRole('code').textContent()) ?? '';
    expect(inviteLink).toMatch(new RegExp(`^${hub.url}/invite/[\\w-]{43}$`));
    expect(
      await page
        .getByRole('listitem')
        .filter({ hasText: `${VIEWER.email} as viewer` })
        .isVisible(),
    ).toBe(true);
    await browser().screenshot(page, '06-users-invitation-created');
  });

  it('lets the invited person set a password in their own browser and read, but not change, the Users page', async () => {
    viewer = await (await browser().newContext()).newPage();
    await viewer.goto(inviteLink);
    expect(await title(viewer).textContent()).toBe('Join learnhook');
    expect(await viewer.getByText('You were invited as a viewer (read only).').isVisible()).toBe(true);
    expect(await viewer.getByLabel('Email').inputValue()).toBe(VIEWER.email);
    await browser().screenshot(viewer, '07-join-invitation');

    await viewer.getByLabel('Password', { exact: true }).fill(VIEWER.password);
    await viewer.getByLabel('Password again').fill(VIEWER.password);
    expect(await submit(viewer, viewer.getByRole('button', { name: 'Create my account' }))).toBe(200);
    expect(await title(viewer).textContent()).toBe('Home');
    expect(await viewer.getByRole('navigation', { name: 'Console' }).getByText('viewer (read only)').isVisible()).toBe(true);
    await browser().screenshot(viewer, '08-viewer-home');

    await viewer.goto(`${hub.url}/users`);
    expect(await title(viewer).textContent()).toBe('Users');
    expect(await viewer.getByText('Only an admin can invite people.').isVisible()).toBe(true);
    expect(await viewer.getByRole('button', { name: 'Create invitation link' }).count()).toBe(0);
    expect(await viewer.getByRole('button', { name: /^Remove/ }).count()).toBe(0);
    await browser().screenshot(viewer, '09-viewer-users-read-only');
  });

  it('shows a viewer who sends the invitation form anyway a readable refusal', async () => {
    // The page offers a viewer no such form: build the one an admin sees, with the viewer's own CSRF token.
    await viewer.evaluate(() => {
      const token = document.querySelector<HTMLInputElement>('input[name="_csrf"]')?.value ?? '';
      const form = Object.assign(document.createElement('form'), { method: 'post', action: '/users/invite' });
      for (const [name, value] of [
        ['_csrf', token],
        ['email', 'someone@example.com'],
        ['role', 'admin'],
      ]) {
        form.append(Object.assign(document.createElement('input'), { type: 'hidden', name, value }));
      }
      form.append(Object.assign(document.createElement('button'), { type: 'submit', textContent: 'Invite anyway' }));
      document.querySelector('main')?.append(form);
    });
    expect(await submit(viewer, viewer.getByRole('button', { name: 'Invite anyway' }))).toBe(403);
    expect(await title(viewer).textContent()).toBe('Not allowed');
    expect(await viewer.getByRole('alert').textContent()).toBe('Your account can look but not change things; ask an admin of this hub.');
    expect(await viewer.getByRole('link', { name: 'Back to the console' }).isVisible()).toBe(true);
    await browser().screenshot(viewer, '10-viewer-refused-invite');
    expect((await hub.hub.store.accounts.listInvites(Date.now())).map((invite) => invite.email)).not.toContain('someone@example.com');
  });
});
