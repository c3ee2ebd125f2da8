import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { catalogEntry } from '../../catalog/index.ts';
import { NotFoundError } from '../../errors.ts';
import { API_SCOPES, createApiKey, INTEGRATION_SCOPES, revokeApiKey } from '../../operations/api-keys.ts';
import type { ApiScope } from '../../store/store.ts';
import type { ConsoleContext } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, field, notice, sendPage } from '../layout.ts';
import { fieldErrors } from '../schemas.ts';
import { requireAdmin, userOf } from '../session.ts';
import { timeAgo } from '../time.ts';

/** What a key is for decides its scopes: Zapier and n8n need hooks and events, a script may need admin. */
const PURPOSES = {
  zapier: { label: 'Zapier', scopes: INTEGRATION_SCOPES },
  n8n: { label: 'n8n', scopes: INTEGRATION_SCOPES },
  script: { label: 'A script or another tool (full access)', scopes: API_SCOPES },
} as const satisfies Record<string, { label: string; scopes: readonly ApiScope[] }>;

const KeyForm = z.object({
  purpose: z.enum(['zapier', 'n8n', 'script'], { message: 'Choose what the key is for.' }),
  label: z.string().trim().min(1, { message: 'Name the key, e.g. "Zapier: training team".' }).max(80, { message: 'Use at most 80 characters.' }),
});

/** Where the new key goes, in the words of the tool it is for. */
function nextSteps(purpose: keyof typeof PURPOSES, hubUrl: string): SafeHtml {
  if (purpose === 'zapier')
    return html`<ol><li>In Zapier, make a Zap and choose the <strong>learnhook</strong> app as its trigger.</li>
      <li>When Zapier asks to connect an account, enter the Hub URL <code>${hubUrl}</code> and this API key.</li>
      <li>Pick an event such as "${catalogEntry('enrollment.completed').title}" and turn the Zap on: learnhook delivers the next one.</li></ol>`;
  if (purpose === 'n8n')
    return html`<ol><li>In n8n, add a <strong>Learnhook Trigger</strong> node (community node n8n-nodes-learnhook).</li>
      <li>Create a "Learnhook API" credential with the Hub URL <code>${hubUrl}</code> and this API key.</li>
      <li>Choose the events and activate the workflow: learnhook delivers the next one.</li></ol>`;
  return html`<p>Send it as <code>Authorization: Bearer &lt;key&gt;</code> to <code>${hubUrl}/v1</code>; <a href="/v1/openapi.json">the API's description</a> lists every call.</p>`;
}

/** API keys: what Zapier, n8n and scripts sign in to the hub with. */
export function keysPages(ctx: ConsoleContext): Router {
  const router = express.Router();

  async function page(
    req: Request,
    res: Response,
    extra: { created?: { key: string; purpose: keyof typeof PURPOSES }; errors?: Record<string, string>; values?: Record<string, string> } = {},
    status = 200,
  ) {
    const keys = await ctx.store.listApiKeys();
    const errors = extra.errors ?? {};
    const now = ctx.now();
    const rows = keys.map(
      (key) => html`<tr>
        <td>${key.label}<br><span class="hint">${key.id}</span></td><td>${key.scopes.join(', ')}</td>
        <td>${timeAgo(key.created_at, now)}</td><td>${key.last_used_at ? timeAgo(key.last_used_at, now) : 'never'}</td>
        <td>${
          key.revoked_at
            ? html`<span class="badge bad">revoked</span>`
            : html`<form method="post" action="/keys/${key.id}/revoke" class="inline" data-confirm="Revoke ${key.label}? Whatever uses it stops at its next request.">${csrfField(res)}<button type="submit" class="danger small" aria-label="Revoke ${key.label}">Revoke</button></form>`
        }</td>
      </tr>`,
    );
    const purpose = extra.values?.purpose ?? 'zapier';
    sendPage(res, {
      title: 'API keys',
      active: '/keys',
      status,
      body: html`${
        extra.created
          ? html`${notice('ok', html`Key created. Copy it now: it is shown only this once. <span class="copyable"><code id="new-key">${extra.created.key}</code> <button type="button" class="small" data-copy="#new-key">Copy</button></span>`)}
              <section class="card"><h2>Next, in ${PURPOSES[extra.created.purpose].label}</h2>${nextSteps(extra.created.purpose, ctx.publicUrl(req))}</section>`
          : ''
      }
        <form method="post" action="/keys" class="card narrow">
          <h2>Create a key</h2>
          ${csrfField(res)}
          <fieldset><legend>For</legend>
            ${Object.entries(PURPOSES).map(([value, option]) => html`<label><input type="radio" name="purpose" value="${value}"${value === purpose ? html` checked` : ''}> ${option.label}</label>`)}
            ${errors.purpose ? html`<p class="error">${errors.purpose}</p>` : ''}
          </fieldset>
          ${field({ name: 'label', label: 'Name', value: extra.values?.label ?? '', error: errors.label, hint: 'So you know later what uses it, e.g. "Zapier: training team".', required: true })}
          <button type="submit">Create the key</button>
        </form>
        ${
          keys.length
            ? html`<div class="table-wrap"><table><caption>Keys (their secrets are never shown again)</caption>
              <thead><tr><th scope="col">Name</th><th scope="col">Access</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
              <tbody>${rows}</tbody></table></div>`
            : notice('info', 'No key yet: create one for the learnhook Zapier app or n8n node.')
        }`,
    });
  }

  router.get('/keys', requireAdmin, (req, res) => page(req, res));

  router.post('/keys', requireAdmin, async (req, res) => {
    const values = { purpose: String(req.body?.purpose ?? ''), label: String(req.body?.label ?? '') };
    const form = KeyForm.safeParse(req.body);
    if (!form.success) return page(req, res, { errors: fieldErrors(form.error), values }, 400);
    const { key } = await createApiKey(ctx, userOf(res).id, { label: form.data.label, scopes: PURPOSES[form.data.purpose].scopes });
    await page(req, res, { created: { key, purpose: form.data.purpose } }, 201);
  });

  router.post('/keys/:id/revoke', requireAdmin, async (req, res) => {
    if (!(await revokeApiKey(ctx, userOf(res).id, String(req.params.id)))) throw new NotFoundError('No such active key; it may be revoked already.');
    res.redirect(303, '/keys');
  });

  return router;
}
