import express, { type Request, type Router } from 'express';
import type { z } from 'zod';
import { CATALOG, type CatalogEvent, catalogEntry } from '../../catalog/index.ts';
import { EventListParams } from '../../operations/schemas.ts';
import type { StoredEvent } from '../../store/store.ts';
import type { ConsoleContext } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import { notice, sendPage } from '../layout.ts';
import { timeAgo } from '../time.ts';

/** How an event's learner and course are named on the console's pages: the LMS's own words, escaped where shown. */
export const learnerLabel = (event: CatalogEvent): string => (event.learner ? (event.learner.name ?? event.learner.email ?? event.learner.id) : '');
export const courseLabel = (event: CatalogEvent): string => (event.course ? (event.course.title ?? event.course.id) : '');

/** The form's own names for the two dates (a day in UTC each); everything else is the API's EventListParams. */
const FILTER_NAMES = ['type', 'connection', 'learner_email', 'course', 'hydration', 'delivery_status', 'from', 'to'] as const;
type FilterValues = Partial<Record<(typeof FILTER_NAMES)[number] | 'id' | 'cursor', string>>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString();

/** What the person typed, as text: the form shows it again, and the links to the stream and the next page carry it. */
function valuesOf(req: Request): FilterValues {
  const values: FilterValues = {};
  for (const name of [...FILTER_NAMES, 'id', 'cursor'] as const) {
    const value = req.query[name];
    if (typeof value === 'string' && value.trim()) values[name] = value.trim();
  }
  return values;
}

/** The filters through the API's own schema, so the console filters exactly as GET /v1/events does. */
function eventQuery(values: FilterValues): { query: z.infer<typeof EventListParams>; error: string | null } {
  const parsed = EventListParams.safeParse({
    limit: PAGE_SIZE,
    type: values.type,
    connection: values.connection,
    learner_email: values.learner_email,
    course: values.course,
    hydration: values.hydration,
    delivery_status: values.delivery_status,
    cursor: values.cursor,
    received_since: values.from && DAY.test(values.from) ? `${values.from}T00:00:00.000Z` : undefined,
    received_before: values.to && DAY.test(values.to) ? nextDay(values.to) : undefined,
  });
  if (parsed.success) return { query: parsed.data, error: null };
  const issue = parsed.error.issues[0];
  return { query: EventListParams.parse({ limit: PAGE_SIZE }), error: `The filter ${issue?.path.join('.')} was not used: ${issue?.message}` };
}

const PAGE_SIZE = 50;

/** Connection id -> name, for the rows; read once per page or stream. */
async function connectionNames(ctx: ConsoleContext): Promise<Map<string, string>> {
  const page = await ctx.store.listConnections({ limit: 100 });
  return new Map(page.data.map((record) => [record.id, record.name]));
}

function hydrationBadge(stored: StoredEvent): SafeHtml {
  if (stored.state !== 'processed') return html`<span class="badge">processing</span>`;
  const status = stored.event.hydration.status;
  return html`<span class="badge ${status === 'complete' ? 'ok' : 'warn'}" title="${status === 'partial' ? `Missing: ${stored.event.hydration.missing.join(', ')}` : ''}">${status}</span>`;
}

/** One event as a row of the list and of the live tail; everything in it came from an LMS and is escaped. */
export function eventRow(stored: StoredEvent, names: ReadonlyMap<string, string>, now: number): SafeHtml {
  const { event } = stored;
  return html`<tr>
    <td><a href="/events/${stored.id}">${catalogEntry(stored.type).title}</a><br><code class="hint">${stored.id}</code></td>
    <td>${learnerLabel(event)}</td><td>${courseLabel(event)}</td>
    <td>${names.get(stored.connection_id) ?? event.source.connection}</td>
    <td>${hydrationBadge(stored)}</td>
    <td><time datetime="${event.received_at}" title="${event.received_at}">${timeAgo(Date.parse(event.received_at), now)}</time></td>
  </tr>`;
}

const select = (name: string, label: string, options: readonly (readonly [string, string])[], current: string | undefined, every: string) =>
  html`<div class="field"><label for="f-${name}">${label}</label><select id="f-${name}" name="${name}"><option value="">${every}</option>${options.map(([value, text]) => html`<option value="${value}"${value === current ? html` selected` : ''}>${text}</option>`)}</select></div>`;
const input = (name: string, label: string, type: string, current: string | undefined, placeholder = '') =>
  html`<div class="field"><label for="f-${name}">${label}</label><input id="f-${name}" name="${name}" type="${type}" value="${current ?? ''}"${placeholder ? html` placeholder="${placeholder}"` : ''}></div>`;

function filterForm(values: FilterValues, names: ReadonlyMap<string, string>): SafeHtml {
  return html`<form method="get" action="/events" class="card filters">
    ${select(
      'type',
      'Type',
      CATALOG.map((entry) => [entry.type, entry.title] as const),
      values.type,
      'Every type',
    )}
    ${select('connection', 'Connection', [...names], values.connection, 'Every connection')}
    ${input('learner_email', 'Learner email', 'search', values.learner_email, 'name@example.com')}
    ${input('course', 'Course', 'search', values.course, 'id or part of the title')}
    ${select(
      'hydration',
      'Filled in',
      [
        ['complete', 'complete'],
        ['partial', 'partly'],
        ['pending', 'processing'],
      ],
      values.hydration,
      'Any',
    )}
    ${select(
      'delivery_status',
      'A delivery that',
      [
        ['failed', 'failed'],
        ['pending', 'is waiting'],
        ['succeeded', 'succeeded'],
      ],
      values.delivery_status,
      'Any',
    )}
    ${input('from', 'From (UTC)', 'date', values.from)}
    ${input('to', 'To (UTC)', 'date', values.to)}
    ${input('id', 'Event id', 'search', values.id, 'evt_…')}
    <button type="submit">Show</button> <a href="/events">Clear</a>
  </form>`;
}

/** The query string of the current filters, for the stream and the next page. */
function filterQuery(values: FilterValues, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const value = values[name];
    if (value) params.set(name, value);
  }
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The event log: filters, cursor pages, and a live tail over SSE on the first page. */
export function eventsPages(ctx: ConsoleContext): Router {
  const router = express.Router();

  router.get('/events', async (req, res) => {
    const values = valuesOf(req);
    if (values.id) return res.redirect(303, `/events/${encodeURIComponent(values.id)}`);
    const { query, error } = eventQuery(values);
    const filtered = FILTER_NAMES.some((name) => values[name]);
    const [names, page] = await Promise.all([connectionNames(ctx), ctx.store.listEvents(query)]);
    const now = ctx.now();
    const live = !query.cursor;
    const rows = page.data.map((stored) => eventRow(stored, names, now));
    sendPage(res, {
      title: 'Events',
      active: '/events',
      body: html`${error ? notice('error', error) : ''}${filterForm(values, names)}
        ${live ? html`<p class="live-note" role="status"><span class="dot" aria-hidden="true"></span> Live: new events appear at the top as they arrive.</p>` : ''}
        <div class="table-wrap"><table><caption>Events, newest first</caption>
          <thead><tr><th scope="col">Event</th><th scope="col">Learner</th><th scope="col">Course</th><th scope="col">Connection</th><th scope="col">Details</th><th scope="col">Received</th></tr></thead>
          <tbody id="event-rows"${live ? html` hx-ext="sse" sse-connect="/events/stream${filterQuery(values)}" sse-swap="event" hx-swap="afterbegin"` : ''}>${rows}</tbody>
        </table></div>
        ${page.data.length === 0 ? notice('info', filtered ? 'No event matches these filters.' : 'No event yet: once your LMS sends one, it appears here.') : ''}
        ${page.next_cursor ? html`<p><a class="button secondary" href="/events${filterQuery(values, { cursor: page.next_cursor })}">Older events</a></p>` : ''}`,
    });
  });

  router.get('/events/stream', async (req, res) => {
    const { query: filtered } = eventQuery(valuesOf(req));
    const query = { ...filtered, cursor: undefined };
    let lastSeq = (await ctx.store.listEvents({ ...query, limit: 1 })).data[0]?.seq ?? 0;
    let names = await connectionNames(ctx);
    ctx.streams.open(
      res,
      async () => {
        const fresh = (await ctx.store.listEvents(query)).data.filter((stored) => stored.seq > lastSeq).reverse();
        if (!fresh.length) return [];
        lastSeq = fresh.at(-1)?.seq ?? lastSeq;
        if (fresh.some((stored) => !names.has(stored.connection_id))) names = await connectionNames(ctx);
        const now = ctx.now();
        return fresh.map((stored) => eventRow(stored, names, now));
      },
      { event: 'event' },
    );
  });

  return router;
}
