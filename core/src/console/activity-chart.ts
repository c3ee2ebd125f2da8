import { HOUR_MS } from '../store/sql/activity.ts';
import type { ActivityHour } from '../store/store.ts';
import { html, type SafeHtml } from './html.ts';

export const CHART_HOURS = 7 * 24;

const WIDTH = 720;
const HEIGHT = 160;
const PAD = { left: 36, right: 8, top: 8, bottom: 22 };

/** The last seven days, one slot per hour, oldest first; hours the store has no row for are zero. */
export function hourSlots(rows: readonly ActivityHour[], now: number): ActivityHour[] {
  const last = Math.floor(now / HOUR_MS) * HOUR_MS;
  const byHour = new Map(rows.map((row) => [row.at, row]));
  return Array.from({ length: CHART_HOURS }, (_, index) => {
    const at = last - (CHART_HOURS - 1 - index) * HOUR_MS;
    return byHour.get(at) ?? { at, received: 0, delivered: 0, failed: 0 };
  });
}

/** A "nice" top for the y axis: 1, 2 or 5 times a power of ten. */
function niceTop(max: number): number {
  if (max <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((step) => step * power).find((top) => top >= max) ?? 10 * power;
}

/**
 * Events received, delivered and failed per hour over the last seven days, as inline SVG drawn
 * from numbers alone (no LMS text reaches it). A sentence says the totals for screen readers and
 * for anyone who reads faster than they look.
 */
export function activityChart(rows: readonly ActivityHour[], now: number, label: string): SafeHtml {
  const slots = hourSlots(rows, now);
  const top = niceTop(Math.max(...slots.map((slot) => Math.max(slot.received, slot.delivered, slot.failed))));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (index: number) => PAD.left + (index / CHART_HOURS) * plotWidth;
  const y = (value: number) => PAD.top + plotHeight - (value / top) * plotHeight;
  const line = (pick: (slot: ActivityHour) => number) => slots.map((slot, index) => `${x(index + 0.5).toFixed(1)},${y(pick(slot)).toFixed(1)}`).join(' ');
  const barWidth = Math.max(1, plotWidth / CHART_HOURS - 0.5);
  const totals = slots.reduce(
    (sum, slot) => ({ received: sum.received + slot.received, delivered: sum.delivered + slot.delivered, failed: sum.failed + slot.failed }),
    {
      received: 0,
      delivered: 0,
      failed: 0,
    },
  );
  const days = Array.from({ length: 7 }, (_, day) => {
    const index = day * 24;
    const date = new Date(slots[index]?.at ?? now);
    return html`<text x="${x(index).toFixed(1)}" y="${HEIGHT - 6}" class="axis">${date.toISOString().slice(5, 10)}</text>`;
  });
  return html`<figure class="activity">
    <svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="activity-title" preserveAspectRatio="none">
      <title id="activity-title">${label}: received, delivered and failed per hour, last 7 days</title>
      <line x1="${PAD.left}" y1="${y(0)}" x2="${WIDTH - PAD.right}" y2="${y(0)}" class="grid"></line>
      <line x1="${PAD.left}" y1="${y(top)}" x2="${WIDTH - PAD.right}" y2="${y(top)}" class="grid"></line>
      <text x="${PAD.left - 4}" y="${y(top) + 4}" class="axis" text-anchor="end">${String(top)}</text>
      <text x="${PAD.left - 4}" y="${y(0)}" class="axis" text-anchor="end">0</text>
      ${slots.map((slot, index) => (slot.failed ? html`<rect x="${x(index).toFixed(1)}" y="${y(slot.failed).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(y(0) - y(slot.failed)).toFixed(1)}" class="failed"></rect>` : ''))}
      <polyline points="${line((slot) => slot.received)}" class="received"></polyline>
      <polyline points="${line((slot) => slot.delivered)}" class="delivered"></polyline>
      ${days}
    </svg>
    <figcaption><span class="key received">received</span> <span class="key delivered">delivered</span> <span class="key failed">failed</span>
      · Last 7 days: ${String(totals.received)} received, ${String(totals.delivered)} delivered, ${String(totals.failed)} failed.</figcaption>
  </figure>`;
}
