import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { consoleBrowser as browser, signedInOwner, signedInViewer, startTestHub, type TestHub } from '../testing/index.ts';
import { hashToken } from './session.ts';

describe('the console', () => {
  let hub: TestHub;
  beforeEach(async () => {
    hub = await startTestHub();
  });
  afterEach(() => hub.close());

  it('answers a fresh hub with a sign-in page that points to the setup link, under a CSP without inline scripts', async () => {
    const person = browser(hub.url);
    const home = await person.request('GET', '/');
    expect(home.status).toBe(303);
    expect(home.location).toBe('/sign-in?next=%2F');
    const signIn = await person.request('GET', '/sign-in');
    expect(signIn.text).toContain('no console account yet');
    // A hub run as a service keeps its link out of the log: the page names the command that prints one.
    expect(signIn.text).toContain('<code>learnhook setup-link</code>');
    expect(signIn.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(signIn.text).not.toMatch(/<script>(?!<\/script>)/);
  });

  it('creates the owner from the setup link once, signs them in, and refuses the link a second time', async () => {
    const link = new URL(hub.hub.setupLink ?? '');
    const person = browser(hub.url);
    const made = await person.submit(link.pathname, link.pathname, {
      email: 'Owner@Example.com',
      password: 'a long password',
      password_confirm: 'a long password',
    });
    expect(made.status).toBe(303);
    const home = await person.request('GET', '/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Getting started');
    expect(home.text).toContain('owner@example.com');
    const again = await browser(hub.url).request('GET', link.pathname);
    expect(again.status).toBe(410);
    expect(await hub.hub.store.accounts.countUsers()).toBe(1);
  });

  it('shows each form error beside its field and keeps the link usable', async () => {
    const link = new URL(hub.hub.setupLink ?? '');
    const person = browser(hub.url);
    const refused = await person.submit(link.pathname, link.pathname, { email: 'not-an-email', password: 'short', password_confirm: 'other' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('id="f-email-error"');
    expect(refused.text).toContain('Use at least 10 characters.');
    expect((await person.request('GET', link.pathname)).status).toBe(200);
  });

  it('refuses a state-changing form without the CSRF token, and one a browser marks as cross-site', async () => {
    const link = new URL(hub.hub.setupLink ?? '');
    const person = browser(hub.url);
    await person.request('GET', link.pathname);
    const forged = await person.request('POST', link.pathname, { email: 'eve@example.com', password: 'a long password', password_confirm: 'a long password' });
    expect(forged.status).toBe(403);
    const page = await person.request('GET', link.pathname);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const crossSite = await person.request(
      'POST',
      link.pathname,
      { _csrf: csrf, email: 'eve@example.com', password: 'a long password', password_confirm: 'a long password' },
      { 'sec-fetch-site': 'cross-site' },
    );
    expect(crossSite.status).toBe(403);
    expect(await hub.hub.store.accounts.countUsers()).toBe(0);
  });

  it('slows repeated failed sign-ins for one email down to a 429 with Retry-After, the right password included', async () => {
    const link = new URL(hub.hub.setupLink ?? '');
    await browser(hub.url).submit(link.pathname, link.pathname, {
      email: 'owner@example.com',
      password: 'a long password',
      password_confirm: 'a long password',
    });
    const guesser = browser(hub.url);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await guesser.submit('/sign-in', '/sign-in', { email: 'owner@example.com', password: `wrong ${attempt}` })).status).toBe(401);
    }
    const locked = await guesser.submit('/sign-in', '/sign-in', { email: 'owner@example.com', password: 'a long password' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('lets a viewer read but refuses every change, and signs out for good', async () => {
    const owner = await signedInOwner(hub);
    const viewer = await signedInViewer(hub, owner);
    expect((await viewer.request('GET', '/users')).text).toContain('Only an admin can invite people.');
    const refused = await viewer.submit('/users', '/users/invite', { email: 'x@example.com', role: 'admin' });
    expect(refused.status).toBe(403);
    expect((await hub.hub.store.accounts.listUsers()).map((user) => user.email)).toEqual(['owner@example.com', 'viewer@example.com']);
    await viewer.submit('/account', '/sign-out', {});
    expect((await viewer.request('GET', '/users')).status).toBe(303);
  });

  it('keeps the API its own: /v1 and unknown API paths answer JSON, not console pages', async () => {
    const api = await fetch(`${hub.url}/v1/nothing-here`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/json');
  });
});

describe('console sessions', () => {
  it('end when they expire: the next page asks to sign in again', async () => {
    const hub = await startTestHub({ LEARNHOOK_SESSION_TTL_MS: '10000' });
    try {
      const link = new URL(hub.hub.setupLink ?? '');
      const person = browser(hub.url);
      await person.submit(link.pathname, link.pathname, { email: 'owner@example.com', password: 'a long password', password_confirm: 'a long password' });
      expect((await person.request('GET', '/')).status).toBe(200);
      // Expiry is checked against the stored expires_at: ask as if 11 s had passed.
      const token = person.jar.get('lh_session') ?? '';
      expect(await hub.hub.store.accounts.getSession(hashToken(token), Date.now() + 11_000)).toBeNull();
      expect(await hub.hub.store.accounts.getSession(hashToken(token), Date.now())).not.toBeNull();
    } finally {
      await hub.close();
    }
  });
});
