import { z } from 'zod';
import { RegistrationError, type RegistrationHttp, type VendorRegistration } from '../../hydrate/registration.ts';
import type { KajabiApiSettings } from './api-client.ts';
import { KAJABI_EVENTS } from './tables.ts';

/**
 * Kajabi's hooks API (https://developers.kajabi.com/api-reference/webhooks/list-hooks, .../hook-details):
 * `POST /v1/hooks` with a JSON:API body `{data: {type: "hooks", attributes: {event, target_url}}}`,
 * one hook per event, `DELETE /v1/hooks/{id}`, with the bearer token `POST /v1/oauth/token` issues
 * for the connection's client credentials (as the API client gets it). Kajabi signs nothing, so no
 * secret goes with the hook: the ingest URL's token protects it.
 *
 * The remote id is the hooks' ids joined with commas; registering several events either makes all
 * of them or, when one is refused, removes those already made and reports the refusal.
 */

const Token = z.looseObject({ access_token: z.string().min(1) });
const Created = z.looseObject({ data: z.looseObject({ id: z.union([z.string().min(1), z.number()]).transform(String) }) });

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
    const made: string[] = [];
    try {
      for (const event of request.events) {
        const answer = await http.request({
          method: 'POST',
          url: `${rootOf(settings)}/hooks`,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.api+json' },
          body: JSON.stringify({ data: { type: 'hooks', attributes: { event, target_url: request.url } } }),
        });
        if (answer.status !== 200 && answer.status !== 201) throw refusal(`the hook for ${event}`, answer.status, answer.body);
        const created = Created.safeParse(answer.body);
        if (!created.success) throw new RegistrationError(`Kajabi made the hook for ${event} but answered no id: look for it in Kajabi and remove duplicates.`);
        made.push(created.data.data.id);
      }
    } catch (error) {
      // All or nothing: a half-registered connection would miss events nobody is told about.
      for (const id of made) await remove(settings, token, id, http).catch(() => undefined);
      throw error;
    }
    return { id: made.join(',') };
  },

  async unregister(settings, remoteId, http) {
    const token = await bearer(settings, http);
    const failures: string[] = [];
    for (const id of remoteId.split(',').filter(Boolean)) {
      await remove(settings, token, id, http).catch((error: unknown) => {
        failures.push(error instanceof Error ? error.message : String(error));
      });
    }
    if (failures.length) throw new RegistrationError(failures.join(' '));
  },
};
