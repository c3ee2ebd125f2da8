import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { connectAlm, type Receiver, receiverForTest, signedInOwner, startTestHub, subscribe, type TestHub } from '../testing/index.ts';
import { refusedUrl } from '../testing/listen.ts';

/** Alerts over a real hub: raised and resolved, logged, POSTed signed to LEARNHOOK_ALERT_URL, shown on the console's home page. */

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
let hub: TestHub | undefined;
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

interface Notification {
  type: 'alert.raised' | 'alert.resolved';
  hub: string;
  alert: { key: string; kind: string; message: string; since: string; link: string };
}

/** The alerts the receiver got, each checked against the alert secret as a subscriber would. */
function notifications(receiver: Receiver): Notification[] {
  return receiver.received.map((request) => {
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    return new Webhook(SECRET).verify(request.body, headers) as Notification;
  });
}

async function hubWithAlerts(receiver: Receiver, env: Record<string, string> = {}) {
  const logs: string[] = [];
  hub = await startTestHub({ LEARNHOOK_ALERT_URL: receiver.url, LEARNHOOK_ALERT_SECRET: SECRET, LEARNHOOK_ALERT_CHECK_MS: '3600000', ...env }, undefined, {
    logDestination: { write: (line: string) => void logs.push(line) },
  });
  return { hub, logs: () => logs.map((line) => JSON.parse(line) as { level: number; msg: string }) };
}

describe('alerts', () => {
  it('tell of a subscription the hub disabled, once, and that it is over once resumed: in the log, signed to the alert URL, on the home page', async () => {
    const receiver = await receiverForTest();
    const { hub, logs } = await hubWithAlerts(receiver);
    const made = await subscribe(hub.api, 'http://127.0.0.1:9/crm', await connectAlm(hub.api, 'alerting'));
    await hub.api('PATCH', `/v1/hooks/${made.id}`, { description: '<b>CRM</b> sync' });
    await hub.hub.store.updateHook(made.id, { status: 'disabled', status_reason: 'failing since Monday', failing_since: Date.now() - 5 * 86_400_000 });

    await hub.hub.checkAlerts();
    await hub.hub.checkAlerts();
    const [raised] = notifications(receiver);
    expect(receiver.received).toHaveLength(1);
    expect(raised).toMatchObject({ type: 'alert.raised', hub: hub.url, alert: { kind: 'hook_disabled', link: `/subscriptions/${made.id}` } });
    expect(raised?.alert.message).toContain('failing since Monday');
    expect(logs().find((line) => line.msg === raised?.alert.message)?.level).toBe(40);

    const owner = await signedInOwner(hub);
    const home = await owner.request('GET', '/');
    expect(home.text).toContain('Needs attention');
    expect(home.text).toContain(`<a href="/subscriptions/${made.id}">Open</a>`);
    expect(home.text).toContain('&lt;b&gt;CRM&lt;/b&gt; sync');
    expect(home.text).not.toContain('<b>CRM</b>');

    await hub.api('PATCH', `/v1/hooks/${made.id}`, { status: 'active' });
    await hub.hub.checkAlerts();
    expect(notifications(receiver).map((notification) => notification.type)).toEqual(['alert.raised', 'alert.resolved']);
    expect(receiver.received[1]?.headers['webhook-id']).not.toBe(receiver.received[0]?.headers['webhook-id']);
    expect((await owner.request('GET', '/')).text).not.toContain('Needs attention');
  });

  it('tell of an LMS API whose circuit breaker opened, and of a disk with less free space than the setting asks for', async () => {
    const receiver = await receiverForTest();
    const { hub } = await hubWithAlerts(receiver, { LEARNHOOK_LMS_FAILURES_TO_OPEN: '1', LEARNHOOK_DISK_MIN_FREE_PERCENT: '100' });
    const created = await hub.api('POST', '/v1/connections', {
      name: 'down-absorb',
      vendor: 'absorb',
      api: { base_url: await refusedUrl(), private_key: 'pk', username: 'u', password: 'p' },
    });
    // Saving API settings tries them once: the refused connection opens the breaker at once here.
    expect(created.body.api_check.ok).toBe(false);
    expect(created.body.api_health.circuit).toBe('open');

    await hub.hub.checkAlerts();
    const kinds = notifications(receiver).map((notification) => notification.alert.kind);
    expect(kinds.sort()).toEqual(['disk_low', 'lms_api_failing']);
    const lms = notifications(receiver).find((notification) => notification.alert.kind === 'lms_api_failing');
    expect(lms?.alert.message).toMatch(/The LMS API of down-absorb keeps failing \(.*ECONNREFUSED/);
  });

  it('are refused as a setting without a secret to sign them with', async () => {
    await expect(startTestHub({ LEARNHOOK_ALERT_URL: 'https://hooks.zapier.com/hooks/catch/1/abc/' })).rejects.toThrow(
      /LEARNHOOK_ALERT_SECRET: must be set when LEARNHOOK_ALERT_URL is set/,
    );
  });
});
