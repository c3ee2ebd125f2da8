import { z } from 'zod';
import { SignatureError } from '../../errors.ts';
import { secret } from '../../secret-fields.ts';
import { digestsEqual } from '../../signatures/constant-time.ts';
import { decodeHex, hmacKey, hmacSha256 } from '../../signatures/hmac.ts';
import { eventTypesOf, type IngestReply, type IngestRequest, type VendorAdapter } from '../adapter.ts';
import { randomText } from '../inbound-defaults.ts';
import { learn365ToCatalog } from './mapping.ts';
import { type Learn365Event, parseLearn365Notifications } from './notifications.ts';
import { LEARN365_ACTIONS } from './tables.ts';

/**
 * Learn365 (Zensai, formerly LMS365) sends ASP.NET WebHooks.
 *
 * The body is serialised by Json.NET as indented JSON (CRLF line ends on Windows hosts) and signed
 * as it is sent: `ms-signature: sha256=<HEX>`, the HMAC-SHA256 of the body bytes keyed with the
 * registration's secret as UTF-8, in upper-case hex. learn365-notifications.ts reads the body,
 * learn365-mapping.ts maps it by the tables in learn365-tables.ts.
 *
 * Before it sends anything Learn365 checks the URL with a GET whose query is replaced by
 * `?echo=<value>` and expects exactly that value back as the body.
 */

/** The connection's inbound settings: the WebHook secret registered at Learn365 (ASP.NET WebHooks allows 32–64 characters). */
export const Learn365Inbound = z.object({
  secret: secret(z.string().min(32).max(64)).meta({ title: 'WebHook Secret' }),
});
export type Learn365Inbound = z.infer<typeof Learn365Inbound>;

function verifySignature(request: IngestRequest, inbound: Learn365Inbound): void {
  const header = request.headers['ms-signature'];
  if (!header) throw new SignatureError('Missing ms-signature header.');
  const match = /^\s*sha256=([0-9a-f]+)\s*$/i.exec(header);
  const given = match?.[1] ? decodeHex(match[1]) : null;
  if (!given) throw new SignatureError('The ms-signature header is not of the form sha256=<hex>.');
  const expected = hmacSha256(hmacKey(inbound.secret, 'utf8'), request.body);
  // Hex of either case decodes to the same bytes; comparing bytes, not strings, keeps upper-case senders valid.
  if (!digestsEqual(given, expected)) throw new SignatureError('The ms-signature does not match the body.');
}

/** Learn365's URL check: a GET with `?echo=`, answered with exactly the value as plain text. */
function handshake(request: IngestRequest): IngestReply | null {
  const echo = request.query.echo;
  if (request.method.toUpperCase() !== 'GET' || echo === undefined) return null;
  return { status: 200, contentType: 'text/plain; charset=utf-8', body: echo, headers: { 'x-content-type-options': 'nosniff' } };
}

/** Learn365 (Zensai) ASP.NET WebHooks: ms-signature check, ?echo= URL check, one event per notification and user. */
export const learn365Adapter: VendorAdapter<Learn365Event, Learn365Inbound> = {
  vendor: 'learn365',
  title: 'Learn365 (Zensai)',
  inboundSchema: Learn365Inbound,
  routes: ['webhook'],
  events: eventTypesOf(LEARN365_ACTIONS),
  verify: verifySignature,
  parse: parseLearn365Notifications,
  toCatalog: learn365ToCatalog,
  handshake,
};

/** A generated secret; ASP.NET WebHooks secrets are 32–64 characters. */
export const learn365InboundDefaults = (): Record<string, unknown> => ({ secret: randomText(36) });
