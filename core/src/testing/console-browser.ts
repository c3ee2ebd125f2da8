import type { TestHub } from './test-hub.ts';

export type ConsoleBrowser = ReturnType<typeof consoleBrowser>;

/** A browser's cookie jar and form posts, over real HTTP to a real hub's console. */
export function consoleBrowser(base: string) {
  const jar = new Map<string, string>();
  async function request(method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}) {
    const response = await fetch(`${base}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair?.indexOf('=') ?? -1;
      if (pair && at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return { status: response.status, location: response.headers.get('location'), text: await response.text(), headers: response.headers };
  }
  /** GETs the page and posts its form with the page's CSRF token, as a person pressing its button would. */
  async function submit(pagePath: string, action: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    const page = await request('GET', pagePath);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    return request('POST', action, { _csrf: csrf, ...fields }, headers);
  }
  return { request, submit, jar };
}

/** The hub's owner, created through the one-time setup link and signed in. */
export async function signedInOwner(hub: TestHub): Promise<ConsoleBrowser> {
  const link = new URL(hub.hub.setupLink ?? '');
  const owner = consoleBrowser(hub.url);
  const made = await owner.submit(link.pathname, link.pathname, {
    email: 'owner@example.com',
    password: 'a long password',
    password_confirm: 'a long password',
  });
  if (made.status !== 303) throw new Error(`the setup link answered ${made.status}`);
  return owner;
}

/** A viewer the owner invited, signed in. */
export async function signedInViewer(hub: TestHub, owner: ConsoleBrowser): Promise<ConsoleBrowser> {
  const invited = await owner.submit('/users', '/users/invite', { email: 'viewer@example.com', role: 'viewer' });
  const inviteLink = new URL(/<code id="invite-link">([^<]+)<\/code>/.exec(invited.text)?.[1] ?? '');
  const viewer = consoleBrowser(hub.url);
  const made = await viewer.submit(inviteLink.pathname, inviteLink.pathname, {
    email: 'viewer@example.com',
    password: 'viewer password',
    password_confirm: 'viewer password',
  });
  if (made.status !== 303) throw new Error(`the invitation link answered ${made.status}`);
  return viewer;
}
