import type { Request, Response } from 'express';
import { type ApiAccessResult, presentConnection } from '../../operations/connections.ts';
import { HOUR_MS } from '../../store/sql/activity.ts';
import type { OpenConnection } from '../../vendors/connection-registry.ts';
import type { Paste } from '../../vendors/setup-guide.ts';
import { activityChart, CHART_HOURS } from '../activity-chart.ts';
import type { ConsoleContext } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, notice, sendPage } from '../layout.ts';
import { isAdmin, userOf } from '../session.ts';
import { timeAgo } from '../time.ts';
import { registrationCard } from './connection-registration.ts';

/** Copy boxes get ids unique within the page. */
function pasteBox(paste: Paste, index: number, shown: boolean): SafeHtml {
  const id = `paste-${index}`;
  const hidden = paste.secret && !shown;
  return html`<div class="paste"><span class="paste-label">${paste.label}</span>
    <span class="copyable"><code id="${id}">${paste.value || '(not set)'}</code>${hidden || !paste.value ? '' : html` <button type="button" class="small secondary" data-copy="#${id}">Copy</button>`}</span>
    ${hidden ? html`<p class="hint">Shown in full once, when the connection was saved. To set a new one, use "Change settings".</p>` : ''}</div>`;
}

/**
 * The live "waiting for your LMS" check: the arrivals this process saw, else the newest stored
 * event (it may have come in through another hub process). htmx re-reads it every few seconds.
 */
export async function arrivalsFragment(ctx: ConsoleContext, connection: OpenConnection): Promise<SafeHtml> {
  const arrivals = ctx.arrivals.recent(connection.record.id);
  const newest = arrivals[0];
  const stored = newest ? null : (await ctx.store.listEvents({ limit: 1, connection: connection.record.id })).data[0];
  const now = ctx.now();
  const state = newest ? (newest.accepted ? 'ok' : 'bad') : stored ? 'ok' : 'waiting';
  const headline = newest
    ? newest.accepted
      ? `Your LMS reached learnhook ${timeAgo(newest.at, now)}.`
      : `A request arrived ${timeAgo(newest.at, now)} but was refused.`
    : stored
      ? `Your LMS reached learnhook: the last event arrived ${timeAgo(Date.parse(stored.event.received_at), now)}.`
      : "Waiting for your LMS… Nothing has arrived yet. Use the LMS's test button, or wait for a learner's next step.";
  return html`<div id="arrivals" class="arrivals ${state}" hx-get="/connections/${connection.record.id}/arrivals" hx-trigger="every 3s" hx-swap="outerHTML" role="status" aria-live="polite">
    <p class="headline"><span class="dot" aria-hidden="true"></span> ${headline}</p>
    ${
      arrivals.length
        ? html`<ol class="arrival-list">${arrivals.map(
            (arrival) =>
              html`<li class="${arrival.accepted ? 'ok' : 'bad'}"><strong>${arrival.summary}</strong> <span class="hint">${timeAgo(arrival.at, now)}, HTTP ${arrival.status}</span>${arrival.detail ? html`<br><span class="hint">learnhook said: ${arrival.detail}</span>` : ''}</li>`,
          )}</ol>`
        : ''
    }
  </div>`;
}

/** The result of "Test API access", shown where the button was. */
export const apiAccessResult = (result: ApiAccessResult): SafeHtml => html`<div id="api-test">${notice(result.ok ? 'ok' : 'error', result.message)}</div>`;

function hydrationCard(ctx: ConsoleContext, res: Response, connection: OpenConnection, tested: ApiAccessResult | undefined): SafeHtml {
  if (!ctx.vendors[connection.record.vendor].api) return html``;
  const id = connection.record.id;
  const stats = ctx.apiStats.of(id);
  const breaker = ctx.breakers.stateOf(id);
  return html`<section class="card" aria-labelledby="api-heading">
    <h2 id="api-heading">LMS API (fills events in)</h2>
    ${
      connection.api
        ? html`<p>Settings saved. Events are completed with names, emails and course titles from the LMS's API.</p>`
        : notice('info', 'No API settings yet: events arrive with ids only and go out marked "partial". Add them under "Change settings".')
    }
    ${
      breaker.state === 'closed'
        ? ''
        : notice(
            'error',
            `The LMS API kept failing (${breaker.lastError}), so events go out without waiting for it, marked partial. learnhook tries it again ${breaker.state === 'open' ? `in ${Math.max(1, Math.round((breaker.retryAt - ctx.now()) / 1000))} s` : 'now'}; "Test API access" tries at once.`,
          )
    }
    <dl class="facts">
      <dt>Calls made</dt><dd>${String(stats.calls)}</dd>
      <dt>Rate-limited (429)</dt><dd>${String(stats.rateLimited)}</dd>
      <dt>Last error</dt><dd>${stats.lastError ? html`${stats.lastError.message} <span class="hint">${timeAgo(stats.lastError.at, ctx.now())}</span>` : 'none'}</dd>
    </dl>
    ${tested ? apiAccessResult(tested) : html`<div id="api-test"></div>`}
    ${
      isAdmin(userOf(res).role) && connection.api
        ? html`<form method="post" action="/connections/${id}/test-api" hx-post="/connections/${id}/test-api" hx-target="#api-test" hx-swap="outerHTML">${csrfField(res)}<button type="submit" class="secondary">Test API access</button></form>`
        : ''
    }
  </section>`;
}

export interface ConnectionPageOptions {
  justCreated?: boolean;
  rotated?: boolean;
  tested?: ApiAccessResult;
  status?: number;
}

/** One connection: its setup guide with the values to paste, the live arrival check, the LMS API, and what an admin can change. */
export async function connectionPage(
  ctx: ConsoleContext,
  req: Request,
  res: Response,
  connection: OpenConnection,
  options: ConnectionPageOptions = {},
): Promise<void> {
  const admin = isAdmin(userOf(res).role);
  const shown = options.justCreated === true;
  const answer = presentConnection(ctx, connection, ctx.publicUrl(req), { showSecrets: shown });
  const vendor = ctx.vendors[connection.record.vendor];
  const guide = vendor.setupGuide;
  // The ingest URL carries the connection's token: it is a credential, for admins only.
  const values = { ingestUrl: admin ? answer.ingest_url : '(shown to admins)', xapiUrl: admin ? answer.xapi_url : null, inbound: answer.inbound };
  let pasteIndex = 0;
  const steps = guide
    .steps(values)
    .map(
      (step) =>
        html`<li>${step.text}${step.paste ? html`<div class="pastes">${step.paste.map((paste) => pasteBox(paste, pasteIndex++, shown))}</div>` : ''}</li>`,
    );
  const others = Object.keys(vendor.inbound.events).filter((name) => !guide.tick.includes(name) && !name.includes('://'));
  const id = connection.record.id;
  const activity = await ctx.store.activity({ since: ctx.now() - CHART_HOURS * HOUR_MS, connection_id: id });
  sendPage(res, {
    title: connection.record.name,
    active: '/connections',
    status: options.status ?? (shown ? 201 : 200),
    body: html`${shown ? notice('ok', 'Connection saved. Copy the secrets below now: they are shown in full only this once.') : ''}
      ${options.rotated ? notice('ok', 'A new URL is ready: the old one stopped working. Paste the new one into your LMS.') : ''}
      <p>${vendor.inbound.title}${connection.record.description ? html` · ${connection.record.description}` : ''}</p>
      ${registrationCard(answer, vendor)}
      <div class="split">
        <section class="card" aria-labelledby="guide-heading">
          <h2 id="guide-heading">Set up ${vendor.inbound.title}</h2>
          <p class="hint">Where: ${guide.where}.${guide.docs ? html` <a href="${guide.docs}" rel="noreferrer noopener" target="_blank">The vendor's guide</a>` : ''}</p>
          <ol class="steps">${steps}</ol>
          ${guide.tick.length ? html`<h3>Events to tick</h3><p>${guide.tick.map((name, index) => html`${index ? ', ' : ''}<code>${name}</code>`)}</p>` : ''}
          ${others.length ? html`<details><summary>Other events learnhook understands</summary><p>${others.map((name, index) => html`${index ? ', ' : ''}<code>${name}</code>`)}</p></details>` : ''}
        </section>
        <section class="card" aria-labelledby="arrivals-heading">
          <h2 id="arrivals-heading">Has your LMS reached learnhook?</h2>
          ${await arrivalsFragment(ctx, connection)}
        </section>
      </div>
      <section class="card" aria-labelledby="activity-heading"><h2 id="activity-heading">Activity</h2>${activityChart(activity, ctx.now(), connection.record.name)}</section>
      ${hydrationCard(ctx, res, connection, options.tested)}
      ${
        admin
          ? html`<section class="card" aria-labelledby="manage-heading"><h2 id="manage-heading">Manage</h2>
            ${connection.record.vendor === 'custom' ? html`<p><a class="button" href="/connections/${id}/mapping">Map fields</a> <span class="hint">Where the event name, learner and course are in what your LMS sends.</span></p>` : ''}
            <p><a class="button secondary" href="/connections/${id}/edit">Change settings</a></p>
            <form method="post" action="/connections/${id}/rotate" data-confirm="Issue a new URL? The current one stops working at once, until you paste the new one into your LMS.">${csrfField(res)}<button type="submit" class="secondary">Issue a new URL</button></form>
            <p><a class="button danger" href="/connections/${id}/delete">Delete this connection</a></p>
          </section>`
          : ''
      }`,
  });
}
