import type { Authentication, Bundle, ZObject } from 'zapier-platform-core';
import { z as zod } from 'zod';
import { callHub, hubBaseUrl, readAnswer } from './hub-client.ts';

/** GET /v1/me: the calling key, which is the credential test (README "The API"). */
export const Me = zod.object({
  key_id: zod.string(),
  label: zod.string().nullable(),
  scopes: zod.array(zod.string()),
  hub: zod.object({ version: zod.string(), url: zod.string() }).partial().optional(),
});
export type Me = zod.infer<typeof Me>;

/** Subscribing needs "hooks"; samples, dropdowns and searches need "events". "admin" may do all. */
const NEEDED_SCOPES = ['hooks', 'events'] as const;

export function missingScopes(scopes: readonly string[]): string[] {
  if (scopes.includes('admin')) return [];
  return NEEDED_SCOPES.filter((scope) => !scopes.includes(scope));
}

/** The credential test's answer: who the key is, and the label Zapier shows for the connection. */
export type AuthTestResult = Me & { connection_label: string };

export async function testAuth(z: ZObject, bundle: Bundle): Promise<AuthTestResult> {
  const me = readAnswer(z, Me, await callHub(z, bundle, { path: '/v1/me' }), 'the credential test');
  const missing = missingScopes(me.scopes);
  if (missing.length > 0) {
    throw new z.errors.Error(
      `This API key has the scopes ${me.scopes.join(', ') || '(none)'}, but the Zapier app also needs ${missing.join(' and ')}. ` +
        'Create a key for Zapier under API keys in your learnhook console, or with `npx learnhook keys create --label zapier` (its default scopes are hooks and events), and reconnect with it.',
      'missing_scope',
      403,
    );
  }
  return { ...me, connection_label: connectionLabel(me, bundle.authData.hub_url) };
}

/** "zapier @ learnhook.acme.example": which key on which hub, for a user with several connections. */
export function connectionLabel(me: Me, typedHubUrl: string | undefined): string {
  const key = me.label || me.key_id;
  const base = hubBaseUrl(typedHubUrl);
  return base ? `${key} @ ${new URL(base).host}` : key;
}

export const authentication: Authentication = {
  type: 'custom',
  fields: [
    {
      key: 'hub_url',
      label: 'Hub URL',
      type: 'string',
      required: true,
      helpText: 'The address you open the learnhook console at, e.g. `https://learnhook.example.com`. Ask whoever runs your hub if you do not know it.',
      placeholder: 'https://learnhook.example.com',
      isNoSecret: true,
    },
    {
      key: 'api_key',
      label: 'API Key',
      type: 'password',
      required: true,
      helpText:
        'In the learnhook console, open **API keys**, create a key for Zapier and paste it here (it is shown once). ' +
        'A hub admin can also run `npx learnhook keys create --label zapier`. The key needs the hooks and events scopes.',
    },
  ],
  test: testAuth,
  // Zapier passes the test's answer as bundle.inputData. A template rather than a function, so
  // `zapier-platform invoke auth label` can show it too.
  connectionLabel: '{{bundle.inputData.connection_label}}',
};
