import { createHash } from 'node:crypto';
import { statfs } from 'node:fs/promises';
import type { Transport } from '../delivery/transport.ts';
import type { Logger } from '../logger.ts';
import { type Alert, currentAlerts, type DiskUse } from '../operations/alerts.ts';
import type { OperationsContext } from '../operations/context.ts';
import { signStandardWebhook } from '../signatures/standard-webhooks.ts';

/**
 * Looks at the hub's alerts every `intervalMs` and tells people when one begins or ends: a log
 * line (warn when raised, info when over) and, when an alert URL is set, a POST signed like any
 * delivery (Standard Webhooks), so a Zap or a workflow can email the admin. The webhook-id is the
 * same for the same alert on every hub process and after a restart, so a receiver that drops
 * repeated ids (as the spec asks) hears of each alert once.
 */

export interface AlertsWatchOptions {
  ctx: OperationsContext;
  logger: Logger;
  transport: Transport;
  intervalMs: number;
  /** LEARNHOOK_ALERT_URL and LEARNHOOK_ALERT_SECRET, when set. */
  notify: { url: string; secret: string } | null;
  /** The hub's public URL, so a notification says which hub it is about. */
  hubUrl: string;
}

/** The disk holding `dir`, as statfs sees it; null when it cannot be read. */
export async function diskUseOf(dir: string): Promise<DiskUse | null> {
  try {
    const stats = await statfs(dir);
    return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
  } catch {
    return null;
  }
}

const messageId = (alert: Alert, phase: string) =>
  `alert_${createHash('sha256').update(`${alert.key}|${alert.since}|${phase}`).digest('base64url').slice(0, 24)}`;

export function startAlertsWatch(options: AlertsWatchOptions): { check(): Promise<void>; stop(): void } {
  const { ctx, logger } = options;
  let active = new Map<string, Alert>();
  let checking: Promise<void> | null = null;

  async function send(alert: Alert, phase: 'alert.raised' | 'alert.resolved'): Promise<void> {
    if (!options.notify) return;
    const body = JSON.stringify({ type: phase, hub: options.hubUrl, alert: { ...alert, since: new Date(alert.since).toISOString() } });
    const headers = signStandardWebhook({ id: messageId(alert, phase), timestampSeconds: ctx.now() / 1000, body, secret: options.notify.secret });
    const result = await options.transport.send({ url: options.notify.url, headers: { ...headers }, body });
    if (!result.ok) logger.warn({ alert: alert.key, status: result.status, error: result.error?.message }, 'the alert URL did not take the alert');
  }

  async function check(): Promise<void> {
    const now = new Map((await currentAlerts(ctx)).map((alert) => [alert.key, alert]));
    for (const [key, alert] of now) {
      if (active.has(key)) continue;
      logger.warn({ alert: { kind: alert.kind, key } }, alert.message);
      await send(alert, 'alert.raised');
    }
    for (const [key, alert] of active) {
      if (now.has(key)) continue;
      logger.info({ alert: { kind: alert.kind, key } }, `resolved: ${alert.message}`);
      await send(alert, 'alert.resolved');
    }
    active = now;
  }

  const tick = () => {
    checking ??= check()
      .catch((error: unknown) => logger.warn({ err: error }, 'could not check for alerts; trying again at the next check'))
      .finally(() => {
        checking = null;
      });
    return checking;
  };
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();
  return { check: tick, stop: () => clearInterval(timer) };
}
