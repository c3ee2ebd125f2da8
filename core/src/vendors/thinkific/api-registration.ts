import { z } from 'zod';
import { RegistrationError, type RegistrationHttp, registerOnePerEvent, unregisterEach, type VendorRegistration } from '../../hydrate/registration.ts';
import type { ThinkificApiSettings } from './api-client.ts';
import { THINKIFIC_TOPICS } from './tables.ts';

/**
 * Thinkific's Webhooks API v2 (its OpenAPI "Thinkific Webhooks API" 2.0.1, linked from
 * https://developers.thinkific.com/api/using-webhooks/):
 * - `POST /webhooks` with JSON `{topic, target_url}`, one webhook per topic; 201 answers
 *   `{id, status, topic, target_url, created_at, created_by, ...}` (ids are digit strings such as
 *   "20200227213233625839530"); 422 `{errors: {topic: "invalid format"}}` or `{errors: {url: "is not valid"}}`.
 * - `DELETE /webhooks/{id}`: 204, or 404 `{error: "Record not found."}`.
 * - Auth: the spec's only security scheme is an OAuth access token (`Authorization: Bearer`), and
 *   no Thinkific page we could read says the API key (`X-Auth-API-Key`) works here; the Admin API's
 *   key is not sent. So registering needs the `access_token` setting, an installed app's token.
 * - Webhooks an app creates are signed with the app's client secret ("Using Webhooks",
 *   support.thinkific.dev/hc/en-us/articles/4422685850775), so the connection's Signing Key must be
 *   that secret (the setting's description and the setup guide say so).
 * - A target URL "must use SSL encryption (aka use https)" (same page): Thinkific's refusal of an
 *   http ingest URL is reported with what to change (the sandbox's emulator takes http, for a local hub).
 *
 * Where the docs are unclear or silent, and what we do:
 * - The base: the spec names https://platform.thinkific.com/api/v2, the developer pages
 *   https://api.thinkific.com/api/v2. We take the Admin API's base URL setting and swap its
 *   /api/public/v1 for /api/v2 (https://api.thinkific.com/api/v2 by default), so a sandbox or a
 *   proxy in front of both keeps working with one setting.
 * - How long an access token lives is not stated where we could read; learnhook does not refresh
 *   it. An expired one is reported (401) with what to do.
 *
 * The remote id is the webhooks' ids joined with commas (registerOnePerEvent: all or nothing).
 */

const Created = z.looseObject({ id: z.union([z.string().min(1), z.number()]).transform(String) });

/** Thinkific's error bodies: {error: "..."}, or {errors: {field: "message" | ["message"]}} (also as an array of such objects). */
function messageOf(body: unknown): string | null {
  if (typeof body === 'string') return body.slice(0, 200) || null;
  const fieldErrors = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
  const parsed = z
    .union([
      z.looseObject({ error: z.string() }).transform((b) => b.error),
      z
        .looseObject({ errors: z.union([fieldErrors, z.array(fieldErrors)]) })
        .transform((b) =>
          (Array.isArray(b.errors) ? b.errors : [b.errors])
            .flatMap((errors) => Object.entries(errors).map(([field, said]) => `${field} ${[said].flat().join(', ')}`))
            .join('; '),
        ),
    ])
    .safeParse(body);
  return parsed.success && parsed.data ? parsed.data : null;
}

function refusal(what: string, status: number, body: unknown, targetUrl?: string): RegistrationError {
  const said = messageOf(body);
  const hint =
    status === 401 || status === 403
      ? " Check the app access token (API setting access_token): Thinkific's Webhooks API takes an installed app's OAuth token, not the API key, and a token can expire."
      : status === 422 && targetUrl?.startsWith('http:')
        ? " Thinkific takes only https target URLs: set LEARNHOOK_PUBLIC_URL to the hub's https address."
        : '';
  return new RegistrationError(`Thinkific refused ${what} (HTTP ${status})${said ? `: ${said.replace(/[.\s]+$/, '')}.` : '.'}${hint}`, { status });
}

/** The Webhooks API beside the Admin API the base URL names: /api/public/v1 becomes /api/v2. */
function webhooksRoot(settings: ThinkificApiSettings): string {
  const base = settings.base_url.replace(/\/+$/, '');
  return base.endsWith('/api/public/v1') ? `${base.slice(0, -'/api/public/v1'.length)}/api/v2/webhooks` : `${new URL(base).origin}/api/v2/webhooks`;
}

function tokenOf(settings: ThinkificApiSettings): string {
  if (!settings.access_token)
    throw new RegistrationError(
      "Thinkific's Webhooks API takes an app's OAuth access token, not the API key: add the API setting access_token (the token of a Thinkific app installed on the site).",
    );
  return settings.access_token;
}

async function remove(settings: ThinkificApiSettings, token: string, id: string, http: RegistrationHttp): Promise<void> {
  const answer = await http.request({
    method: 'DELETE',
    url: `${webhooksRoot(settings)}/${encodeURIComponent(id)}`,
    headers: { authorization: `Bearer ${token}` },
  });
  // 404: Thinkific no longer has it (deleted in its admin, say), which is what was wanted.
  if (answer.status === 404 || (answer.status >= 200 && answer.status < 300)) return;
  throw refusal(`removing the webhook ${id}`, answer.status, answer.body);
}

/** Thinkific creates one webhook per topic picked, for the ingest URL, through an app's access token. */
export const thinkificRegistration: VendorRegistration<ThinkificApiSettings> = {
  events: Object.keys(THINKIFIC_TOPICS),
  manualRemoval:
    'Thinkific keeps each webhook until it is deleted in its admin (Settings > Code & analytics > Webhooks) or with DELETE /api/v2/webhooks/<id> (the ids are the registration, comma-separated)',

  async register(settings, request, http) {
    const token = tokenOf(settings);
    return registerOnePerEvent(
      request.events,
      async (topic) => {
        const answer = await http.request({
          method: 'POST',
          url: webhooksRoot(settings),
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ topic, target_url: request.url }),
        });
        if (answer.status !== 200 && answer.status !== 201) throw refusal(`the webhook for ${topic}`, answer.status, answer.body, request.url);
        const created = Created.safeParse(answer.body);
        if (!created.success)
          throw new RegistrationError(`Thinkific made the webhook for ${topic} but answered no id: look for it in Thinkific and remove duplicates.`);
        return created.data.id;
      },
      (id) => remove(settings, token, id, http),
    );
  },

  async unregister(settings, remoteId, http) {
    const token = tokenOf(settings);
    await unregisterEach(remoteId, (id) => remove(settings, token, id, http));
  },
};
