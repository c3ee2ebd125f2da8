import express, { type Response, type Router } from 'express';
import { CATALOG } from '../../catalog/index.ts';
import { TargetRefusedError } from '../../delivery/target-policy.ts';
import { PayloadError } from '../../errors.ts';
import { createHook } from '../../operations/hooks.ts';
import type { HookRecord } from '../../store/store.ts';
import type { ConsoleContext } from '../context.ts';
import { issuesByField } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, field, notice, sendPage } from '../layout.ts';
import { isAdmin, requireAdmin, userOf } from '../session.ts';
import { creatorsOf, healthCells, originOf, recentHealth, statusBadge, subscriptionPage } from './subscription-view.ts';

/** What the new-subscription form holds: the fields of HookCreate, as a person typed or ticked them. */
interface Typed {
  url: string;
  events: string[];
  description: string;
  courses: string;
  connections: string[];
}

const listOf = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : []);
const linesOf = (text: string): string[] =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);

function typedOf(body: unknown): Typed {
  const form: Record<string, unknown> = typeof body === 'object' && body !== null ? Object.fromEntries(Object.entries(body)) : {};
  const text = (name: string) => (typeof form[name] === 'string' ? String(form[name]).trim() : '');
  return {
    url: text('url'),
    events: listOf(form.events),
    description: text('description'),
    courses: text('filter.course_id'),
    connections: listOf(form['filter.connection']),
  };
}

/** The body POST /v1/hooks would receive for this form; empty optional fields are left out, as the API's defaults apply. */
function hookInput(typed: Typed): Record<string, unknown> {
  const courses = linesOf(typed.courses);
  const filter = { ...(courses.length ? { course_id: courses } : {}), ...(typed.connections.length ? { connection: typed.connections } : {}) };
  return {
    url: typed.url,
    events: typed.events,
    ...(typed.description ? { description: typed.description } : {}),
    ...(Object.keys(filter).length ? { filter } : {}),
  };
}

/** Field -> message: the schema's issues, with the events checkboxes' in words that fit them. */
function errorsOf(error: PayloadError, typed: Typed): Record<string, string> {
  const errors = issuesByField(error);
  const eventsError = Object.entries(errors).find(([path]) => path === 'events' || path.startsWith('events.'));
  if (eventsError) errors.events = typed.events.length ? eventsError[1] : 'Choose at least one event type.';
  return errors;
}

const checkbox = (name: string, value: string, label: string | SafeHtml, checked: boolean) =>
  html`<label><input type="checkbox" name="${name}" value="${value}"${checked ? html` checked` : ''}> ${label}</label>`;

/** The subscriptions list and the new-subscription form. */
export function subscriptionsPages(ctx: ConsoleContext): Router {
  const router = express.Router();

  async function row(hook: HookRecord, creators: Map<string, string>): Promise<SafeHtml> {
    const health = await recentHealth(ctx, hook.id);
    return html`<tr>
      <td><span class="badge">${originOf(hook)}</span> <a href="/subscriptions/${hook.id}"><code>${hook.url}</code></a>${hook.description ? html`<br><span class="hint">${hook.description}</span>` : ''}</td>
      <td>${hook.events.join(', ')}</td>
      <td>${statusBadge(hook)}</td>
      <td>${hook.created_by ? (creators.get(hook.created_by) ?? hook.created_by) : html`<span class="hint">unknown</span>`}</td>
      ${healthCells(health, ctx.now())}
    </tr>`;
  }

  router.get('/subscriptions', async (_req, res) => {
    const hooks = (await ctx.store.listHooks({ limit: 100 })).data;
    const creators = await creatorsOf(ctx);
    const rows = await Promise.all(hooks.map((hook) => row(hook, creators)));
    sendPage(res, {
      title: 'Subscriptions',
      active: '/subscriptions',
      body: html`<p>Each subscription sends events to one URL: a Zap, an n8n workflow, or a URL you entered.</p>
        ${isAdmin(userOf(res).role) ? html`<p><a class="button" href="/subscriptions/new">Subscribe a URL</a></p>` : ''}
        ${
          hooks.length
            ? html`<div class="table-wrap"><table class="subscriptions"><caption>Subscriptions, with how each target answered over the last 24 hours</caption>
              <thead><tr><th scope="col">Target</th><th scope="col">Events</th><th scope="col">Status</th><th scope="col">Created by</th><th scope="col">Success</th><th scope="col">Last delivery</th><th scope="col">Failed</th></tr></thead>
              <tbody>${rows}</tbody></table></div>`
            : notice('info', 'No subscription yet. Turn on a Zap or an n8n workflow that uses learnhook, or subscribe a URL here.')
        }`,
    });
  });

  async function form(res: Response, typed: Typed, errors: Record<string, string> = {}, status = 200) {
    const connections = (await ctx.store.listConnections({ limit: 100 })).data;
    const wanted = new Set(typed.events);
    sendPage(res, {
      title: 'Subscribe a URL',
      active: '/subscriptions',
      status,
      body: html`<p>learnhook POSTs each chosen event to the URL, signed with a secret shown once after you save (Standard Webhooks).</p>
        ${errors._form ? notice('error', errors._form) : Object.keys(errors).length ? notice('error', 'Some fields need a change; see the messages beside them.') : ''}
        <form method="post" action="/subscriptions/new" class="card narrow" novalidate>
          ${csrfField(res)}
          ${field({ name: 'url', label: 'Target URL', type: 'url', value: typed.url, error: errors.url, hint: 'Where events are POSTed, e.g. https://example.com/webhooks/learnhook.', required: true, autocomplete: 'off' })}
          <fieldset class="${errors.events ? 'invalid' : ''}"><legend>Events</legend>
            ${checkbox('events', '*', html`<strong>Every event type</strong>, including ones added later`, wanted.has('*'))}
            ${CATALOG.map((entry) => checkbox('events', entry.type, html`${entry.title} <span class="hint">${entry.type}</span>`, wanted.has(entry.type)))}
            ${errors.events ? html`<p class="error" id="f-events-error">${errors.events}</p>` : ''}
          </fieldset>
          ${field({ name: 'description', label: 'Description (optional)', value: typed.description, error: errors.description, hint: 'So you know later what it is for, e.g. "CRM sync".' })}
          <fieldset><legend>Only some events (optional)</legend>
            <div class="field${errors['filter.course_id'] ? ' invalid' : ''}">
              <label for="f-filter-course_id">Course ids</label>
              <p class="hint">Only events about these courses. One per line.</p>
              <textarea id="f-filter-course_id" name="filter.course_id" rows="2" autocomplete="off">${typed.courses}</textarea>
              ${errors['filter.course_id'] ? html`<p class="error">${errors['filter.course_id']}</p>` : ''}
            </div>
            ${connections.length ? html`<p class="hint">Only events from these connections:</p>${connections.map((connection) => checkbox('filter.connection', connection.name, connection.name, typed.connections.includes(connection.name)))}` : ''}
            ${errors['filter.connection'] ? html`<p class="error">${errors['filter.connection']}</p>` : ''}
          </fieldset>
          <button type="submit">Subscribe</button> <a href="/subscriptions">Cancel</a>
        </form>`,
    });
  }

  router.get('/subscriptions/new', requireAdmin, (_req, res) => form(res, { url: '', events: [], description: '', courses: '', connections: [] }));

  router.post('/subscriptions/new', requireAdmin, async (req, res) => {
    const typed = typedOf(req.body);
    try {
      const { record, secret } = await createHook(ctx, userOf(res).id, hookInput(typed));
      await subscriptionPage(ctx, res, record, { secret: { value: secret, why: 'created' }, status: 201 });
    } catch (error) {
      if (error instanceof TargetRefusedError) return form(res, typed, { url: error.message }, 400);
      if (!(error instanceof PayloadError)) throw error;
      await form(res, typed, errorsOf(error, typed), 400);
    }
  });

  return router;
}
