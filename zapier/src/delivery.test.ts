import { SAMPLES, signStandardWebhook } from '@learnhook/core';
import { describe, expect, it } from 'vitest';
import { DELIVERY_TOLERANCE_SECONDS, readDelivery, standardHeaders } from './delivery.ts';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const now = 1_795_430_000;
const body = JSON.stringify(SAMPLES['enrollment.completed']);

/** A delivery as Zapier hands it to perform: headers prefixed "Http-" and Camel-Cased. */
function received(options: { body?: string; timestamp?: number; signedBody?: string } = {}) {
  const signed = signStandardWebhook({ id: 'dlv_1', timestampSeconds: options.timestamp ?? now, body: options.signedBody ?? body, secret });
  return {
    headers: {
      'Content-Type': 'application/json',
      'Http-Webhook-Id': signed['webhook-id'],
      'Http-Webhook-Timestamp': signed['webhook-timestamp'],
      'Http-Webhook-Signature': signed['webhook-signature'],
    },
    content: options.body ?? body,
  };
}

describe('reading a delivery', () => {
  it('accepts a correctly signed request and answers the envelope exactly as sent', () => {
    const result = readDelivery({ rawRequest: received(), cleanedRequest: undefined, secret, nowSeconds: now });
    expect(result).toEqual({ ok: true, verified: true, event: SAMPLES['enrollment.completed'] });
  });

  it('rejects a body that differs from the signed one by a single character', () => {
    const tampered = body.replace('Maya', 'Mara');
    const result = readDelivery({ rawRequest: received({ body: tampered, signedBody: body }), cleanedRequest: JSON.parse(tampered), secret, nowSeconds: now });
    expect(result).toEqual({ ok: false, reason: 'No webhook-signature matches the body.' });
  });

  it('rejects a request signed with another secret', () => {
    const result = readDelivery({ rawRequest: received(), cleanedRequest: undefined, secret: 'whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA==', nowSeconds: now });
    expect(result.ok).toBe(false);
  });

  it('rejects a request without the signature headers', () => {
    const result = readDelivery({
      rawRequest: { headers: { 'Content-Type': 'application/json' }, content: body },
      cleanedRequest: undefined,
      secret,
      nowSeconds: now,
    });
    expect(result).toEqual({ ok: false, reason: 'Missing webhook-id, webhook-timestamp or webhook-signature header.' });
  });

  it('accepts a delivery Zapier runs late within the tolerance, and rejects one beyond it', () => {
    const late = received({ timestamp: now - DELIVERY_TOLERANCE_SECONDS + 1 });
    expect(readDelivery({ rawRequest: late, cleanedRequest: undefined, secret, nowSeconds: now }).ok).toBe(true);
    const stale = received({ timestamp: now - DELIVERY_TOLERANCE_SECONDS - 1 });
    expect(readDelivery({ rawRequest: stale, cleanedRequest: undefined, secret, nowSeconds: now })).toEqual({
      ok: false,
      reason: 'webhook-timestamp is too old or too new.',
    });
  });

  it('uses the parsed body when Zapier gives no raw request', () => {
    const result = readDelivery({ rawRequest: undefined, cleanedRequest: SAMPLES['course.published'], secret, nowSeconds: now });
    expect(result).toEqual({ ok: true, verified: false, event: SAMPLES['course.published'] });
  });

  it('rejects a request that is not a learnhook event', () => {
    expect(readDelivery({ rawRequest: undefined, cleanedRequest: { hello: 'world' }, secret, nowSeconds: now })).toEqual({
      ok: false,
      reason: 'The request is not a learnhook event: it has no id and type.',
    });
    const signedText = received({ body: 'not json', signedBody: 'not json' });
    expect(readDelivery({ rawRequest: signedText, cleanedRequest: undefined, secret, nowSeconds: now })).toEqual({
      ok: false,
      reason: 'The request body is not JSON.',
    });
  });

  it("names Zapier's headers as the spec does", () => {
    expect(standardHeaders({ 'Http-Webhook-Signature': 'v1,x', 'Content-Type': 'application/json', 'webhook-id': 'a' })).toEqual({
      'webhook-signature': 'v1,x',
      'content-type': 'application/json',
      'webhook-id': 'a',
    });
  });
});
