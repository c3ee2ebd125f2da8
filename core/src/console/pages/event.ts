import express, { type Response, type Router } from 'express';
import { catalogEntry } from '../../catalog/index.ts';
import { replayEvent, replayTargets, storedEvent } from '../../operations/events.ts';
import type { RawRequest, StoredEvent } from '../../store/store.ts';
import type { ConsoleContext } from '../context.ts';
import { html, prettyJson, type SafeHtml } from '../html.ts';
import { csrfField, notice, sendPage } from '../layout.ts';
import { isAdmin, requireAdmin, userOf } from '../session.ts';
import { timeAgo } from '../time.ts';
import { courseLabel, learnerLabel } from './events.ts';

/** The body as a person can read it: pretty JSON when it is JSON, else the text as sent. */
function readableBody(body: Buffer): string {
  const text = body.toString('utf8');
  try {
    return prettyJson(JSON.parse(text.replace(/^\uFEFF/, '')));
  } catch {
    return text;
  }
}

function rawRequestCard(raw: RawRequest | null): SafeHtml {
  if (!raw) return notice('info', 'The request this event came in with is not kept.');
  const headers = Object.entries(raw.headers).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return html`<p>${raw.method} on the ${raw.route === 'xapi-statements' ? 'xAPI statements' : 'webhook'} URL, ${new Date(raw.received_at).toISOString()}. Credentials in headers are blanked before they are stored.</p>
    <details><summary>Headers (${String(headers.length)})</summary><table><tbody>${headers.map(([name, value]) => html`<tr><th scope="row"><code>${name}</code></th><td><code>${value}</code></td></tr>`)}</tbody></table></details>
    <h3>Body, as the LMS sent it</h3><pre>${readableBody(raw.body)}</pre>`;
}

async function deliveriesCard(ctx: ConsoleContext, stored: StoredEvent): Promise<SafeHtml> {
  const deliveries = (await ctx.store.listDeliveries({ limit: 100, event_id: stored.id })).data;
  if (!deliveries.length) {
    return notice(
      'info',
      stored.state === 'processed'
        ? 'No subscription wanted this event when it arrived.'
        : 'Still being processed: deliveries appear here once the event is filled in.',
    );
  }
  const hooks = new Map(
    (await Promise.all(deliveries.map((delivery) => ctx.store.getHook(delivery.hook_id)))).flatMap((hook) => (hook ? [[hook.id, hook] as const] : [])),
  );
  const now = ctx.now();
  return html`<div class="table-wrap"><table><caption>Deliveries of this event</caption>
    <thead><tr><th scope="col">To</th><th scope="col">Why</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last answer</th></tr></thead>
    <tbody>${deliveries.map((delivery) => {
      const hook = hooks.get(delivery.hook_id);
      return html`<tr>
        <td>${hook ? html`<a href="/subscriptions/${hook.id}">${hook.description ?? hook.url}</a><br><span class="hint">${hook.url}</span>` : html`<span class="hint">${delivery.hook_id} (deleted)</span>`}</td>
        <td>${delivery.reason}</td>
        <td><span class="badge ${delivery.status === 'succeeded' ? 'ok' : delivery.status === 'failed' ? 'bad' : ''}">${delivery.status}</span></td>
        <td>${String(delivery.attempts)}</td>
        <td>${delivery.last_status ? `HTTP ${delivery.last_status}` : ''} ${delivery.last_error ?? ''} <span class="hint">${timeAgo(delivery.updated_at, now)}</span></td>
      </tr>`;
    })}</tbody></table></div>`;
}

async function replayForm(ctx: ConsoleContext, res: Response, stored: StoredEvent): Promise<SafeHtml> {
  if (stored.state !== 'processed') return html`<p class="hint">An event can be sent again once it is processed.</p>`;
  const [wanting, hooks] = await Promise.all([replayTargets(ctx, stored), ctx.store.listHooks({ limit: 100 })]);
  if (!hooks.data.length) return html`<p class="hint">No subscription to send it to yet.</p>`;
  return html`<form method="post" action="/events/${stored.id}/replay" data-confirm="Send this event again? The subscribers receive it a second time.">
    ${csrfField(res)}
    <label for="f-hook">Send to</label>
    <select id="f-hook" name="hook_id">
      <option value="">Every subscription that wants it now (${String(wanting.length)})</option>
      ${hooks.data.map((hook) => html`<option value="${hook.id}">${hook.description ?? hook.url}</option>`)}
    </select>
    <p><button type="submit">Send again</button></p>
  </form>`;
}

/** One event: what it says, what the LMS sent, where it went, and a replay. */
export function eventPages(ctx: ConsoleContext): Router {
  const router = express.Router();

  async function page(res: Response, id: string, done?: SafeHtml) {
    const stored = await storedEvent(ctx, id);
    const [raw, deliveries, connection] = await Promise.all([
      ctx.store.getRawRequest(stored.id),
      deliveriesCard(ctx, stored),
      ctx.store.getConnection(stored.connection_id),
    ]);
    const { event } = stored;
    sendPage(res, {
      title: catalogEntry(stored.type).title,
      active: '/events',
      body: html`${done ?? ''}
        <dl class="facts card">
          <dt>Event id</dt><dd><code>${stored.id}</code></dd>
          <dt>From</dt><dd>${connection ? html`<a href="/connections/${connection.id}">${connection.name}</a>` : event.source.connection} <span class="hint">(${event.source.event})</span></dd>
          <dt>Received</dt><dd>${event.received_at}</dd>
          <dt>Learner</dt><dd>${learnerLabel(event) || '—'}</dd>
          <dt>Course</dt><dd>${courseLabel(event) || '—'}</dd>
          <dt>Filled in</dt><dd>${stored.state === 'processed' ? (event.hydration.status === 'complete' ? 'yes, every detail' : html`partly: missing ${event.hydration.missing.join(', ')}. <a href="${connection ? `/connections/${connection.id}` : '/connections'}">Check the LMS API settings</a>.`) : 'processing'}</dd>
        </dl>
        <section class="card" aria-labelledby="deliveries-heading"><h2 id="deliveries-heading">Where it went</h2>${deliveries}
          ${isAdmin(userOf(res).role) ? await replayForm(ctx, res, stored) : ''}</section>
        <div class="split">
          <section class="card" aria-labelledby="envelope-heading"><h2 id="envelope-heading">What subscribers receive</h2><pre>${prettyJson(event)}</pre></section>
          <section class="card" aria-labelledby="raw-heading"><h2 id="raw-heading">What the LMS sent</h2>${rawRequestCard(raw)}</section>
        </div>`,
    });
  }

  router.get('/events/:id', (req, res) => page(res, String(req.params.id)));

  router.post('/events/:id/replay', requireAdmin, async (req, res) => {
    const hookId = typeof req.body?.hook_id === 'string' && req.body.hook_id ? String(req.body.hook_id) : undefined;
    const result = await replayEvent(ctx, userOf(res).id, String(req.params.id), { hook_id: hookId });
    const count = result.deliveries.length;
    await page(
      res,
      String(req.params.id),
      notice(
        count ? 'ok' : 'info',
        result.note ??
          (count
            ? `Sent again to ${count} subscription${count === 1 ? '' : 's'}; the deliveries below show how it goes.`
            : 'No subscription wants this event now; nothing was sent.'),
      ),
    );
  });

  return router;
}
