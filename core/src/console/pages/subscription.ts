import express, { type Request, type Router } from 'express';
import { NotFoundError, PayloadError } from '../../errors.ts';
import { failedDeliveries, retryDelivery, retryFailedDeliveries } from '../../operations/deliveries.ts';
import { changeHook, deleteHook, openHook, rotateHookSecret, sendTestEvent } from '../../operations/hooks.ts';
import type { ConsoleContext } from '../context.ts';
import { html } from '../html.ts';
import { csrfField, notice, sendPage } from '../layout.ts';
import { requireAdmin, userOf } from '../session.ts';
import { OVERLAPS, subscriptionPage, testResult } from './subscription-view.ts';

/** What a person types to confirm a deletion: the target's host name, which they can read on the page. */
const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
};

const failedCount = (count: number) => `${count} failed ${count === 1 ? 'delivery' : 'deliveries'}`;

/** One subscription: its page, test sends, pause and resume, a new secret, retries, and deletion. */
/** The time windows "Retry all failed" offers: what failed lately is what a person usually means. */
const WINDOWS = {
  '1h': { label: 'in the last hour', ms: 3_600_000 },
  '24h': { label: 'in the last 24 hours', ms: 86_400_000 },
  '7d': { label: 'in the last 7 days', ms: 7 * 86_400_000 },
  all: { label: 'at any time', ms: null },
} as const satisfies Record<string, { label: string; ms: number | null }>;
type RetryWindow = keyof typeof WINDOWS;
const windowOf = (value: unknown): RetryWindow => (typeof value === 'string' && value in WINDOWS ? (value as RetryWindow) : 'all');
const sinceOf = (within: RetryWindow, now: number): number => {
  const ms = WINDOWS[within].ms;
  return ms === null ? 0 : now - ms;
};

export function subscriptionPages(ctx: ConsoleContext): Router {
  const router = express.Router();
  const load = (req: Request) => openHook(ctx, String(req.params.id));

  router.get('/subscriptions/:id', async (req, res) => subscriptionPage(ctx, res, await load(req)));

  router.post('/subscriptions/:id/test', requireAdmin, async (req, res) => {
    const hook = await load(req);
    const type: unknown = req.body?.type;
    const result = await sendTestEvent(ctx, hook.id, typeof type === 'string' && type ? { type } : {});
    if (req.get('hx-request') === 'true') res.type('html').send(testResult(result).text);
    else await subscriptionPage(ctx, res, hook, { tested: result });
  });

  for (const [action, status] of [
    ['pause', 'paused'],
    ['resume', 'active'],
  ] as const) {
    router.post(`/subscriptions/:id/${action}`, requireAdmin, async (req, res) => {
      const hook = await changeHook(ctx, userOf(res).id, String(req.params.id), { status });
      res.redirect(303, `/subscriptions/${hook.id}`);
    });
  }

  router.post('/subscriptions/:id/rotate-secret', requireAdmin, async (req, res) => {
    const chosen: unknown = req.body?.overlap;
    const overlap = OVERLAPS[typeof chosen === 'string' && chosen in OVERLAPS ? (chosen as keyof typeof OVERLAPS) : '24h'];
    const { record, secret } = await rotateHookSecret(ctx, userOf(res).id, String(req.params.id), { overlap_seconds: overlap.seconds });
    await subscriptionPage(ctx, res, record, { secret: { value: secret, why: 'rotated' } });
  });

  router.post('/subscriptions/:id/deliveries/:delivery/retry', requireAdmin, async (req, res) => {
    const hook = await load(req);
    const id = String(req.params.delivery);
    // Only this subscription's deliveries, so a crafted form cannot retry another hook's from here.
    const delivery = await ctx.store.getDelivery(id);
    if (delivery?.hook_id !== hook.id) throw new NotFoundError(`No delivery ${id} for this subscription.`);
    await retryDelivery(ctx, userOf(res).id, id);
    await subscriptionPage(ctx, res, hook, { notice: `The delivery of ${delivery.event_id} is queued again: it is sent within seconds.` });
  });

  // First how many it will send, to where; only the confirmation sends them.
  router.get('/subscriptions/:id/retry-failed', requireAdmin, async (req, res) => {
    const hook = await load(req);
    const within = windowOf(req.query.within);
    const count = (await failedDeliveries(ctx, hook.id, sinceOf(within, ctx.now()))).length;
    const windows = Object.entries(WINDOWS).map(([key, { label }]) =>
      key === within ? html`<strong>${label}</strong>` : html`<a href="/subscriptions/${hook.id}/retry-failed?within=${key}">${label}</a>`,
    );
    sendPage(res, {
      title: 'Retry all failed deliveries?',
      active: '/subscriptions',
      body: html`<p>Failed ${windows.map((link, index) => html`${index ? ' · ' : ''}${link}`)}</p>${
        count
          ? html`<form method="post" action="/subscriptions/${hook.id}/retry-failed" class="card narrow">
            ${csrfField(res)}
            <input type="hidden" name="within" value="${within}">
            <p id="retry-preview">This sends ${failedCount(count)} again to <code>${hook.url}</code>.</p>
            <p><button type="submit">Send them again</button> <a href="/subscriptions/${hook.id}">Cancel</a></p>
          </form>`
          : html`${notice('info', within === 'all' ? 'No delivery of this subscription has failed: there is nothing to send again.' : 'No delivery failed in that time: there is nothing to send again.')}<p><a href="/subscriptions/${hook.id}">Back to the subscription</a></p>`
      }`,
    });
  });

  router.post('/subscriptions/:id/retry-failed', requireAdmin, async (req, res) => {
    const hook = await load(req);
    const queued = await retryFailedDeliveries(ctx, userOf(res).id, hook.id, sinceOf(windowOf(req.body?.within), ctx.now()));
    await subscriptionPage(ctx, res, hook, {
      notice: queued ? `${failedCount(queued)} queued again.` : 'Nothing was queued: no delivery had failed any more.',
    });
  });

  router.get('/subscriptions/:id/delete', requireAdmin, async (req, res) => {
    const hook = await load(req);
    sendPage(res, {
      title: 'Delete this subscription?',
      active: '/subscriptions',
      body: html`${notice('error', html`Events stop going to <code>${hook.url}</code> at once, and deliveries still waiting are dropped. A Zap or n8n workflow using it stops receiving events.`)}
        <form method="post" action="/subscriptions/${hook.id}/delete" class="card narrow">
          ${csrfField(res)}
          <p>Type the target's host, <code>${hostOf(hook.url)}</code>, to confirm.</p>
          <label for="confirm-host">Host</label>
          <input id="confirm-host" name="confirm" type="text" autocomplete="off" required>
          <p><button type="submit" class="danger">Delete the subscription</button> <a href="/subscriptions/${hook.id}">Keep it</a></p>
        </form>`,
    });
  });

  router.post('/subscriptions/:id/delete', requireAdmin, async (req, res) => {
    const hook = await load(req);
    const host = hostOf(hook.url);
    if (String(req.body?.confirm ?? '').trim() !== host) throw new PayloadError(`Type "${host}" to confirm the deletion; nothing was deleted.`);
    await deleteHook(ctx, userOf(res).id, hook.id);
    res.redirect(303, '/subscriptions');
  });

  return router;
}
