import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { SignatureError } from '../errors.ts';
import { generateSecret, secretKey, signStandardWebhook, verifyStandardWebhook } from './standard-webhooks.ts';

// Spec: "Standard Webhooks" (https://www.standardwebhooks.com/, github.com/standard-webhooks/standard-webhooks spec/standard-webhooks.md).
// The `standardwebhooks` npm package is the independent verifier.

const secret = generateSecret();
const body = '{"type":"enrollment.completed","data":{"learner":{"id":"u1"}}}';
const now = 1_795_000_000;

function signed(overrides: Partial<{ id: string; timestampSeconds: number; body: string; secret: string }> = {}) {
  const input = { id: 'msg_2b7Jk9', timestampSeconds: now, body, secret, ...overrides };
  return { headers: signStandardWebhook(input), body: input.body };
}

describe('signStandardWebhook', () => {
  it('produces headers the standardwebhooks reference library accepts', () => {
    const { headers } = signed({ timestampSeconds: Math.floor(Date.now() / 1000) });
    expect(() => new Webhook(secret).verify(body, { ...headers })).not.toThrow();
  });

  it('signs the exact body bytes, so a re-serialised body no longer verifies', () => {
    const { headers } = signed({ timestampSeconds: Math.floor(Date.now() / 1000) });
    const reserialised = JSON.stringify(JSON.parse(body), null, 2);
    expect(() => new Webhook(secret).verify(reserialised, { ...headers })).toThrow();
  });

  it('signs with a rotated-out secret too, space-separated, so the reference library verifies with either secret', () => {
    const next = generateSecret();
    const timestampSeconds = Math.floor(Date.now() / 1000);
    const headers = signStandardWebhook({ id: 'msg_rotating', timestampSeconds, body, secret: next, previousSecrets: [secret] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(next).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers })).not.toThrow();
    expect(() => new Webhook(generateSecret()).verify(body, { ...headers })).toThrow();
  });

  it('makes secrets of 32 random bytes with the whsec_ prefix', () => {
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(secretKey(secret).symmetricKeySize).toBe(32);
    expect(generateSecret()).not.toBe(secret);
  });
});

describe('verifyStandardWebhook', () => {
  const verify = (headers: Record<string, string | undefined>, text = body, secrets = [secret], nowSeconds = now) =>
    verifyStandardWebhook({ headers, body: text, secrets, nowSeconds });

  it('accepts a request signed by the reference library', () => {
    const reference = new Webhook(secret);
    const timestamp = new Date(now * 1000);
    const signature = reference.sign('msg_ref', timestamp, body);
    expect(verify({ 'webhook-id': 'msg_ref', 'webhook-timestamp': String(now), 'webhook-signature': signature })).toEqual({
      id: 'msg_ref',
      timestampSeconds: now,
    });
  });

  it('rejects a wrong signature', () => {
    const { headers } = signed({ secret: generateSecret() });
    expect(() => verify({ ...headers })).toThrow(SignatureError);
  });

  it('rejects a request with a missing header', () => {
    const { headers } = signed();
    expect(() => verify({ ...headers, 'webhook-signature': undefined })).toThrow(/Missing/);
    expect(() => verify({ ...headers, 'webhook-id': undefined })).toThrow(SignatureError);
  });

  it('rejects a valid signature replayed onto an altered body', () => {
    const { headers } = signed();
    expect(() => verify({ ...headers }, body.replace('u1', 'u2'))).toThrow(SignatureError);
  });

  it('rejects a timestamp more than five minutes old or ahead, so a captured request cannot be replayed later', () => {
    const { headers } = signed();
    expect(() => verify({ ...headers }, body, [secret], now + 301)).toThrow(/too old or too new/);
    expect(() => verify({ ...headers }, body, [secret], now - 301)).toThrow(/too old or too new/);
    expect(() => verify({ ...headers }, body, [secret], now + 299)).not.toThrow();
  });

  it('rejects a timestamp that is not unix seconds', () => {
    const { headers } = signed();
    expect(() => verify({ ...headers, 'webhook-timestamp': '2026-11-20T14:03:11Z' })).toThrow(/unix seconds/);
  });

  it('accepts any one of several signatures and several secrets, for key rotation', () => {
    const next = generateSecret();
    const { headers } = signed({ secret: next });
    const old = signed().headers['webhook-signature'];
    const both = { ...headers, 'webhook-signature': `${old} ${headers['webhook-signature']}` };
    expect(() => verify(both, body, [next])).not.toThrow();
    expect(() => verify({ ...headers }, body, [secret, next])).not.toThrow();
  });

  it('ignores signatures of versions it does not know', () => {
    const { headers } = signed();
    const v2 = headers['webhook-signature'].replace('v1,', 'v2,');
    expect(() => verify({ ...headers, 'webhook-signature': v2 })).toThrow(SignatureError);
  });
});
