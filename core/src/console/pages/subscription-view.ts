import type { Response } from 'express';
import { CATALOG, catalogEntry, isEventType } from '../../catalog/index.ts';
import type { TestSendResult } from '../../delivery/dispatcher.ts';
import { type DeliveryHealth, deliveryHealth } from '../../operations/deliveries.ts';
import type { AttemptRecord, DeliveryRecord, HookRecord } from '../../store/store.ts';
import type { ConsoleContext } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, notice, sendPage } from '../layout.ts';
import { isAdmin, userOf } from '../session.ts';
import { timeAgo } from '../time.ts';

/** Health is judged over the deliveries of the last 24 hours, at most this many of the newest. */
const HEALTH_MAX = 500;
const DAY_MS = 86_400_000;

/** How a hook's target answered over the last 24 hours. */
export async function recentHealth(ctx: ConsoleContext, hookId: string): Promise<DeliveryHealth> {
  const since = ctx.now() - DAY_MS;
  const deliveries = (await ctx.store.listDeliveries({ hook_id: hookId, limit: HEALTH_MAX })).data;
  return deliveryHealth(deliveries.filter((delivery) => delivery.updated_at >= since));
}

/** Where a hook comes from, read from the description the Zapier app and the n8n node subscribe with. */
export function originOf(hook: HookRecord): 'Zap' | 'n8n workflow' | 'URL' {
  if (hook.description?.startsWith('Zapier:')) return 'Zap';
  if (hook.description?.startsWith('n8n workflow')) return 'n8n workflow';
  return 'URL';
}
/** Deliveries shown, with their attempts, on a subscription's page. */
const RECENT = 20;

/** Who made each hook: an API key's label ("Zapier"), or the console user's email. */
export async function creatorsOf(ctx: ConsoleContext): Promise<Map<string, string>> {
  const [keys, users] = await Promise.all([ctx.store.listApiKeys(), ctx.store.accounts.listUsers()]);
  return new Map([...keys.map((key): [string, string] => [key.id, key.label]), ...users.map((user): [string, string] => [user.id, user.email])]);
}

export function statusBadge(hook: HookRecord): SafeHtml {
  const kind = hook.status === 'active' ? 'ok' : hook.status === 'paused' ? 'warn' : 'bad';
  return html`<span class="badge ${kind}">${hook.status}</span>${hook.status_reason ? html`<br><span class="hint">${hook.status_reason}</span>` : ''}`;
}

const deliveryBadge = (delivery: DeliveryRecord) =>
  html`<span class="badge ${delivery.status === 'succeeded' ? 'ok' : delivery.status === 'failed' ? 'bad' : 'warn'}">${delivery.status}</span>`;

/** Success rate, last delivery and failed count, as table cells. */
export function healthCells(health: DeliveryHealth, now: number): SafeHtml {
  const { last } = health;
  return html`<td>${health.successRate === null ? html`<span class="hint">none yet</span>` : `${Math.round(health.successRate * 100)}%`}</td>
    <td>${last ? html`${deliveryBadge(last)} ${last.last_status === null ? '' : `HTTP ${last.last_status}`} <span class="hint">${timeAgo(last.updated_at, now)}</span>` : html`<span class="hint">none yet</span>`}</td>
    <td>${health.failed ? html`<span class="badge bad">${String(health.failed)}</span>` : '0'}</td>`;
}

/** What the target answered to "Send a test event", shown where the button was. */
export function testResult(result: TestSendResult): SafeHtml {
  const said = result.ok
    ? `The target answered HTTP ${result.status} in ${result.duration_ms} ms.`
    : result.status === null
      ? `The test could not be delivered: ${result.error ?? 'no answer'}.`
      : `The target refused it: HTTP ${result.status} in ${result.duration_ms} ms.`;
  return html`<div id="test-result">${notice(result.ok ? 'ok' : 'error', said)}${result.body ? html`<p class="hint">Its answer:</p><pre class="snippet">${result.body}</pre>` : ''}</div>`;
}

function attemptsTable(attempts: readonly AttemptRecord[], now: number): SafeHtml {
  if (!attempts.length) return html`<p class="hint">Not tried yet.</p>`;
  return html`<table class="attempts"><thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Answer</th><th scope="col">Took</th><th scope="col">Response</th></tr></thead><tbody>${attempts.map(
    (attempt) => html`<tr><td>${String(attempt.attempt)}</td><td>${timeAgo(attempt.started_at, now)}</td>
      <td>${attempt.status === null ? html`<span class="badge bad">no answer</span>` : html`<span class="badge ${attempt.status < 300 ? 'ok' : 'bad'}">HTTP ${String(attempt.status)}</span>`}${attempt.error ? html`<br><span class="error">${attempt.error}</span>` : ''}</td>
      <td>${String(attempt.duration_ms)} ms</td><td>${attempt.response_snippet ? html`<pre class="snippet">${attempt.response_snippet}</pre>` : ''}</td></tr>`,
  )}</tbody></table>`;
}

async function deliveriesSection(
  ctx: ConsoleContext,
  res: Response,
  hook: HookRecord,
  deliveries: readonly DeliveryRecord[],
  admin: boolean,
): Promise<SafeHtml> {
  if (!deliveries.length) return notice('info', 'Nothing delivered yet: the next matching event from your LMS shows up here.');
  const now = ctx.now();
  const items = await Promise.all(
    deliveries.slice(0, RECENT).map(async (delivery) => {
      const attempts = await ctx.store.listAttempts(delivery.id);
      return html`<li class="delivery">
        <p>${deliveryBadge(delivery)} <code>${delivery.event_id}</code> <span class="hint">${delivery.reason}, ${String(delivery.attempts)} attempt${delivery.attempts === 1 ? '' : 's'}, ${timeAgo(delivery.created_at, now)}${delivery.status === 'pending' && delivery.next_attempt_at !== null ? `, next try ${delivery.next_attempt_at <= now ? 'now' : `in ${Math.round((delivery.next_attempt_at - now) / 1000)} s`}` : ''}</span>
        ${admin && delivery.status !== 'in_flight' && delivery.status !== 'succeeded' ? html`<form method="post" action="/subscriptions/${hook.id}/deliveries/${delivery.id}/retry" class="inline">${csrfField(res)}<button type="submit" class="small secondary" aria-label="Retry the delivery of ${delivery.event_id}">Retry</button></form>` : ''}</p>
        ${attempts.length ? html`<details${delivery.status === 'succeeded' ? '' : html` open`}><summary>Attempts (${String(attempts.length)})</summary>${attemptsTable(attempts, now)}</details>` : attemptsTable(attempts, now)}
      </li>`;
    }),
  );
  return html`<ol class="deliveries">${items}</ol>`;
}

function actions(res: Response, hook: HookRecord, health: DeliveryHealth, tested: TestSendResult | undefined): SafeHtml {
  const types = hook.events.includes('*') ? CATALOG.map((entry) => entry.type) : hook.events.filter(isEventType);
  const id = hook.id;
  return html`<section class="card" aria-labelledby="test-heading"><h2 id="test-heading">Send a test event</h2>
      <p>A sample event, signed like a real one, sent now to the target; it is not kept as a delivery.</p>
      <form method="post" action="/subscriptions/${id}/test" hx-post="/subscriptions/${id}/test" hx-target="#test-result" hx-swap="outerHTML">
        ${csrfField(res)}
        <label for="f-type">Event type</label>
        <select id="f-type" name="type">${types.map((type) => html`<option value="${type}">${catalogEntry(type).title} (${type})</option>`)}</select>
        <p><button type="submit">Send a test event</button></p>
      </form>
      ${tested ? testResult(tested) : html`<div id="test-result"></div>`}
    </section>
    <section class="card" aria-labelledby="manage-heading"><h2 id="manage-heading">Manage</h2>
      <div class="actions">
      ${
        hook.status === 'active'
          ? html`<form method="post" action="/subscriptions/${id}/pause" class="inline">${csrfField(res)}<button type="submit" class="secondary">Pause</button></form>`
          : html`<form method="post" action="/subscriptions/${id}/resume" class="inline">${csrfField(res)}<button type="submit">Resume</button></form>`
      }
      <form method="post" action="/subscriptions/${id}/rotate-secret" class="inline" data-confirm="Issue a new signing secret? Give it to the receiver before the old one stops signing.">${csrfField(res)}
        <label for="overlap">Old secret keeps signing for</label>
        <select id="overlap" name="overlap">${Object.entries(OVERLAPS).map(([value, { label }]) => html`<option value="${value}"${value === '24h' ? ' selected' : ''}>${label}</option>`)}</select>
        <button type="submit" class="secondary">Rotate secret</button></form>
      ${health.failed ? html`<a class="button secondary" href="/subscriptions/${id}/retry-failed">Retry all failed</a>` : ''}
      <a class="button danger" href="/subscriptions/${id}/delete">Delete</a>
      </div>
      <p class="hint">Pausing holds new events; they are sent once it is resumed.</p>
    </section>`;
}

/** How long a rotated-out secret keeps signing: the choices the rotate form offers. */
export const OVERLAPS = {
  none: { label: 'no time: stop it now', seconds: 0 },
  '1h': { label: 'an hour', seconds: 3_600 },
  '24h': { label: 'a day', seconds: 86_400 },
  '7d': { label: 'a week', seconds: 7 * 86_400 },
} as const satisfies Record<string, { label: string; seconds: number }>;

function rotatedNotice(hook: HookRecord, now: number): string {
  if (hook.previous_secret_enc === null || hook.previous_secret_until === null) return 'A new signing secret is ready; the old one no longer verifies.';
  const hours = Math.round((hook.previous_secret_until - now) / 3_600_000);
  return `A new signing secret is ready. Deliveries carry a signature made with the old one too for ${hours >= 1 ? `${hours} h` : 'less than an hour'} more: give the receiver the new one before then.`;
}

export interface SubscriptionPageOptions {
  /** A signing secret to show this once: just created, or rotated. */
  secret?: { value: string; why: 'created' | 'rotated' };
  tested?: TestSendResult;
  notice?: string;
  status?: number;
}

/** One subscription: its settings, health, the actions an admin may take, and its recent deliveries with every attempt. */
export async function subscriptionPage(ctx: ConsoleContext, res: Response, hook: HookRecord, options: SubscriptionPageOptions = {}): Promise<void> {
  const admin = isAdmin(userOf(res).role);
  const [deliveries, health] = await Promise.all([
    ctx.store.listDeliveries({ hook_id: hook.id, limit: RECENT }).then((page) => page.data),
    recentHealth(ctx, hook.id),
  ]);
  const creators = await creatorsOf(ctx);
  const { secret } = options;
  const filter = [
    ...(hook.filter.course_id?.length ? [`courses ${hook.filter.course_id.join(', ')}`] : []),
    ...(hook.filter.connection?.length ? [`connections ${hook.filter.connection.join(', ')}`] : []),
  ];
  sendPage(res, {
    title: 'Subscription',
    active: '/subscriptions',
    status: options.status ?? 200,
    body: html`${
      secret
        ? notice(
            'ok',
            html`${secret.why === 'created' ? 'Subscribed.' : rotatedNotice(hook, ctx.now())} Copy the signing secret now: it is shown only this once. <span class="copyable"><code id="new-secret">${secret.value}</code> <button type="button" class="small" data-copy="#new-secret">Copy</button></span>`,
          )
        : ''
    }
      ${options.notice ? notice('ok', options.notice) : ''}
      <section class="card" aria-labelledby="about-heading"><h2 id="about-heading">Where events go</h2>
        <dl class="facts">
          <dt>Target URL</dt><dd><code>${hook.url}</code></dd>
          <dt>Status</dt><dd>${statusBadge(hook)}</dd>
          <dt>Events</dt><dd>${hook.events.map((type, index) => html`${index ? ', ' : ''}<code>${type}</code>`)}</dd>
          <dt>Only</dt><dd>${filter.length ? filter.join('; ') : 'no filter'}</dd>
          <dt>Description</dt><dd>${hook.description ?? html`<span class="hint">none</span>`}</dd>
          <dt>From</dt><dd><span class="badge">${originOf(hook)}</span></dd>
          <dt>Created by</dt><dd>${hook.created_by ? (creators.get(hook.created_by) ?? hook.created_by) : 'unknown'} <span class="hint">${timeAgo(hook.created_at, ctx.now())}</span></dd>
        </dl>
        <table><caption>Over the last 24 hours</caption><thead><tr><th scope="col">Success</th><th scope="col">Last delivery</th><th scope="col">Failed</th></tr></thead><tbody><tr>${healthCells(health, ctx.now())}</tr></tbody></table>
      </section>
      ${admin ? actions(res, hook, health, options.tested) : ''}
      <section class="card" aria-labelledby="deliveries-heading"><h2 id="deliveries-heading">Recent deliveries</h2>
        ${await deliveriesSection(ctx, res, hook, deliveries, admin)}
      </section>`,
  });
}
