/*
 * End to end: Kajabi's documented purchase sample (GET /v1/hooks/purchase_sample in the Kajabi
 * Public API reference, https://developers.kajabi.com), with the emulated site's contact id, sent
 * unsigned as Kajabi sends it, through a real hub to a subscriber; then the same event with the
 * customer's details left out, filled in from the emulated Kajabi API (client credentials, contacts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogEvent } from '../../catalog/index.ts';
import type { ConnectionAnswer } from '../../operations/schemas.ts';
import { emulatedApi, eventually, receiverForTest, sendToIngest, serveEmulator, startTestHub, type TestHub } from '../../testing/index.ts';

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

describe('a Kajabi webhook through the hub', { timeout: 20_000 }, () => {
  it('arrives at the subscriber as order.created with the buyer, and a lean one is filled in from the API', async () => {
    const receiver = await receiverForTest();
    expect((await hub.api('POST', '/v1/hooks', { url: receiver.url, events: ['order.created'] })).status).toBe(201);
    const lms = await serveEmulator(emulatedApi('kajabi'));
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'studio', vendor: 'kajabi', api: lms.settings });
    expect(created.status).toBe(201);
    const user = lms.data.users[0];
    if (!user) throw new Error('the demo data has users');
    const contact = String(user.id);
    const purchase = (id: string) => ({
      id,
      type: 'purchases',
      attributes: { amount_in_cents: 1000, payment_type: 'single', currency: 'USD', coupon_code: null, quantity: 1, created_at: '2025-07-31T16:59:27.580Z' },
      relationships: {
        customer: { data: { id: contact, type: 'customers' } },
        contact: { data: { id: contact, type: 'contacts' } },
        offer: { data: { id: '0', type: 'offers' } },
      },
    });
    const documented = {
      id: '501',
      event: 'purchase',
      payload: [
        purchase('501'),
        { id: '0', type: 'offers', attributes: { title: 'Kajabi Test Offer', currency: 'USD', price_in_cents: 1000, payment_type: 'single' } },
        {
          id: contact,
          type: 'customers',
          attributes: { name: 'John Doe', email: 'john.doe@example.com' },
          relationships: { contact: { data: { id: contact, type: 'contacts' } } },
        },
      ],
    };
    const lean = { id: '502', event: 'purchase', payload: [purchase('502')] };
    for (const body of [documented, lean]) {
      const answer = await sendToIngest(created.body.ingest_url, { path: '', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(answer.status).toBe(202);
    }

    const events = await eventually(
      async () => {
        const mine = receiver.received.map((request) => JSON.parse(request.body) as CatalogEvent).filter((one) => one.source.connection === 'studio');
        return mine.length >= 2 && mine;
      },
      15_000,
      'both deliveries',
    );
    const byId = (id: string) => events.find((event) => event.source.event_id === id);
    expect(byId('501')).toMatchObject({
      type: 'order.created',
      source: { vendor: 'kajabi', event: 'purchase' },
      learner: { id: contact, email: 'john.doe@example.com', name: 'John Doe' },
      data: { order: { amount: 1000, currency: 'USD' }, product: { name: 'Kajabi Test Offer' } },
    });
    expect(byId('502')).toMatchObject({
      type: 'order.created',
      learner: { id: contact, email: user.email, first_name: user.first_name, last_name: user.last_name },
      hydration: { status: 'complete' },
    });
  });
});
