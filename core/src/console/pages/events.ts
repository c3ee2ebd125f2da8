import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import { CATALOG, isEventType } from '../../catalog/index.ts';
import type { StoredEvent } from '../../store/store.ts';
import type { ConsoleContext } from '../context.ts';
import { html, type SafeHtml } from '../html.ts';
import { notice, sendPage } from '../layout.ts';
import { timeAgo } from '../time.ts';

const TITLES = new Map(CATALOG.map((entry) => [entry.type, entry.title]));

/** The list's filters, from the query string; anything unknown is ignored rather than refused. */
const EventFilters = z.object({
  type: z
    .string()
    .optional()
    .transform((value) => (value && isEventType(value) ? value : undefined)),
  connection: z
    .string()
    .optional()
    .transform((value) => value || undefined),
  cursor: z
    .string()
    .optional()
    .transform((value) => value || undefined),
  id: z.string().trim().max(200).optional(),
});
type EventFilters = z.infer<typeof EventFilters>;

const filtersOf = (req: Request): EventFilters =>
  EventFilters.catch({ type: undefined, connection: undefined, cursor: undefined, id: undefined }).parse(req.query);

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
  const learner = event.learner ? (event.learner.name ?? event.learner.email ?? event.learner.id) : '';
  const course = event.course ? (event.course.title ?? event.course.id) : '';
  return html`<tr>
    <td><a href="/events/${stored.id}">${TITLES.get(stored.type) ?? stored.type}</a><br><code class="hint">${stored.id}</code></td>
    <td>${learner}</td><td>${course}</td>
    <td>${names.get(stored.connection_id) ?? event.source.connection}</td>
    <td>${hydrationBadge(stored)}</td>
    <td><time datetime="${event.received_at}" title="${event.received_at}">${timeAgo(Date.parse(event.received_at), now)}</time></td>
  </tr>`;
}

function filterForm(filters: EventFilters, names: ReadonlyMap<string, string>): SafeHtml {
  return html`<form method="get" action="/events" class="card filters">
    <div class="field"><label for="f-type">Type</label><select id="f-type" name="type"><option value="">Every type</option>${CATALOG.map((entry) => html`<option value="${entry.type}"${entry.type === filters.type ? html` selected` : ''}>${entry.title}</option>`)}</select></div>
    <div class="field"><label for="f-connection">Connection</label><select id="f-connection" name="connection"><option value="">Every connection</option>${[...names].map(([id, name]) => html`<option value="${id}"${id === filters.connection ? html` selected` : ''}>${name}</option>`)}</select></div>
    <div class="field"><label for="f-id">Event id</label><input id="f-id" name="id" type="search" placeholder="evt_…" value="${filters.id ?? ''}"></div>
    <button type="submit">Show</button> <a href="/events">Clear</a>
  </form>`;
}

/** The query string of the current filters, for the stream and the next page. */
function filterQuery(filters: EventFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (filters.type) params.set('type', filters.type);
  if (filters.connection) params.set('connection', filters.connection);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The event log: filters, cursor pages, and a live tail over SSE on the first page. */
export function eventsPages(ctx: ConsoleContext): Router {
  const router = express.Router();

  router.get('/events', async (req, res) => {
    const filters = filtersOf(req);
    if (filters.id) return res.redirect(303, `/events/${encodeURIComponent(filters.id)}`);
    const [names, page] = await Promise.all([
      connectionNames(ctx),
      ctx.store.listEvents({ limit: PAGE_SIZE, type: filters.type, connection: filters.connection, cursor: filters.cursor }),
    ]);
    const now = ctx.now();
    const live = !filters.cursor;
    const rows = page.data.map((stored) => eventRow(stored, names, now));
    sendPage(res, {
      title: 'Events',
      active: '/events',
      body: html`${filterForm(filters, names)}
        ${live ? html`<p class="live-note" role="status"><span class="dot" aria-hidden="true"></span> Live: new events appear at the top as they arrive.</p>` : ''}
        <div class="table-wrap"><table><caption>Events, newest first</caption>
          <thead><tr><th scope="col">Event</th><th scope="col">Learner</th><th scope="col">Course</th><th scope="col">Connection</th><th scope="col">Details</th><th scope="col">Received</th></tr></thead>
          <tbody id="event-rows"${live ? html` hx-ext="sse" sse-connect="/events/stream${filterQuery(filters)}" sse-swap="event" hx-swap="afterbegin"` : ''}>${rows}</tbody>
        </table></div>
        ${page.data.length === 0 ? notice('info', filters.type || filters.connection ? 'No event matches these filters.' : 'No event yet: once your LMS sends one, it appears here.') : ''}
        ${page.next_cursor ? html`<p><a class="button secondary" href="/events${filterQuery(filters, { cursor: page.next_cursor })}">Older events</a></p>` : ''}`,
    });
  });

  router.get('/events/stream', async (req, res) => {
    const filters = filtersOf(req);
    const query = { limit: PAGE_SIZE, type: filters.type, connection: filters.connection };
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
