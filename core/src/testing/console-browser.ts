import type { TestHub } from './test-hub.ts';

export type ConsoleBrowser = ReturnType<typeof consoleBrowser>;

/** A browser's cookie jar and form posts, over real HTTP to a real hub's console. */
export function consoleBrowser(base: string) {
  const jar = new Map<string, string>();
  /** The Cookie header this browser sends, for requests made outside it (an SSE stream read by hand). */
  const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  async function request(method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = {}) {
    const response = await fetch(`${base}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        cookie: cookie(),
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
  return { request, submit, jar, cookie };
}

/** Someone who opened a one-time link (setup or invitation) and set their password there, signed in. */
async function signedInThrough(base: string, link: string, email: string, password: string): Promise<ConsoleBrowser> {
  const person = consoleBrowser(base);
  const { pathname } = new URL(link);
  const made = await person.submit(pathname, pathname, { email, password, password_confirm: password });
  if (made.status !== 303) throw new Error(`the link ${pathname} answered ${made.status}`);
  return person;
}

/** The owner of the hub at `base`, created through the setup link it printed, signed in. */
export const ownerThrough = (base: string, setupLink: string): Promise<ConsoleBrowser> =>
  signedInThrough(base, setupLink, 'owner@example.com', 'a long password');

/** The hub's owner, created through the one-time setup link and signed in. */
export const signedInOwner = (hub: TestHub): Promise<ConsoleBrowser> => ownerThrough(hub.url, hub.hub.setupLink ?? '');

/** A viewer the owner invited, signed in. */
export async function signedInViewer(hub: TestHub, owner: ConsoleBrowser): Promise<ConsoleBrowser> {
  const invited = await owner.submit('/users', '/users/invite', { email: 'viewer@example.com', role: 'viewer' });
  const inviteLink = /<code id="invite-link">([^<]+)<\/code>/.exec(invited.text)?.[1] ?? '';
  return signedInThrough(hub.url, inviteLink, 'viewer@example.com', 'viewer password');
}
