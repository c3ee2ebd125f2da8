import { z } from 'zod';
import { eventTypesOf, type VendorAdapter } from '../adapter.ts';
import { kajabiToCatalog } from './mapping.ts';
import { KAJABI_EVENTS } from './tables.ts';
import { type KajabiEvent, parseKajabiWebhook } from './webhook.ts';

/**
 * Kajabi webhooks, created through its Public API (`POST /v1/hooks` with `target_url` and `event`;
 * https://developers.kajabi.com, the Webhooks section of the Public API reference). The body is
 * `{id, event, payload}` (webhook.ts), mapped by KAJABI_EVENTS (mapping.ts).
 *
 * Where the docs are silent, and what we do:
 * - No signature, secret or authentication header is documented for outbound webhooks, so there is
 *   nothing to verify: the connection is protected by the unguessable token in its ingest URL,
 *   which is what a hook's target_url carries. verify checks nothing further, on purpose.
 * - No delivery id and no retry policy are documented, and `id` is the triggering resource's id:
 *   the dedupe key adds a digest of the exact body (webhook.ts).
 * - The payload samples name no time for tag events: the contact's updated_at stands in.
 */
export const KajabiInbound = z.object({});
export type KajabiInbound = z.infer<typeof KajabiInbound>;

/** Kajabi webhooks: no signature to check (the ingest URL's token protects them), one event per request. */
export const kajabiAdapter: VendorAdapter<KajabiEvent, KajabiInbound> = {
  vendor: 'kajabi',
  title: 'Kajabi',
  inboundSchema: KajabiInbound,
  routes: ['webhook'],
  events: eventTypesOf(KAJABI_EVENTS),
  verify: () => {},
  parse: parseKajabiWebhook,
  toCatalog: kajabiToCatalog,
};

/** Nothing to generate: Kajabi signs nothing, and the ingest URL's token is the connection's own. */
export const kajabiInboundDefaults = (): Record<string, unknown> => ({});
