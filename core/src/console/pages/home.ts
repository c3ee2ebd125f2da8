import express, { type Router } from 'express';
import { currentAlerts } from '../../operations/alerts.ts';
import { HOUR_MS } from '../../store/sql/activity.ts';
import { activityChart, CHART_HOURS } from '../activity-chart.ts';
import type { ConsoleContext } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import { notice, sendPage } from '../layout.ts';
import { isAdmin, userOf } from '../session.ts';
import { timeAgo } from '../time.ts';

interface Step {
  done: boolean;
  title: string;
  help: string;
  /** The page that does this step, once the console has it; until then the help names the API call. */
  link?: { href: string; action: string };
}

/** The getting-started steps, each read from what the store holds now. */
async function checklist(ctx: ConsoleContext): Promise<Step[]> {
  const [connections, events, hooks, delivered] = await Promise.all([
    ctx.store.listConnections({ limit: 1 }),
    ctx.store.listEvents({ limit: 1 }),
    ctx.store.listHooks({ limit: 1 }),
    ctx.store.listDeliveries({ limit: 1, status: 'succeeded' }),
  ]);
  return [
    {
      done: connections.data.length > 0,
      title: 'Connect your LMS',
      help: 'Choose your LMS, and learnhook shows the URL to paste into its webhook settings, step by step.',
      link: { href: '/connections/new', action: 'Add a connection' },
    },
    {
      done: events.data.length > 0,
      title: 'Your LMS reached learnhook',
      help: "Send a test webhook from your LMS (most have a Test button) or wait for a learner's next step. The connection's page turns green when it arrives.",
      link: { href: connections.data[0] ? `/connections/${connections.data[0].id}` : '/connections', action: 'Watch for it' },
    },
    {
      done: hooks.data.length > 0,
      title: 'Connect Zapier or n8n',
      help: 'Create an API key for the learnhook Zapier app or n8n node, then turn on a Zap or activate a workflow.',
      link: { href: '/keys', action: 'Create a key' },
    },
    { done: delivered.data.length > 0, title: 'First event delivered', help: 'An event reached your Zap, workflow or URL.' },
  ];
}

function stepItem(step: Step, index: number, isNext: boolean, canAct: boolean): SafeHtml {
  return html`<li class="step ${step.done ? 'done' : isNext ? 'next' : 'todo'}">
    <span class="mark" aria-hidden="true">${step.done ? '✓' : String(index + 1)}</span>
    <div><h3>${step.title}<span class="visually-hidden">${step.done ? ' (done)' : ' (to do)'}</span></h3>
    <p>${step.help}</p>
    ${step.done || !step.link || !canAct ? '' : html`<a class="button${isNext ? '' : ' secondary'}" href="${step.link.href}">${step.link.action}</a>`}</div>
  </li>`;
}

export function homePage(ctx: ConsoleContext): Router {
  const router = express.Router();
  router.get('/', async (_req, res) => {
    // A viewer sees the progress but not the buttons: every step changes something.
    const admin = isAdmin(userOf(res).role);
    const now = ctx.now();
    const [steps, activity, alerts] = await Promise.all([checklist(ctx), ctx.store.activity({ since: now - CHART_HOURS * HOUR_MS }), currentAlerts(ctx)]);
    const next = steps.findIndex((step) => !step.done);
    sendPage(res, {
      title: 'Home',
      active: '/',
      body: html`${
        alerts.length
          ? html`<section aria-labelledby="alerts-heading" class="card">
        <h2 id="alerts-heading">Needs attention</h2>
        <ul class="alerts">${alerts.map((alert) => html`<li>${notice('error', html`${alert.message} <a href="${alert.link}">Open</a> <span class="hint">since ${timeAgo(alert.since, now)}</span>`)}</li>`)}</ul>
      </section>`
          : ''
      }
      <section aria-labelledby="getting-started" class="card">
        <h2 id="getting-started">${next === -1 ? 'You are all set' : 'Getting started'}</h2>
        <ol class="checklist">${steps.map((step, index) => stepItem(step, index, index === next, admin))}</ol>
      </section>
      <section aria-labelledby="activity-heading" class="card">
        <h2 id="activity-heading">Activity</h2>
        ${activityChart(activity, now, 'Every connection')}
      </section>`,
    });
  });
  return router;
}
