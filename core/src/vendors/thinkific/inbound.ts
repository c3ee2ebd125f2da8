import { z } from 'zod';
import { SignatureError } from '../../errors.ts';
import { secret } from '../../secret-fields.ts';
import { digestsEqual } from '../../signatures/constant-time.ts';
import { decodeHex, hmacKey, hmacSha256 } from '../../signatures/hmac.ts';
import { eventTypesOf, type IngestRequest, type VendorAdapter } from '../adapter.ts';
import { randomText } from '../inbound-defaults.ts';
import { thinkificToCatalog } from './mapping.ts';
import { THINKIFIC_TOPICS } from './tables.ts';
import { parseThinkificWebhook, type ThinkificEvent } from './webhook.ts';

/**
 * Thinkific webhooks (https://support.thinkific.dev/hc/en-us/articles/4422685850775-Using-Webhooks,
 * https://support.thinkific.dev/hc/en-us/articles/4422658311703-Webhooks-Documentation).
 *
 * Signature: `X-Thinkific-Hmac-Sha256` is the hex HMAC-SHA256 of the raw body keyed with the
 * site's API key, or an app's client secret for webhooks an OAuth app created. Also sent:
 * `X-Thinkific-Topic` and `X-Thinkific-Subdomain`. Hex is decoded and compared as bytes, so the case
 * does not matter.
 *
 * Where the docs are silent, and what we do:
 * - No timestamp is signed, so a captured request could be replayed: the store's dedupe on the
 *   envelope id absorbs a replay of the same event, and the ingest URL's token stays secret.
 * - Whether webhooks made by hand in the admin UI are signed is not stated (it is reported that only
 *   those created through the Webhooks API are): an unsigned request is refused, never let through.
 * - Retries and whether a retry keeps the envelope `id` are not documented: the id is the dedupe key.
 * - The order_transaction.*, subscription.* and lead.created example bodies could not be read:
 *   their payloads are read leniently (webhook.ts) and the raw body is always kept.
 * - Orders name no currency (they are in the site's currency): currency stays null.
 */

/** The connection's inbound settings: the key Thinkific signs with. */
export const ThinkificInbound = z.object({
  signing_key: secret(z.string().min(1)).meta({
    title: 'Signing Key',
    description:
      "The site's API key (Settings > Code & analytics > API); for webhooks learnhook registers through an app's access token, that app's client secret.",
  }),
});
export type ThinkificInbound = z.infer<typeof ThinkificInbound>;

function verifySignature(request: IngestRequest, inbound: ThinkificInbound): void {
  const header = request.headers['x-thinkific-hmac-sha256'];
  if (!header) throw new SignatureError('Missing X-Thinkific-Hmac-Sha256 header.');
  const given = decodeHex(header.trim());
  if (!given) throw new SignatureError('The X-Thinkific-Hmac-Sha256 header is not hex.');
  const expected = hmacSha256(hmacKey(inbound.signing_key, 'utf8'), request.body);
  if (!digestsEqual(given, expected)) throw new SignatureError('The X-Thinkific-Hmac-Sha256 signature does not match the body.');
}

/** Thinkific webhooks: the hex HMAC of the body, one event per request, topics mapped by THINKIFIC_TOPICS. */
export const thinkificAdapter: VendorAdapter<ThinkificEvent, ThinkificInbound> = {
  vendor: 'thinkific',
  title: 'Thinkific',
  inboundSchema: ThinkificInbound,
  routes: ['webhook'],
  events: eventTypesOf(THINKIFIC_TOPICS),
  verify: verifySignature,
  parse: parseThinkificWebhook,
  toCatalog: thinkificToCatalog,
};

/**
 * A generated placeholder: Thinkific signs with the site's own API key, which only its owner can
 * paste here; until then every request is refused (401), never accepted unsigned.
 */
export const thinkificInboundDefaults = (): Record<string, unknown> => ({ signing_key: randomText(24) });
