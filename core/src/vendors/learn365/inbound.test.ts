/**
 * Samples are built from the fields these public documents describe (none is copied):
 * - "Learn365 webhooks" (Zensai help center, formerly "LMS365 Webhooks"):
 *   https://helpcenter.zensai.com/hc/en-us/articles/115000764449-Learn365-webhooks — actions, ASP.NET WebHooks
 * - The certified LMS365 connector, microsoft/PowerPlatformConnectors
 *   certified-connectors/LMS365/apiDefinition.swagger.json — the notification schema of every trigger
 *   (enrollment, flat course, user shapes) and the CourseType values ELearning, ClassRoom, Webinar, TrainingPlan
 * - ASP.NET WebHooks sender, aspnet/WebHooks WebHookManager.cs — body {Id, Attempt, Properties,
 *   Notifications}, Json.NET indented serialisation, `ms-signature: sha256=<HEX>`, the ?echo= URL check
 */
import { describe, expect, it } from 'vitest';
import { SignatureError } from '../../errors.ts';
import { hmacSha256 } from '../../signatures/hmac.ts';
import { ingestRequest } from '../../testing/ingest-request.ts';
import { enrollmentNotification, learn365Envelope } from '../../testing/learn365-notifications.ts';
import type { IngestRequest } from '../adapter.ts';
import { learn365Adapter } from './inbound.ts';

const SECRET = 'c0ffee5ecret-learn365-0123456789abcdef';

/** Json.NET's indented output as a Windows host sends it: the exact bytes that were signed. */
function wireBody(body: unknown): Buffer {
  return Buffer.from(JSON.stringify(body, null, 2).replace(/\n/g, '\r\n'), 'utf8');
}

function signature(body: Buffer, secret = SECRET): string {
  return `sha256=${hmacSha256(Buffer.from(secret, 'utf8'), body).toString('hex').toUpperCase()}`;
}

function signed(body: unknown, headers: Record<string, string> = {}): IngestRequest {
  const bytes = wireBody(body);
  return ingestRequest({ body: bytes, headers: { 'ms-signature': signature(bytes), ...headers } });
}

describe('learn365 ms-signature', () => {
  const body = learn365Envelope([enrollmentNotification('CourseCompleted')]);

  it('accepts the upper-case hex Learn365 sends over the CRLF-indented body', () => {
    const request = signed(body);
    expect(request.body.includes('\r\n')).toBe(true);
    expect(request.headers['ms-signature']).toMatch(/^sha256=[0-9A-F]{64}$/);
    expect(() => learn365Adapter.verify(request, { secret: SECRET })).not.toThrow();
  });

  it('accepts lower-case hex too', () => {
    const bytes = wireBody(body);
    const request = ingestRequest({ body: bytes, headers: { 'ms-signature': signature(bytes).toLowerCase() } });
    expect(() => learn365Adapter.verify(request, { secret: SECRET })).not.toThrow();
  });

  it('rejects a signature made with another secret, without naming the secret', () => {
    const bytes = wireBody(body);
    const request = ingestRequest({ body: bytes, headers: { 'ms-signature': signature(bytes, 'another-secret-of-thirty-two-chars!!') } });
    expect(() => learn365Adapter.verify(request, { secret: SECRET })).toThrow(SignatureError);
    try {
      learn365Adapter.verify(request, { secret: SECRET });
    } catch (error) {
      expect(String(error)).not.toContain(SECRET);
    }
  });

  it('rejects a request without ms-signature', () => {
    const request = ingestRequest({ body: wireBody(body) });
    expect(() => learn365Adapter.verify(request, { secret: SECRET })).toThrow(/Missing ms-signature/);
  });

  it.each([
    ['a prefix other than sha256=', (sig: string) => sig.replace('sha256=', 'sha1=')],
    ['no prefix', (sig: string) => sig.replace('sha256=', '')],
    ['hex that is not whole bytes', (sig: string) => sig.slice(0, -1)],
    ['characters that are not hex', (sig: string) => `${sig.slice(0, -2)}ZZ`],
  ])('rejects a header with %s', (_what, mangle) => {
    const bytes = wireBody(body);
    const request = ingestRequest({ body: bytes, headers: { 'ms-signature': mangle(signature(bytes)) } });
    expect(() => learn365Adapter.verify(request, { secret: SECRET })).toThrow(SignatureError);
  });

  it('rejects a valid signature replayed onto an altered body', () => {
    const original = wireBody(body);
    const altered = Buffer.from(original.toString('utf8').replace('Maya Chen', 'Mallory'), 'utf8');
    const request = ingestRequest({ body: altered, headers: { 'ms-signature': signature(original) } });
    expect(() => learn365Adapter.verify(request, { secret: SECRET })).toThrow(SignatureError);
  });

  it('rejects the same JSON re-serialised without the CRLF indentation it was signed with', () => {
    const request = ingestRequest({ body: Buffer.from(JSON.stringify(body)), headers: { 'ms-signature': signature(wireBody(body)) } });
    expect(() => learn365Adapter.verify(request, { secret: SECRET })).toThrow(SignatureError);
  });

  it('holds the registered secret to 32–64 characters', () => {
    expect(learn365Adapter.inboundSchema.safeParse({ secret: SECRET }).success).toBe(true);
    expect(learn365Adapter.inboundSchema.safeParse({ secret: 'too-short' }).success).toBe(false);
    expect(learn365Adapter.inboundSchema.safeParse({ secret: 'x'.repeat(65) }).success).toBe(false);
  });
});

describe('learn365 URL check', () => {
  it('answers a GET with ?echo= with exactly the value as plain text', () => {
    const reply = learn365Adapter.handshake?.(ingestRequest({ method: 'GET', query: { echo: '9f86d081884c4d659a2feaa0c55ad015' } }));
    expect(reply).toMatchObject({ status: 200, body: '9f86d081884c4d659a2feaa0c55ad015' });
    expect(reply?.contentType).toMatch(/^text\/plain/);
  });

  it('leaves any other request to the normal route', () => {
    expect(learn365Adapter.handshake?.(ingestRequest({ method: 'GET' }))).toBeNull();
    expect(learn365Adapter.handshake?.(ingestRequest({ method: 'POST', query: { echo: 'x' }, body: {} }))).toBeNull();
  });
});
