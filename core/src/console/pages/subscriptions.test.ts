import { afterEach, describe, expect, it } from 'vitest';
import {
  type ConsoleBrowser,
  callApi,
  connectAlm,
  deliveriesOf,
  eventually,
  ingestCompletion,
  quiet,
  receiverForTest,
  signedInOwner,
  signedInViewer,
  sleep,
  startTestHub,
  subscribe,
  type TestHub,
  verifySigned,
} from '../../testing/index.ts';

/** The console's subscription pages over real HTTP to a real hub, delivering to real receivers. */

const secretIn = (page: string) => /<code id="new-secret">([^<]+)<\/code>/.exec(page)?.[1] ?? '';
const hookIdIn = (page: string) => /action="\/subscriptions\/(hook_[\w-]+)\/test"/.exec(page)?.[1] ?? '';

let hub: TestHub;
afterEach(() => hub?.close());

/** Posts a form whose fields repeat (checkboxes), with the page's CSRF token, as a browser does. */
async function postRepeated(browser: ConsoleBrowser, path: string, form: URLSearchParams): Promise<Response> {
  const page = await browser.request('GET', path);
  form.set('_csrf', /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '');
  return fetch(`${hub.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: [...browser.jar].map(([name, value]) => `${name}=${value}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
}

async function ownerOf(options: Parameters<typeof startTestHub>[2] = {}, env: Record<string, string> = {}): Promise<ConsoleBrowser> {
  hub = await startTestHub(env, undefined, options);
  return signedInOwner(hub);
}

describe('the console subscription pages', () => {
  it('refuse a form without a valid URL or any event beside each field, then subscribe a URL and show its secret once', async () => {
    const owner = await ownerOf();
    const refused = await owner.submit('/subscriptions/new', '/subscriptions/new', { url: 'not a url', description: 'CRM' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('id="f-url-error"');
    expect(refused.text).toContain('Choose at least one event type.');
    expect(refused.text).toContain('value="CRM"');
    expect((await hub.api('GET', '/v1/hooks')).body.data).toEqual([]);

    const target = await receiverForTest();
    const form = new URLSearchParams({ url: `${target.url}/crm`, description: 'CRM sync', 'filter.course_id': 'course-1\ncourse-2' });
    form.append('events', 'enrollment.completed');
    form.append('events', 'certificate.awarded');
    const response = await postRepeated(owner, '/subscriptions/new', form);
    expect(response.status).toBe(201);
    const page = await response.text();
    const secret = secretIn(page);
    expect(secret).toMatch(/^whsec_/);
    const hooks = (await hub.api('GET', '/v1/hooks')).body.data;
    const created = hooks.find((hook: { id: string }) => hook.id === hookIdIn(page));
    expect(created).toMatchObject({
      url: `${target.url}/crm`,
      events: ['enrollment.completed', 'certificate.awarded'],
      filter: { course_id: ['course-1', 'course-2'] },
      description: 'CRM sync',
    });

    const list = await owner.request('GET', '/subscriptions');
    expect(list.text).toContain(`${target.url}/crm`);
    expect(list.text).toContain('owner@example.com');
    expect(list.text).not.toContain(secret);
    expect((await owner.request('GET', `/subscriptions/${created.id}`)).text).not.toContain(secret);
  });

  it('name who created a hook through the API by its key label, and show how its target has been answering', async () => {
    const owner = await ownerOf();
    const key = await hub.createKey('--label', 'Zapier');
    const target = await receiverForTest((_request, index) => (index === 0 ? { status: 200 } : { status: 410 }));
    const connection = await connectAlm(hub.api, 'by-zapier');
    const made = await callApi(
      hub.url,
      'POST',
      '/v1/hooks',
      { url: target.url, events: ['*'], filter: { connection: connection.name }, description: 'Zapier: Welcome Zap' },
      key,
    );
    expect(made.status).toBe(201);
    await ingestCompletion(hub.url, connection);
    await target.waitFor(1);
    await quiet(hub);
    const list = await owner.request('GET', '/subscriptions');
    const row = list.text.slice(list.text.indexOf(`/subscriptions/${made.body.id}`));
    expect(row).toMatch(/<td>Zapier<\/td>/);
    expect(list.text).toContain(`<span class="badge">Zap</span> <a href="/subscriptions/${made.body.id}">`);
    expect(row).toMatch(/<td>100%<\/td>/);
    expect(row).toContain('HTTP 200');
  });

  it('show the target refusal beside the URL: a private address where the hub refuses them, a metadata address always', async () => {
    const owner = await ownerOf({}, { LEARNHOOK_ALLOW_PRIVATE_TARGETS: 'false' });
    const refusals = {
      'http://127.0.0.1:9/hook':
        'The target is a loopback, private or unspecified address; deliveries there are not allowed on this hub. ' +
        'An admin can allow it by listing it in LEARNHOOK_ALLOWED_TARGETS (host:port or CIDR) or by setting LEARNHOOK_ALLOW_PRIVATE_TARGETS=true.',
      'http://169.254.169.254/latest/meta-data/': 'The target is a link-local or cloud metadata address; deliveries there are never allowed.',
    };
    for (const [url, message] of Object.entries(refusals)) {
      const refused = await owner.submit('/subscriptions/new', '/subscriptions/new', { url, events: '*' });
      expect(refused.status, url).toBe(400);
      expect(refused.text, url).toContain(`id="f-url-error">${message}</p>`);
      expect(refused.text, url).toContain(`value="${url}"`);
    }
    expect((await hub.api('GET', '/v1/hooks')).body.data).toEqual([]);
  });

  it("send a test event of the chosen type and show the target's answer, escaped", async () => {
    const owner = await ownerOf();
    const target = await receiverForTest(() => ({ status: 200, body: 'thanks <b onclick="x()">from</b> the zap' }));
    const hook = await subscribe(hub.api, target.url, await connectAlm(hub.api, 'test-send'));
    const page = await owner.submit(`/subscriptions/${hook.id}`, `/subscriptions/${hook.id}/test`, { type: 'certificate.awarded' });
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/The target answered HTTP 200 in \d+ ms\./);
    expect(page.text).toContain('<pre class="snippet">thanks &lt;b onclick=&quot;x()&quot;&gt;from&lt;/b&gt; the zap</pre>');
    expect(page.text).not.toContain('<b onclick');
    expect(verifySigned(hook.secret, target.received[0]!).type).toBe('certificate.awarded');

    const fragment = await owner.submit(
      `/subscriptions/${hook.id}`,
      `/subscriptions/${hook.id}/test`,
      { type: 'enrollment.completed' },
      { 'hx-request': 'true' },
    );
    expect(fragment.text).toMatch(/^<div id="test-result">/);
    expect(target.received).toHaveLength(2);
  });

  it('pause a subscription: nothing goes out until it is resumed, then what waited is sent', async () => {
    const owner = await ownerOf();
    const target = await receiverForTest();
    const connection = await connectAlm(hub.api, 'pausing');
    const hook = await subscribe(hub.api, target.url, connection);
    expect((await owner.submit(`/subscriptions/${hook.id}`, `/subscriptions/${hook.id}/pause`, {})).status).toBe(303);
    expect((await owner.request('GET', `/subscriptions/${hook.id}`)).text).toContain('<span class="badge warn">paused</span>');
    const held = await ingestCompletion(hub.url, connection);
    await quiet(hub);
    await sleep(300);
    expect(target.received).toHaveLength(0);

    expect((await owner.submit(`/subscriptions/${hook.id}`, `/subscriptions/${hook.id}/resume`, {})).status).toBe(303);
    const [sent] = await target.waitFor(1);
    expect(verifySigned(hook.secret, sent!).id).toBe(held);
  });

  it('preview how many failed deliveries "Retry all failed" sends, and queue exactly those on confirmation', async () => {
    // No retry schedule: the first failed attempt is final.
    const owner = await ownerOf({ retryDelaysMs: [] });
    let down = true;
    const target = await receiverForTest(() => (down ? { status: 500, body: 'down <script>alert(1)</script>' } : { status: 200 }));
    const connection = await connectAlm(hub.api, 'retrying');
    const hook = await subscribe(hub.api, target.url, connection);
    const failed = [await ingestCompletion(hub.url, connection), await ingestCompletion(hub.url, connection), await ingestCompletion(hub.url, connection)];
    await eventually(async () => (await deliveriesOf(hub.api, hook.id)).filter((delivery) => delivery.status === 'failed').length === failed.length);

    const page = await owner.request('GET', `/subscriptions/${hook.id}`);
    expect(page.text).toContain('<pre class="snippet">down &lt;script&gt;alert(1)&lt;/script&gt;</pre>');
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).toContain(`href="/subscriptions/${hook.id}/retry-failed"`);

    const preview = await owner.request('GET', `/subscriptions/${hook.id}/retry-failed`);
    expect(preview.text).toContain(`This sends 3 failed deliveries again to <code>${target.url}</code>.`);
    expect((await owner.request('GET', `/subscriptions/${hook.id}/retry-failed?within=1h`)).text).toContain('This sends 3 failed deliveries again');
    expect(target.received).toHaveLength(3);

    down = false;
    const retried = await owner.submit(`/subscriptions/${hook.id}/retry-failed`, `/subscriptions/${hook.id}/retry-failed`, {});
    expect(retried.text).toContain('3 failed deliveries queued again.');
    const requests = await target.waitFor(6);
    expect(
      requests
        .slice(3)
        .map((request) => verifySigned(hook.secret, request).id)
        .sort(),
    ).toEqual([...failed].sort());
    await quiet(hub);
    expect((await deliveriesOf(hub.api, hook.id)).every((delivery) => delivery.status === 'succeeded')).toBe(true);
    expect((await owner.request('GET', `/subscriptions/${hook.id}/retry-failed`)).text).toContain('nothing to send again');
  });

  it("retry one delivery of the subscription, and refuse another subscription's delivery", async () => {
    const owner = await ownerOf({ retryDelaysMs: [] });
    let down = true;
    const target = await receiverForTest(() => ({ status: down ? 503 : 200 }));
    const connection = await connectAlm(hub.api, 'retry-one');
    const hook = await subscribe(hub.api, target.url, connection);
    const other = await subscribe(hub.api, `${target.url}/other`, await connectAlm(hub.api, 'retry-other'));
    const event = await ingestCompletion(hub.url, connection);
    const [delivery] = await eventually(async () => {
      const found = await deliveriesOf(hub.api, hook.id);
      return found[0]?.status === 'failed' ? found : undefined;
    });
    down = false;
    expect((await owner.submit(`/subscriptions/${other.id}`, `/subscriptions/${other.id}/deliveries/${delivery!.id}/retry`, {})).status).toBe(404);
    const retried = await owner.submit(`/subscriptions/${hook.id}`, `/subscriptions/${hook.id}/deliveries/${delivery!.id}/retry`, {});
    expect(retried.text).toContain(`The delivery of ${event} is queued again`);
    await target.waitFor(2);
    await quiet(hub);
    expect((await deliveriesOf(hub.api, hook.id))[0]?.attempts.map((attempt) => attempt.status)).toEqual([503, 200]);
  });

  it('rotate the signing secret: the page shows the new one once, and the next delivery verifies with it and, for the chosen overlap, the old one', async () => {
    const owner = await ownerOf();
    const target = await receiverForTest();
    const connection = await connectAlm(hub.api, 'rotating');
    const hook = await subscribe(hub.api, target.url, connection);
    const form = await owner.request('GET', `/subscriptions/${hook.id}`);
    expect(form.text).toContain('<option value="24h" selected>a day</option>');
    const rotated = await owner.submit(`/subscriptions/${hook.id}`, `/subscriptions/${hook.id}/rotate-secret`, { overlap: '1h' });
    expect(rotated.text).toContain('signature made with the old one too for 1 h more');
    const secret = secretIn(rotated.text);
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(hook.secret);
    const sent = await ingestCompletion(hub.url, connection);
    const [delivered] = await target.waitFor(1);
    expect(verifySigned(secret, delivered!).id).toBe(sent);
    expect(verifySigned(hook.secret, delivered!).id).toBe(sent);
    expect((await owner.request('GET', `/subscriptions/${hook.id}`)).text).not.toContain(secret);

    const stopped = await owner.submit(`/subscriptions/${hook.id}`, `/subscriptions/${hook.id}/rotate-secret`, { overlap: 'none' });
    expect(stopped.text).toContain('the old one no longer verifies');
    await ingestCompletion(hub.url, connection);
    const [, next] = await target.waitFor(2);
    expect(verifySigned(secretIn(stopped.text), next!).type).toBe('enrollment.completed');
    expect(() => verifySigned(secret, next!)).toThrow();
  });

  it('escape a description holding markup, in the list and on the page', async () => {
    const owner = await ownerOf();
    const created = await hub.api('POST', '/v1/hooks', { url: 'http://127.0.0.1:9/x?a=<i>', events: ['*'], description: '<img src=x onerror=alert(1)>' });
    for (const path of ['/subscriptions', `/subscriptions/${created.body.id}`]) {
      const page = await owner.request('GET', path);
      expect(page.text, path).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(page.text, path).not.toContain('<img src=x');
    }
  });

  it('delete a subscription only once the target host is typed', async () => {
    const owner = await ownerOf();
    const created = await hub.api('POST', '/v1/hooks', { url: 'http://127.0.0.1:9/bye', events: ['*'] });
    const id = created.body.id;
    const wrong = await owner.submit(`/subscriptions/${id}/delete`, `/subscriptions/${id}/delete`, { confirm: 'nope' });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Type &quot;127.0.0.1:9&quot; to confirm');
    expect((await hub.api('GET', `/v1/hooks/${id}`)).status).toBe(200);
    expect((await owner.submit(`/subscriptions/${id}/delete`, `/subscriptions/${id}/delete`, { confirm: '127.0.0.1:9' })).location).toBe('/subscriptions');
    expect((await hub.api('GET', `/v1/hooks/${id}`)).status).toBe(404);
  });

  it('let a viewer read every subscription without change buttons, and refuse its posts with 403', async () => {
    const owner = await ownerOf();
    const viewer = await signedInViewer(hub, owner);
    const created = await hub.api('POST', '/v1/hooks', { url: 'http://127.0.0.1:9/seen', events: ['*'] });
    const id = created.body.id;
    expect((await viewer.request('GET', '/subscriptions')).text).toContain('http://127.0.0.1:9/seen');
    expect((await viewer.request('GET', '/subscriptions')).text).not.toContain('href="/subscriptions/new"');
    const page = await viewer.request('GET', `/subscriptions/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/action="\/subscriptions\/[^"]+\/(test|pause|rotate-secret)"/);
    for (const action of ['test', 'pause', 'resume', 'rotate-secret', 'retry-failed', 'delete']) {
      expect((await viewer.submit(`/subscriptions/${id}`, `/subscriptions/${id}/${action}`, { confirm: '127.0.0.1:9' })).status, action).toBe(403);
    }
    expect((await viewer.request('GET', '/subscriptions/new')).status).toBe(403);
    expect((await viewer.submit('/subscriptions', '/subscriptions/new', { url: 'http://127.0.0.1:9/v', events: '*' })).status).toBe(403);
    expect((await hub.api('GET', `/v1/hooks/${id}`)).body.status).toBe('active');
  });
});
