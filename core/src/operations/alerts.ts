import { HOUR_MS } from '../store/sql/activity.ts';
import type { ActivityHour, ConnectionRecord, HookRecord, Page, PageQuery } from '../store/store.ts';
import type { OperationsContext } from './context.ts';

/**
 * What needs a person's attention on a hub that runs for years (DESIGN §9): a subscription the
 * hub disabled, an LMS API that keeps failing, an LMS that used to send and fell silent, a disk
 * running out. Alerts are read from the hub's state each time, not stored: an alert ends by
 * itself when its cause does (the hook is resumed, the LMS answers, events arrive, space is freed).
 */

export type AlertKind = 'hook_disabled' | 'lms_api_failing' | 'connection_silent' | 'disk_low';

export interface Alert {
  /** Stable while the cause lasts: a notification is sent once per key. */
  key: string;
  kind: AlertKind;
  /** What a person reads, in plain words, with what to do. */
  message: string;
  /** When the cause began (epoch ms). */
  since: number;
  /** The console page where it is fixed. */
  link: string;
}

export interface DiskUse {
  freeBytes: number;
  totalBytes: number;
}

/** Silence shorter than this is never news, however regular the LMS was. */
const MIN_SILENCE_MS = 6 * HOUR_MS;
/** A connection needs this many active hours in the window before its rhythm says anything. */
const MIN_ACTIVE_HOURS = 3;

/**
 * A connection is silent when its last event is older than twice the longest gap between the
 * hours it sent in within `hours` (its own rhythm: a weekday-only LMS waits out a weekend), and
 * at least MIN_SILENCE_MS. Null when it is not silent, or too new to have a rhythm.
 */
export function silence(hours: readonly ActivityHour[], now: number): { lastAt: number; usualGapMs: number } | null {
  const active = hours
    .filter((hour) => hour.received > 0)
    .map((hour) => hour.at)
    .sort((a, b) => a - b);
  const last = active.at(-1);
  if (last === undefined || active.length < MIN_ACTIVE_HOURS) return null;
  let usualGapMs = HOUR_MS;
  for (let index = 1; index < active.length; index++) usualGapMs = Math.max(usualGapMs, (active[index] ?? 0) - (active[index - 1] ?? 0));
  const lastAt = last + HOUR_MS;
  return now - lastAt > Math.max(MIN_SILENCE_MS, 2 * usualGapMs) ? { lastAt, usualGapMs } : null;
}

/** Low when less than `minFreePercent` of the disk is free. */
export function diskLow(use: DiskUse, minFreePercent: number): boolean {
  return use.totalBytes > 0 && (use.freeBytes / use.totalBytes) * 100 < minFreePercent;
}

async function everyPage<T>(read: (query: PageQuery) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read({ limit: 100, cursor });
    all.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return all;
}

const hours = (ms: number) => `${Math.round(ms / HOUR_MS)} h`;

function hookAlert(hook: HookRecord): Alert {
  return {
    key: `hook_disabled:${hook.id}`,
    kind: 'hook_disabled',
    message: `A subscription was turned off after failing for days (${hook.status_reason ?? 'its target kept refusing'}): ${hook.description ?? hook.url}. Fix the target, then resume it.`,
    since: hook.failing_since ?? hook.updated_at,
    link: `/subscriptions/${hook.id}`,
  };
}

async function connectionAlerts(ctx: OperationsContext, connection: ConnectionRecord, now: number): Promise<Alert[]> {
  const alerts: Alert[] = [];
  const breaker = ctx.breakers.stateOf(connection.id);
  if (breaker.state !== 'closed') {
    alerts.push({
      key: `lms_api_failing:${connection.id}`,
      kind: 'lms_api_failing',
      message: `The LMS API of ${connection.name} keeps failing (${breaker.lastError}): events go out partial, without names and titles, until it answers again. Check its API settings and whether the LMS is up.`,
      since: breaker.since,
      link: `/connections/${connection.id}`,
    });
  }
  const silent = silence(await ctx.store.activity({ since: now - 7 * 24 * HOUR_MS, connection_id: connection.id }), now);
  if (silent) {
    alerts.push({
      key: `connection_silent:${connection.id}`,
      kind: 'connection_silent',
      message: `${connection.name} has sent nothing for ${hours(now - silent.lastAt)}; it usually sends at least every ${hours(silent.usualGapMs)}. Check the webhook in the LMS still points at learnhook.`,
      since: silent.lastAt,
      link: `/connections/${connection.id}`,
    });
  }
  return alerts;
}

/** Every alert that holds now. */
export async function currentAlerts(ctx: OperationsContext): Promise<Alert[]> {
  const now = ctx.now();
  const diskUse = await ctx.disk.use();
  const [hooks, connections] = await Promise.all([everyPage((query) => ctx.store.listHooks(query)), everyPage((query) => ctx.store.listConnections(query))]);
  const alerts = hooks.filter((hook) => hook.status === 'disabled').map(hookAlert);
  for (const connection of connections) alerts.push(...(await connectionAlerts(ctx, connection, now)));
  if (diskUse && diskLow(diskUse, ctx.disk.minFreePercent)) {
    alerts.push({
      key: 'disk_low',
      kind: 'disk_low',
      message: `The disk holding learnhook's data has ${Math.round(diskUse.freeBytes / 1024 ** 2)} MB free (${((diskUse.freeBytes / diskUse.totalBytes) * 100).toFixed(1)} %). Free space or move the data before it fills: a full disk stops ingest.`,
      since: now,
      link: '/',
    });
  }
  return alerts.sort((a, b) => a.since - b.since);
}
