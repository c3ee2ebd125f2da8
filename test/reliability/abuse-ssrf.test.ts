import { lookup } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionRequest, eventually, fetchAnswer, startReceiver, startTestHub, type TestHub } from '@learnhook/core/testing';
import { storeRows } from '../lib/abuse-fixtures.ts';
import { report } from './report.ts';

/**
 * Scenario 5 (issue 9), SSRF: subscribers choose where the hub sends, so every way of writing an
 * address inside the hub's own network is tried through the API, on a hub that refuses private
 * targets and on one that allows them (link-local and metadata stay refused there), and at
 * delivery time through host names that resolve to loopback.
 */

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let strict: TestHub;
let relaxed: TestHub;
let port = '';

beforeAll(async () => {
  receiver = await startReceiver();
  port = new URL(receiver.url).port;
  strict = await startTestHub({ LEARNHOOK_ALLOW_PRIVATE_TARGETS: 'false' });
  relaxed = await startTestHub({ LEARNHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
});
afterAll(async () => {
  await Promise.all([strict.close(), relaxed.close()]);
  await receiver.close();
});

/** Loopback, private, CGNAT and unspecified, in every spelling the URL parser accepts: refused unless private targets are allowed. */
const privateTargets = () => [
  `http://127.0.0.1:${port}/hook`,
  `http://127.255.255.254:${port}/hook`,
  `http://localhost:${port}/hook`,
  `http://LOCALHOST.:${port}/hook`,
  `http://zap.localhost:${port}/hook`,
  `http://[::1]:${port}/hook`,
  `http://[0:0:0:0:0:0:0:1]:${port}/hook`,
  `http://[::ffff:127.0.0.1]:${port}/hook`,
  `http://[::ffff:7f00:1]:${port}/hook`,
  `http://[64:ff9b::7f00:1]:${port}/hook`,
  `http://2130706433:${port}/hook`,
  `http://0177.0.0.1:${port}/hook`,
  `http://0x7f.0.0.1:${port}/hook`,
  `http://0x7f000001:${port}/hook`,
  `http://127.1:${port}/hook`,
  `http://0.0.0.0:${port}/hook`,
  `http://0:${port}/hook`,
  `http://[::]:${port}/hook`,
  'http://10.0.0.1/hook',
  'http://10.255.255.255/hook',
  'http://172.16.0.1/hook',
  'http://172.31.255.255/hook',
  'http://192.168.1.1/hook',
  'https://192.168.0.10:8443/hook',
  'http://100.64.0.1/hook',
  'http://[fd00::1]/hook',
  'http://[fc00::1]/hook',
  'http://[::ffff:10.0.0.1]/hook',
];

/** Link-local and cloud metadata: refused even where private targets are allowed. */
const alwaysRefused = [
  'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
  'http://169.254.0.1/hook',
  'http://2852039166/latest/meta-data/',
  'http://0xa9fea9fe/latest/meta-data/',
  'http://0251.0376.0251.0376/latest/meta-data/',
  'http://[::ffff:169.254.169.254]/latest/meta-data/',
  'http://[::ffff:a9fe:a9fe]/latest/meta-data/',
  'http://[64:ff9b::a9fe:a9fe]/latest/meta-data/',
  'http://[fe80::1]/hook',
  'http://[fd00:ec2::254]/latest/meta-data/',
  'http://100.100.100.200/latest/meta-data/',
  'http://user:secret@example.com/hook',
];

/** Not web targets at all: the hook schema or the policy refuses them, on any hub. */
const notWebTargets = [
  'file:///etc/passwd',
  'gopher://127.0.0.1:6379/_INFO',
  'ftp://example.com/hook',
  'http://[fe80::1%25eth0]/hook',
  'not a url',
  'http://',
  '',
];

/** A clear refusal: 400 with the policy's code, or the schema's naming the url field. */
function refusal(answer: { status: number; body: { error?: { code: string; message: string; details: unknown } } }): string | null {
  if (answer.status !== 400) return `answered ${answer.status}`;
  const error = answer.body.error;
  if (error?.code === 'target_refused')
    return /not allowed|never allowed|not a valid|must not contain|not an IP/.test(error.message) ? null : `unclear message ${error.message}`;
  if (error?.code === 'invalid_payload') return JSON.stringify(error.details).includes('"url"') ? null : `400 not naming url: ${JSON.stringify(error.details)}`;
  return `code ${error?.code}`;
}

async function subscribe(hub: TestHub, url: string) {
  return hub.api<{ id: string; error?: { code: string; message: string; details: unknown } }>('POST', '/v1/hooks', { url, events: ['*'] });
}

describe('scenario 5: SSRF targets through the API', () => {
  it('refuses every private, loopback and metadata spelling with a clear 400 when private targets are off, storing no hook', async () => {
    const before = storeRows(strict.dataDir);
    const accepted: string[] = [];
    for (const url of [...privateTargets(), ...alwaysRefused, ...notWebTargets]) {
      const answer = await subscribe(strict, url);
      const problem = refusal(answer);
      if (problem) accepted.push(`${url}: ${problem}`);
      // The answer does not echo the URL: it may carry a secret path.
      else if (url.includes('/hook')) expect(answer.body.error?.message, url).not.toContain('/hook');
    }
    expect(accepted).toEqual([]);
    expect(storeRows(strict.dataDir)).toEqual(before);
  });

  it('refuses the same targets when a hook is changed to them, leaving the hook as it was', async () => {
    const hook = await subscribe(strict, 'https://hooks.zapier.example/hooks/standard/1/abc/');
    expect(hook.status).toBe(201);
    for (const url of [privateTargets()[0]!, alwaysRefused[0]!, 'http://[::ffff:127.0.0.1]/x']) {
      const changed = await strict.api('PATCH', `/v1/hooks/${hook.body.id}`, { url });
      expect(changed.status, url).toBe(400);
    }
    expect((await strict.api<{ url: string }>('GET', `/v1/hooks/${hook.body.id}`)).body.url).toBe('https://hooks.zapier.example/hooks/standard/1/abc/');
    await strict.api('DELETE', `/v1/hooks/${hook.body.id}`);
  });

  it('allows private targets where the hub is told to, but still refuses link-local and metadata addresses', async () => {
    const refusedWhenAllowed: string[] = [];
    for (const url of privateTargets()) {
      const answer = await subscribe(relaxed, url);
      expect(answer.status, url).toBe(201);
      await relaxed.api('DELETE', `/v1/hooks/${answer.body.id}`);
    }
    for (const url of [...alwaysRefused, ...notWebTargets]) {
      if (refusal(await subscribe(relaxed, url)) === null) refusedWhenAllowed.push(url);
    }
    expect(refusedWhenAllowed).toEqual([...alwaysRefused, ...notWebTargets]);
    report({
      scenario: '5 ssrf api',
      tried:
        'POST/PATCH /v1/hooks with loopback, private, CGNAT, unspecified, IPv4-mapped, NAT64, decimal/octal/hex, link-local, metadata and non-http targets, private targets off and on',
      figures: {
        private_spellings: privateTargets().length,
        always_refused_spellings: alwaysRefused.length + notWebTargets.length,
        refused_when_off: privateTargets().length + alwaysRefused.length + notWebTargets.length,
        refused_when_on: refusedWhenAllowed.length,
      },
    });
  });
});

describe('scenario 5: SSRF at delivery time', () => {
  it('refuses to connect when a host name resolves to loopback, for test sends and real deliveries, while a hub that allows it delivers', async (context) => {
    // Host names the machine resolves to loopback besides "localhost" (which the API refuses up front).
    const names: string[] = [];
    for (const name of ['vm', 'runsc', 'localhost.localdomain', 'ip6-localhost']) {
      const resolved = await lookup(name).catch(() => null);
      if (resolved && /^(127\.|::1$)/.test(resolved.address)) names.push(name);
    }
    if (names.length === 0)
      context.skip('no host name other than localhost resolves to loopback on this machine (see /etc/hosts); offline, nothing else can be resolved');
    const name = names[0]!;
    const target = `http://${name}:${port}/rebind`;

    const refusedHook = await subscribe(strict, target);
    // The name is not an address, so the API cannot judge it; the connect-time check must.
    expect(refusedHook.status).toBe(201);
    const test = await strict.api<{ ok: boolean; status: number | null; error: string | null }>('POST', `/v1/hooks/${refusedHook.body.id}/test`);
    expect(test.status).toBe(200);
    expect(test.body.ok).toBe(false);
    expect(test.body.status).toBeNull();
    expect(test.body.error).toMatch(/not allowed/);

    const connection = await strict.api<{ ingest_url: string }>('POST', '/v1/connections', { name: 'ssrf', vendor: 'absorb' });
    const event = completionRequest('absorb', {}, 1);
    expect((await fetchAnswer(connection.body.ingest_url, { method: 'POST', headers: event.headers, body: event.body })).status).toBe(202);
    const attemptError = await eventually(
      async () => {
        const deliveries = await strict.api<{ data: Array<{ id: string }> }>('GET', `/v1/deliveries?hook_id=${refusedHook.body.id}`);
        const id = deliveries.body.data[0]?.id;
        if (!id) return undefined;
        const delivery = await strict.api<{ attempts: Array<{ error: string | null; status: number | null }> }>('GET', `/v1/deliveries/${id}`);
        return delivery.body.attempts[0];
      },
      30_000,
      'the delivery attempt to the loopback name',
    );
    expect(attemptError.status).toBeNull();
    expect(attemptError.error).toMatch(/not allowed/);
    expect(receiver.received.filter((request) => request.url === '/rebind')).toEqual([]);

    // The same name on a hub that allows private targets reaches the receiver: the refusal above was the policy, not DNS.
    const allowedHook = await subscribe(relaxed, target);
    const allowedTest = await relaxed.api<{ ok: boolean; status: number }>('POST', `/v1/hooks/${allowedHook.body.id}/test`);
    expect([allowedTest.body.ok, allowedTest.body.status]).toEqual([true, 200]);
    expect(receiver.received.filter((request) => request.url === '/rebind')).toHaveLength(1);
    report({
      scenario: '5 ssrf delivery',
      tried: `hook to ${target} (${name} resolves to loopback): test send and a real delivery, private targets off; then on`,
      figures: { names_resolving_to_loopback: names.length, refused_sends: 2, delivered_when_allowed: 1 },
    });
  });

  it('does not follow a redirect from an allowed target to the metadata address', async () => {
    const redirecting = await startReceiver(() => ({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } }));
    try {
      const hook = await subscribe(relaxed, `${redirecting.url}/moved`);
      const test = await relaxed.api<{ ok: boolean; status: number }>('POST', `/v1/hooks/${hook.body.id}/test`);
      expect([test.body.ok, test.body.status]).toEqual([false, 302]);
      expect(redirecting.received).toHaveLength(1);
    } finally {
      await redirecting.close();
    }
  });
});
