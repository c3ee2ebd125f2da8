import { z } from 'zod';
import { RegistrationError, type RegistrationHttp, registerOnePerEvent, unregisterEach, type VendorRegistration } from '../../hydrate/registration.ts';
import type { KajabiApiSettings } from './api-client.ts';
import { KAJABI_EVENTS } from './tables.ts';

/**
 * Kajabi's hooks API (https://developers.kajabi.com/api-reference/webhooks/create-hook, list-hooks,
 * hook-details, delete-hook), with the bearer token `POST /v1/oauth/token` issues for the
 * connection's client credentials (as the API client gets it):
 * - `POST /v1/hooks`, JSON:API (`application/vnd.api+json`): `{data: {type: "hooks", attributes:
 *   {event, target_url}, relationships: {site: {data: {id, type: "sites"}}}}}`, one hook per event;
 *   the site relationship is required. Without `resource_id` a hook fires for every event of its
 *   type ("wildcard"), which is what a connection wants. 201 answers `{data: {id, type: "hooks", ...}}`.
 * - The site is the one `GET /v1/sites` lists for the key, or the `site_id` setting when it lists several.
 * - `DELETE /v1/hooks/{id}`: 204, or 404 when there is none.
 * - Errors: `{errors: [{status, source, title, detail}]}`; a hook for an event the key has no
 *   scope for (view:purchases, view:contacts, ...) is refused.
 * Kajabi signs nothing, so no secret goes with the hook: the ingest URL's token protects it.
 *
 * The remote id is the hooks' ids joined with commas (registerOnePerEvent: all or nothing).
 */

const Token = z.looseObject({ access_token: z.string().min(1) });
const Id = z.union([z.string().min(1), z.number()]).transform(String);
const Created = z.looseObject({ data: z.looseObject({ id: Id }) });
const Sites = z.looseObject({ data: z.array(z.looseObject({ id: Id, attributes: z.looseObject({ title: z.string().nullish() }).nullish() })) });

/** Kajabi's JSON:API errors: {errors: [{detail | title}]}. */
function messageOf(body: unknown): string | null {
  if (typeof body === 'string') return body.slice(0, 200) || null;
  const parsed = z.looseObject({ errors: z.array(z.looseObject({ detail: z.string().nullish(), title: z.string().nullish() })).min(1) }).safeParse(body);
  const first = parsed.success ? parsed.data.errors[0] : undefined;
  return first?.detail ?? first?.title ?? null;
}

function refusal(what: string, status: number, body: unknown): RegistrationError {
  const said = messageOf(body);
  const hint =
    status === 401 || status === 403
      ? ' Check the client ID and secret (Settings > Public API > User API Keys): the key needs permission to manage webhooks.'
      : '';
  return new RegistrationError(`Kajabi refused ${what} (HTTP ${status})${said ? `: ${said.replace(/[.\s]+$/, '')}.` : '.'}${hint}`, { status });
}

const rootOf = (settings: KajabiApiSettings) => `${settings.base_url.replace(/\/+$/, '')}/v1`;

async function bearer(settings: KajabiApiSettings, http: RegistrationHttp): Promise<string> {
  const answer = await http.request({
    method: 'POST',
    url: `${rootOf(settings)}/oauth/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: settings.client_id, client_secret: settings.client_secret, grant_type: 'client_credentials' }).toString(),
  });
  if (answer.status !== 200) throw refusal('the client credentials', answer.status, answer.body);
  const token = Token.safeParse(answer.body);
  if (!token.success) throw new RegistrationError('Kajabi answered the token request without an access token.');
  return token.data.access_token;
}

/** The site the hooks belong to: the `site_id` setting, else the key's only site. */
async function siteOf(settings: KajabiApiSettings, token: string, http: RegistrationHttp): Promise<string> {
  if (settings.site_id) return settings.site_id;
  const answer = await http.request({ method: 'GET', url: `${rootOf(settings)}/sites`, headers: { authorization: `Bearer ${token}` } });
  if (answer.status !== 200) throw refusal('listing the sites of the key', answer.status, answer.body);
  const sites = Sites.safeParse(answer.body);
  if (!sites.success) throw new RegistrationError('Kajabi answered the list of sites in a shape learnhook does not know.');
  const [only, ...others] = sites.data.data;
  if (!only) throw new RegistrationError('The Kajabi key reaches no site to register hooks for.');
  if (others.length)
    throw new RegistrationError(
      `The Kajabi key reaches ${sites.data.data.length} sites (${sites.data.data.map((site) => `${site.attributes?.title ?? 'untitled'}: ${site.id}`).join(', ')}): set the API setting site_id to the one whose events to send.`,
    );
  return only.id;
}

async function remove(settings: KajabiApiSettings, token: string, id: string, http: RegistrationHttp): Promise<void> {
  const answer = await http.request({
    method: 'DELETE',
    url: `${rootOf(settings)}/hooks/${encodeURIComponent(id)}`,
    headers: { authorization: `Bearer ${token}` },
  });
  // 404: Kajabi no longer has it, which is what was wanted.
  if (answer.status === 404 || (answer.status >= 200 && answer.status < 300)) return;
  throw refusal(`removing the hook ${id}`, answer.status, answer.body);
}

/** Kajabi creates one hook per event picked, for the ingest URL. */
export const kajabiRegistration: VendorRegistration<KajabiApiSettings> = {
  events: Object.keys(KAJABI_EVENTS),
  manualRemoval: 'Kajabi keeps each hook until it is deleted with DELETE /v1/hooks/<id> on its API (the ids are the registration, comma-separated)',

  async register(settings, request, http) {
    const token = await bearer(settings, http);
    const site = await siteOf(settings, token, http);
    return registerOnePerEvent(
      request.events,
      async (event) => {
        const answer = await http.request({
          method: 'POST',
          url: `${rootOf(settings)}/hooks`,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.api+json' },
          body: JSON.stringify({
            data: { type: 'hooks', attributes: { event, target_url: request.url }, relationships: { site: { data: { id: site, type: 'sites' } } } },
          }),
        });
        if (answer.status !== 200 && answer.status !== 201) throw refusal(`the hook for ${event}`, answer.status, answer.body);
        const created = Created.safeParse(answer.body);
        if (!created.success) throw new RegistrationError(`Kajabi made the hook for ${event} but answered no id: look for it in Kajabi and remove duplicates.`);
        return created.data.data.id;
      },
      (id) => remove(settings, token, id, http),
    );
  },

  async unregister(settings, remoteId, http) {
    const token = await bearer(settings, http);
    await unregisterEach(remoteId, (id) => remove(settings, token, id, http));
  },
};
