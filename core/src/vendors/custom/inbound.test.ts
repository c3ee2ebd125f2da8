import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SignatureError } from '../../errors.ts';
import { SKILLFORGE_MAPPING, SKILLFORGE_VERIFY, skillforgeItem, skillforgeRequest } from '../../testing/custom-lms.ts';
import { ingestRequest } from '../../testing/ingest-request.ts';
import { customAdapter, mapCustomEvent } from './inbound.ts';
import { CustomInbound } from './mapping.ts';

/**
 * The custom adapter alone. "Pathwright Classic", a single-event LMS unknown to learnhook, sends
 * {event: "Course Completed", payload: {...}} with a fixed X-Webhook-Token header or an HMAC over
 * timestamp + "." + body in hex; Skillforge (testing/custom-lms.ts) batches under data.items.
 */

const context = { connection: 'acme', receivedAt: new Date('2026-11-20T14:03:11.482Z') };

const pathwright = {
  event: 'Course Completed',
  sent: '2026-11-20T14:03:09Z',
  payload: {
    id: 'pw-9931',
    student: { uid: 88, email: 'maya.chen@acme.example', name: 'Maya Chen' },
    course: { id: 4410, title: 'Forklift Basics' },
    grade: 92,
    status: 'PASSED',
  },
};

const PATHWRIGHT = CustomInbound.parse({
  mapping: {
    event_name: { path: 'event' },
    types: { 'course completed': 'enrollment.completed' },
    fields: {
      learner_id: { path: 'payload.student.uid' },
      learner_email: { path: 'payload.student.email' },
      course_id: { path: 'payload.course.id' },
      course_title: { path: 'payload.course.title' },
      enrollment_status: { path: 'payload.status' },
      enrollment_score: { path: 'payload.grade' },
      occurred_at: { path: 'sent' },
      event_id: { path: 'payload.id' },
    },
  },
});

const mapAll = (request: ReturnType<typeof ingestRequest>, inbound: CustomInbound) =>
  customAdapter.parse(request, inbound).map((event) => mapCustomEvent(event, context));

describe('customAdapter mapping', () => {
  it('maps a single-event body, matching the event name whatever its case and spacing', () => {
    const [only, ...rest] = mapAll(ingestRequest({ body: pathwright }), PATHWRIGHT);
    expect(rest).toEqual([]);
    expect(only?.problems).toEqual([]);
    expect(only?.mapped.event).toMatchObject({
      type: 'enrollment.completed',
      occurred_at: '2026-11-20T14:03:09.000Z',
      source: { vendor: 'custom', event: 'Course Completed', event_id: 'pw-9931' },
      learner: { id: '88', email: 'maya.chen@acme.example' },
      course: { id: '4410', title: 'Forklift Basics' },
      enrollment: { status: 'completed', score: 92 },
    });
    expect(only?.mapped.dedupeKey).toBe('id:pw-9931');
  });

  it('maps each element of a batch, reading $-paths from the whole body', () => {
    const inbound = CustomInbound.parse({ mapping: { ...SKILLFORGE_MAPPING, fields: { ...SKILLFORGE_MAPPING.fields, course_title: { path: '$.tenant' } } } });
    const mapped = mapAll(ingestRequest({ body: skillforgeRequest([skillforgeItem(1), skillforgeItem(2)]).body }), inbound);
    expect(mapped.map(({ mapped: { event } }) => [event.learner?.id, event.course?.title])).toEqual([
      ['P-1001', 'northwind'],
      ['P-1002', 'northwind'],
    ]);
  });

  it('uses a constant when the path finds nothing, and names a value it cannot use', () => {
    const inbound = CustomInbound.parse({
      mapping: { ...PATHWRIGHT.mapping, fields: { ...PATHWRIGHT.mapping.fields, course_title: { path: 'payload.course.name', value: 'Untitled' } } },
    });
    const body = {
      ...pathwright,
      payload: { ...pathwright.payload, grade: 'A+', status: 'Great', student: { ...pathwright.payload.student, email: { primary: 'x' } } },
    };
    const [one] = mapAll(ingestRequest({ body }), inbound);
    expect(one?.mapped.event.course?.title).toBe('Untitled');
    expect(one?.mapped.event.enrollment).toMatchObject({ status: 'unknown', score: null });
    expect(one?.problems.map((problem) => problem.setting)).toEqual([
      'mapping.fields.learner_email',
      'mapping.fields.enrollment_status',
      'mapping.fields.enrollment_score',
    ]);
  });

  it('makes a type whose required learner the mapping does not find lms.event, and says why', () => {
    const body = { ...pathwright, payload: { ...pathwright.payload, student: {} } };
    const [one] = mapAll(ingestRequest({ body }), PATHWRIGHT);
    expect(one?.mapped.event.type).toBe('lms.event');
    expect(one?.problems.at(-1)).toMatchObject({ setting: 'mapping.fields', message: expect.stringContaining('enrollment.completed needs more') });
  });

  it("takes an enrollment's status from its type when the LMS sends none, and leaves out parts the type never has", () => {
    const { enrollment_status: _status, ...fields } = PATHWRIGHT.mapping.fields;
    const inbound = CustomInbound.parse({ mapping: { ...PATHWRIGHT.mapping, fields } });
    expect(mapAll(ingestRequest({ body: pathwright }), inbound)[0]?.mapped.event.enrollment).toMatchObject({ status: 'completed', score: 92 });
    const joined = CustomInbound.parse({ mapping: { ...PATHWRIGHT.mapping, types: { 'course completed': 'user.created' } } });
    const [user] = mapAll(ingestRequest({ body: pathwright }), joined);
    expect(user?.mapped.event).toMatchObject({ type: 'user.created', learner: { id: '88' }, course: null, enrollment: null });
  });

  it('keeps everything as one lms.event on a connection not yet mapped', () => {
    const [one, ...rest] = mapAll(ingestRequest({ body: pathwright }), CustomInbound.parse({}));
    expect(rest).toEqual([]);
    expect(one?.mapped.event).toMatchObject({ type: 'lms.event', raw: pathwright });
  });

  it('refuses a body nested deeper than any webhook needs with a 400', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(65)}1${'}'.repeat(65)}`);
    const shallow = JSON.parse(`${'{"a":'.repeat(64)}1${'}'.repeat(64)}`);
    expect(() => customAdapter.parse(ingestRequest({ body: deep }), CustomInbound.parse({}))).toThrow(/deeper than 64 levels/);
    expect(customAdapter.parse(ingestRequest({ body: shallow }), CustomInbound.parse({}))).toHaveLength(1);
  });

  it('refuses a body with more events than a request may carry', () => {
    const inbound = CustomInbound.parse({ mapping: { events: 'items' } });
    expect(() => customAdapter.parse(ingestRequest({ body: { items: Array.from({ length: 1001 }, () => ({})) } }), inbound)).toThrow(/more than 1000/);
  });
});

describe('customAdapter.verify', () => {
  const request = (headers: Record<string, string>, body = JSON.stringify(pathwright)) => ingestRequest({ body, headers });

  it('accepts any request when only the ingest URL token protects the connection', () => {
    expect(() => customAdapter.verify(request({}), CustomInbound.parse({}))).not.toThrow();
  });

  it('checks a fixed header value', () => {
    const inbound = CustomInbound.parse({ verify: { method: 'header', header: 'X-Webhook-Token', secret: 'pw_tok_81hQ2mZr' } });
    expect(() => customAdapter.verify(request({ 'X-Webhook-Token': 'pw_tok_81hQ2mZr' }), inbound)).not.toThrow();
    expect(() => customAdapter.verify(request({ 'X-Webhook-Token': 'pw_tok_81hQ2mZR' }), inbound)).toThrow(SignatureError);
    expect(() => customAdapter.verify(request({}), inbound)).toThrow(/Missing the x-webhook-token header/);
  });

  it('checks an HMAC over the raw body with the prefix, algorithm and encoding the mapping names', () => {
    const inbound = CustomInbound.parse({ verify: SKILLFORGE_VERIFY });
    const signed = skillforgeRequest([skillforgeItem(1)]);
    expect(() => customAdapter.verify(request(signed.headers, signed.body), inbound)).not.toThrow();
    expect(() => customAdapter.verify(request(signed.headers, `${signed.body} `), inbound)).toThrow(SignatureError);
    const sha1 = CustomInbound.parse({ verify: { ...SKILLFORGE_VERIFY, algorithm: 'sha1' } });
    expect(() => customAdapter.verify(request(signed.headers, signed.body), sha1)).toThrow(SignatureError);
  });

  it('checks an HMAC over timestamp.body in hex', () => {
    const inbound = CustomInbound.parse({
      verify: { method: 'hmac', header: 'X-Signature', secret: 'pw_sign_3f9KxQ7t', signed: 'timestamp.body', timestamp_header: 'X-Timestamp' },
    });
    const body = JSON.stringify(pathwright);
    const signature = createHmac('sha256', 'pw_sign_3f9KxQ7t').update(`1795183389.${body}`).digest('hex');
    expect(() => customAdapter.verify(request({ 'X-Signature': signature, 'X-Timestamp': '1795183389' }, body), inbound)).not.toThrow();
    expect(() => customAdapter.verify(request({ 'X-Signature': signature, 'X-Timestamp': '1795183390' }, body), inbound)).toThrow(SignatureError);
    expect(() => customAdapter.verify(request({ 'X-Signature': signature }, body), inbound)).toThrow(/Missing the x-timestamp header/);
  });
});

describe('CustomInbound', () => {
  it('names the settings an HMAC needs and an unknown catalog type', () => {
    const result = CustomInbound.safeParse({ verify: { method: 'hmac', signed: 'timestamp.body' }, mapping: { types: { done: 'course.finished' } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(expect.arrayContaining(['mapping.types.done']));
    const verify = CustomInbound.safeParse({ verify: { method: 'hmac', signed: 'timestamp.body' } });
    expect(verify.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['verify.header', 'verify.secret', 'verify.timestamp_header']);
  });
});
