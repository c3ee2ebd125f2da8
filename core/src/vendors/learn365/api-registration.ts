import { z } from 'zod';
import { RegistrationError, type RegistrationHttp, type VendorRegistration } from '../../hydrate/registration.ts';
import type { Learn365ApiSettings } from './api-client.ts';
import { Learn365Inbound } from './inbound.ts';
import { LEARN365_ACTIONS } from './tables.ts';

/**
 * Learn365's webhook registration, as ASP.NET WebHooks serves it: POST a WebHook {WebHookUri,
 * Secret, Filters, Description} to the registrations resource, DELETE registrations/{Id}.
 *
 * Zensai's help article "Learn365 webhooks"
 * (https://helpcenter.zensai.com/hc/en-us/articles/115000764449-Learn365-webhooks) says webhooks are
 * registered over the API with a URI, filters (the Action names), a secret and extra data, and
 * that they are ASP.NET WebHooks; it points at the API's Swagger for the request itself, which we
 * could not read. The path is therefore the ASP.NET WebHooks convention's, on the API host the
 * connector uses for its own webhook paths (api.365.systems/webhooks/...):
 * {base_url}/webhooks/registrations, Basic "api:<key>" as every Learn365 API call. Should Learn365
 * answer 404 there, the error says so and the URL can still be pasted by hand.
 *
 * Before it saves a registration ASP.NET WebHooks checks the URL with GET ?echo=<value>, which
 * the ingest route answers; a URL that fails the check is refused with 400.
 */

/** The registration API's answer: ASP.NET serialises the WebHook with PascalCase properties. */
const WebHookAnswer = z.looseObject({ Id: z.union([z.string().min(1), z.number()]).transform(String) });

/** ASP.NET's error bodies: {"Message": "..."} (Web API) or an OData {"error": {"message"}}. */
function messageOf(body: unknown): string | null {
  if (typeof body === 'string') return body.slice(0, 200) || null;
  const parsed = z
    .union([
      z.looseObject({ Message: z.string() }).transform((b) => b.Message),
      z.looseObject({ error: z.looseObject({ message: z.string() }) }).transform((b) => b.error.message),
    ])
    .safeParse(body);
  return parsed.success ? parsed.data : null;
}

function refusal(what: string, status: number, body: unknown): RegistrationError {
  const said = messageOf(body);
  const hint =
    status === 401 || status === 403
      ? ' Check the API key (Admin Center > Global Settings > API key management): registering needs a key that may write.'
      : status === 404
        ? ' This Learn365 API has no webhook registration resource at this address: paste the ingest URL into Learn365 by hand instead.'
        : '';
  return new RegistrationError(`Learn365 refused ${what} (HTTP ${status})${said ? `: ${said.replace(/[.\s]+$/, '')}.` : '.'}${hint}`, { status });
}

const root = (settings: Learn365ApiSettings) => `${settings.base_url.replace(/\/+$/, '')}/webhooks/registrations`;
const authorization = (settings: Learn365ApiSettings) => `Basic ${Buffer.from(`api:${settings.api_key}`).toString('base64')}`;

async function register(settings: Learn365ApiSettings, request: Parameters<VendorRegistration['register']>[1], http: RegistrationHttp) {
  const inbound = Learn365Inbound.safeParse(request.inbound);
  if (!inbound.success) throw new RegistrationError('The connection has no valid WebHook secret (32–64 characters) to register with.');
  const answer = await http.request({
    method: 'POST',
    url: root(settings),
    headers: { authorization: authorization(settings), 'content-type': 'application/json' },
    body: JSON.stringify({ WebHookUri: request.url, Secret: inbound.data.secret, Filters: request.events, Description: request.description }),
  });
  if (answer.status !== 200 && answer.status !== 201) throw refusal('the webhook registration', answer.status, answer.body);
  const created = WebHookAnswer.safeParse(answer.body);
  if (!created.success)
    throw new RegistrationError('Learn365 accepted the webhook registration but answered no registration Id: look for it in Learn365 and remove duplicates.');
  return { id: created.data.Id };
}

async function unregister(settings: Learn365ApiSettings, remoteId: string, http: RegistrationHttp) {
  const answer = await http.request({
    method: 'DELETE',
    url: `${root(settings)}/${encodeURIComponent(remoteId)}`,
    headers: { authorization: authorization(settings) },
  });
  // 404: Learn365 no longer has it (removed by hand, say), which is what was wanted.
  if (answer.status === 404 || (answer.status >= 200 && answer.status < 300)) return;
  throw refusal(`removing the webhook registration ${remoteId}`, answer.status, answer.body);
}

/** Learn365 registers the ingest URL for the Actions picked (its ASP.NET WebHooks Filters). */
export const learn365Registration: VendorRegistration<Learn365ApiSettings> = {
  events: Object.keys(LEARN365_ACTIONS),
  manualRemoval: 'Learn365 keeps the registration until it is deleted with DELETE /webhooks/registrations/<id> on its API (Basic api:<API key>)',
  register,
  unregister,
};
