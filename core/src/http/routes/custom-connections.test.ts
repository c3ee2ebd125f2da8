import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreviewAnswer } from '../../operations/custom-preview.ts';
import type { ConnectionAnswer } from '../../operations/schemas.ts';
import {
  envelopeOf,
  issuePaths,
  receiverForTest,
  SKILLFORGE_MAPPING,
  SKILLFORGE_VERIFY,
  sendToIngest,
  skillforgeBody,
  skillforgeItem,
  skillforgeRequest,
  startTestHub,
  type TestHub,
} from '../../testing/index.ts';

/**
 * A custom connection (issue 16 §4) over real HTTP: an LMS no adapter knows (Skillforge, in
 * testing/custom-lms.ts) mapped by data through the API, its webhooks delivered as catalog events,
 * bad mappings refused or named, its signature checked, and the preview storing nothing.
 */

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

async function customConnection(name: string, inbound: Record<string, unknown> = { mapping: SKILLFORGE_MAPPING }): Promise<ConnectionAnswer> {
  const { status, body } = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name, vendor: 'custom', ...inbound });
  expect(status, JSON.stringify(body)).toBe(201);
  return body;
}

async function subscriber(connection: ConnectionAnswer) {
  const receiver = await receiverForTest();
  const hook = await hub.api('POST', '/v1/hooks', { url: receiver.url, events: ['*'], filter: { connection: connection.name } });
  expect(hook.status, JSON.stringify(hook.body)).toBe(201);
  return receiver;
}

const eventsOf = async (connection: ConnectionAnswer) =>
  (await hub.api<{ data: Array<{ type: string; id: string }> }>('GET', `/v1/events?connection=${connection.id}&limit=100`)).body.data;

describe('custom connections', { timeout: 30_000 }, () => {
  it('maps a batched body from an unknown LMS to catalog events with learner and course read from the paths', async () => {
    const connection = await customConnection('skillforge-batch', { mapping: SKILLFORGE_MAPPING, verify: SKILLFORGE_VERIFY });
    const receiver = await subscriber(connection);
    const started = skillforgeItem(2, 'module.started', { outcome: { state: 'In Progress', percent: '10', finished: 0 } });
    const response = await sendToIngest(connection.ingest_url, skillforgeRequest([skillforgeItem(1), started, skillforgeItem(3, 'badge.earned')]));
    expect(response.status).toBe(202);
    const delivered = (await receiver.waitFor(3)).map((request) => JSON.parse(request.body) as Record<string, any>);
    const byLearner = Object.fromEntries(delivered.map((event) => [event.learner?.id, event]));
    const completed = byLearner['P-1001'];
    expect(completed).toMatchObject({
      type: 'enrollment.completed',
      occurred_at: '2026-11-20T14:03:12.000Z',
      source: { vendor: 'custom', connection: 'skillforge-batch', event: 'module.passed', event_id: 'sf-evt-1' },
      learner: { id: 'P-1001', email: 'learner1@northwind.example', name: 'Learner 1' },
      course: { id: 'MOD-SAFETY-2', title: 'Warehouse Safety, part 2' },
      enrollment: { status: 'completed', score: 87.5, completed_at: '2026-11-20T14:03:12.000Z' },
    });
    expect(byLearner['P-1002']).toMatchObject({ type: 'enrollment.started', enrollment: { status: 'in_progress', score: 10 } });
    // A name the mapping has no type for is still delivered, as lms.event with what was sent.
    expect(byLearner['P-1003']).toMatchObject({ type: 'lms.event', source: { event: 'badge.earned' }, raw: { uid: 'sf-evt-3' } });
  });

  it('stores a retried webhook once, by the event id the mapping points at', async () => {
    const connection = await customConnection('skillforge-retry');
    for (let attempt = 0; attempt < 2; attempt++) expect((await sendToIngest(connection.ingest_url, skillforgeRequest([skillforgeItem(7)]))).status).toBe(202);
    expect(await eventsOf(connection)).toHaveLength(1);
  });

  it('refuses a mapping with an unknown catalog type or an unreadable path at save, naming each setting', async () => {
    const bad = {
      ...SKILLFORGE_MAPPING,
      types: { 'module.passed': 'enrollment.finished' },
      fields: { ...SKILLFORGE_MAPPING.fields, learner_email: { path: 'person..mail' } },
    };
    const created = await hub.api('POST', '/v1/connections', { name: 'skillforge-bad', vendor: 'custom', mapping: bad });
    expect(created.status).toBe(400);
    expect(issuePaths(created.body)).toEqual(expect.arrayContaining(['mapping.types.module.passed', 'mapping.fields.learner_email.path']));
    expect((await hub.api('GET', '/v1/connections/skillforge-bad')).status).toBe(404);

    const connection = await customConnection('skillforge-patch');
    const changed = await hub.api('PATCH', `/v1/connections/${connection.id}`, { mapping: { ...SKILLFORGE_MAPPING, events: 'data.items[x]' } });
    expect(changed.status).toBe(400);
    expect(issuePaths(changed.body)).toEqual(['mapping.events']);
    const kept = await hub.api<ConnectionAnswer>('GET', `/v1/connections/${connection.id}`);
    expect(kept.body.inbound).toMatchObject({ mapping: { events: 'data.items' } });
  });

  it('refuses a request whose signature the mapping describes but does not match with a 401, storing nothing', async () => {
    const connection = await customConnection('skillforge-signed', { mapping: SKILLFORGE_MAPPING, verify: SKILLFORGE_VERIFY });
    const forged = skillforgeRequest([skillforgeItem(11)], 'not-the-secret-at-all');
    expect((await sendToIngest(connection.ingest_url, forged)).status).toBe(401);
    const unsigned = { ...forged, headers: { 'content-type': 'application/json' } };
    expect((await sendToIngest(connection.ingest_url, unsigned)).status).toBe(401);
    // A correct signature over another body does not carry over to this one.
    const good = skillforgeRequest([skillforgeItem(12)]);
    expect((await sendToIngest(connection.ingest_url, { ...good, body: skillforgeBody([skillforgeItem(13)]) })).status).toBe(401);
    expect(await eventsOf(connection)).toEqual([]);
    expect((await sendToIngest(connection.ingest_url, good)).status).toBe(202);
    expect(await eventsOf(connection)).toHaveLength(1);
  });

  it('previews a draft mapping over the latest requests the LMS sent, naming problems per event and changing nothing', async () => {
    // Before any mapping, what the LMS sends is kept whole as one lms.event, so the mapping can start from it.
    const connection = await customConnection('skillforge-preview', {});
    const receiver = await subscriber(connection);
    await sendToIngest(connection.ingest_url, skillforgeRequest([skillforgeItem(21), skillforgeItem(22, 'module.passed', { person: undefined })]));
    const [first] = await receiver.waitFor(1);
    expect(envelopeOf(JSON.parse(first?.body ?? '{}')).type).toBe('lms.event');
    const before = await eventsOf(connection);

    const { status, body } = await hub.api<PreviewAnswer>('POST', `/v1/connections/${connection.id}/preview`, { mapping: SKILLFORGE_MAPPING });
    expect(status).toBe(200);
    expect(body.requests).toHaveLength(1);
    const [request] = body.requests;
    expect(request?.source).toBe('recent');
    expect(request?.events.map((event) => event.type)).toEqual(['enrollment.completed', 'lms.event']);
    expect(request?.events[0]?.envelope).toMatchObject({ learner: { email: 'learner21@northwind.example' }, course: { id: 'MOD-SAFETY-2' } });
    expect(request?.events[0]?.problems).toEqual([]);
    const settings = request?.events[1]?.problems.map((problem) => problem.setting);
    expect(settings).toEqual(expect.arrayContaining(['mapping.fields.learner_id', 'mapping.fields.learner_email', 'mapping.fields']));
    expect(request?.events[1]?.problems.find((problem) => problem.setting === 'mapping.fields.learner_id')?.message).toBe(
      'person.ref finds nothing in this event.',
    );

    // An unknown type in a draft is refused as a save would refuse it.
    const draft = await hub.api('POST', `/v1/connections/${connection.id}/preview`, { mapping: { ...SKILLFORGE_MAPPING, types: { x: 'nope' } } });
    expect(draft.status).toBe(400);
    expect(issuePaths(draft.body)).toEqual(['mapping.types.x']);

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await eventsOf(connection)).toEqual(before);
    expect(receiver.received).toHaveLength(1);
    const saved = await hub.api<ConnectionAnswer>('GET', `/v1/connections/${connection.id}`);
    expect(saved.body.inbound).toMatchObject({ mapping: { events: '', types: {} } });
  });

  it('previews a pasted sample, checking the signature the draft describes', async () => {
    const connection = await customConnection('skillforge-sample', { verify: SKILLFORGE_VERIFY });
    const sample = skillforgeRequest([skillforgeItem(31)]);
    const preview = (headers: Record<string, string>) =>
      hub.api<PreviewAnswer>('POST', `/v1/connections/${connection.id}/preview`, { mapping: SKILLFORGE_MAPPING, sample: { body: sample.body, headers } });
    const signed = await preview(sample.headers);
    expect(signed.status).toBe(200);
    expect(signed.body.requests[0]).toMatchObject({ source: 'sample', verification: { ok: true }, events: [{ type: 'enrollment.completed' }] });
    const unsigned = await preview({});
    expect(unsigned.body.requests[0]?.verification).toMatchObject({ ok: false, message: expect.stringContaining('x-skillforge-signature') });
    const wrongPath = await hub.api<PreviewAnswer>('POST', `/v1/connections/${connection.id}/preview`, {
      mapping: { ...SKILLFORGE_MAPPING, events: 'payload.notifications' },
      sample: { body: JSON.parse(sample.body) },
    });
    expect(wrongPath.body.requests[0]?.events.map((event) => event.type)).toEqual(['lms.event']);
    expect(wrongPath.body.requests[0]?.events[0]?.problems[0]).toEqual({
      setting: 'mapping.events',
      message: 'payload.notifications finds nothing in this body; the whole body is kept as one lms.event.',
    });
    expect(await eventsOf(connection)).toEqual([]);
  });

  it('checks a fixed header and blanks its value in the stored request, so the preview says it cannot check it', async () => {
    const token = 'pw_tok_81hQ2mZr-static';
    const connection = await customConnection('pathwright-header', { verify: { method: 'header', header: 'X-Webhook-Token', secret: token } });
    const body = JSON.stringify({ event: 'Course Completed', payload: { id: 'pw-1' } });
    const send = (value: string) =>
      sendToIngest(connection.ingest_url, { path: '', headers: { 'content-type': 'application/json', 'x-webhook-token': value }, body });
    expect((await send('wrong-token-value')).status).toBe(401);
    expect((await send(token)).status).toBe(202);
    const [stored] = await hub.hub.store.listRawRequests(connection.id, 1);
    expect(stored?.headers['x-webhook-token']).toBe('[redacted]');
    const preview = await hub.api<PreviewAnswer>('POST', `/v1/connections/${connection.id}/preview`, {});
    expect(preview.body.requests[0]?.verification).toEqual({ ok: false, message: expect.stringContaining('blanked when stored') });
  });

  it('keeps the signing secret when a change to the verify settings leaves it out, as it was shown only once', async () => {
    const connection = await customConnection('skillforge-keep', { mapping: SKILLFORGE_MAPPING, verify: SKILLFORGE_VERIFY });
    const { secret: _secret, ...withoutSecret } = SKILLFORGE_VERIFY;
    const changed = await hub.api<ConnectionAnswer>('PATCH', `/v1/connections/${connection.id}`, {
      verify: { ...withoutSecret, header: 'X-Skillforge-Signature' },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect((await sendToIngest(connection.ingest_url, skillforgeRequest([skillforgeItem(51)]))).status).toBe(202);
    const rotated = await hub.api('PATCH', `/v1/connections/${connection.id}`, { verify: { ...SKILLFORGE_VERIFY, secret: 'sf_whk_rotated_key_2' } });
    expect(rotated.status).toBe(200);
    expect((await sendToIngest(connection.ingest_url, skillforgeRequest([skillforgeItem(52)]))).status).toBe(401);
    expect((await sendToIngest(connection.ingest_url, skillforgeRequest([skillforgeItem(53)], 'sf_whk_rotated_key_2'))).status).toBe(202);
  });

  it('answers a preview on a connection of another vendor with a 400', async () => {
    const other = await hub.api<ConnectionAnswer>('POST', '/v1/connections', { name: 'not-custom', vendor: 'absorb' });
    expect((await hub.api('POST', `/v1/connections/${other.body.id}/preview`, {})).status).toBe(400);
  });
});
