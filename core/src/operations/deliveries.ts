import type { z } from 'zod';
import { NotFoundError } from '../errors.ts';
import type { AttemptRecord, DeliveryRecord } from '../store/store.ts';
import type { OperationsContext } from './context.ts';
import type { Attempt, Delivery } from './schemas.ts';
import { isoTime } from './schemas.ts';

/**
 * Deliveries and their attempts, and sending them again on demand: the API
 * (http/routes/deliveries.ts) and the console's subscription pages both call these.
 */

export function presentDelivery(record: DeliveryRecord): z.infer<typeof Delivery> {
  return {
    ...record,
    next_attempt_at: isoTime(record.next_attempt_at),
    created_at: isoTime(record.created_at),
    updated_at: isoTime(record.updated_at),
  };
}

export function presentAttempt(record: AttemptRecord): z.infer<typeof Attempt> {
  const { delivery_id: _deliveryId, ...rest } = record;
  return { ...rest, started_at: isoTime(record.started_at) };
}

/** Makes one delivery due now, whatever its status (one in flight is left as it is). */
export async function retryDelivery(ctx: OperationsContext, actor: string, id: string): Promise<DeliveryRecord> {
  const delivery = await ctx.store.retryDelivery(id, ctx.now());
  if (!delivery) throw new NotFoundError(`No delivery ${id}.`);
  ctx.wakeDispatcher();
  await ctx.audit(actor, 'delivery.retried', id);
  return delivery;
}

const PAGE = 100;

/** Every delivery of a hook that gave up (its retry schedule ran out) at or after `since`, newest first. */
export async function failedDeliveries(ctx: Pick<OperationsContext, 'store'>, hookId: string, since = 0): Promise<DeliveryRecord[]> {
  const found: DeliveryRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.store.listDeliveries({ hook_id: hookId, status: 'failed', limit: PAGE, cursor });
    found.push(...page.data.filter((delivery) => delivery.updated_at >= since));
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return found;
}

/**
 * Sends every failed delivery of a hook again, as a person confirmed after seeing how many
 * failedDeliveries() found; answers how many were queued (a delivery that left the failed state
 * meanwhile is not counted).
 */
export async function retryFailedDeliveries(ctx: OperationsContext, actor: string, hookId: string, since = 0): Promise<number> {
  let queued = 0;
  for (const delivery of await failedDeliveries(ctx, hookId, since)) {
    const retried = await ctx.store.retryDelivery(delivery.id, ctx.now());
    if (retried?.status === 'pending') queued += 1;
  }
  if (queued > 0) ctx.wakeDispatcher();
  await ctx.audit(actor, 'hook.failed_retried', hookId, { queued, since: since ? isoTime(since) : null });
  return queued;
}

export interface DeliveryHealth {
  /** Deliveries looked at (the newest ones). */
  count: number;
  /** Deliveries that gave up. */
  failed: number;
  /** Succeeded out of those tried at least once, 0..1; null when none was tried yet. */
  successRate: number | null;
  /** The newest delivery tried at least once. */
  last: DeliveryRecord | null;
}

/** How a hook's target has been answering, over the given (newest first) deliveries. */
export function deliveryHealth(deliveries: readonly DeliveryRecord[]): DeliveryHealth {
  const tried = deliveries.filter((delivery) => delivery.attempts > 0);
  const succeeded = tried.filter((delivery) => delivery.status === 'succeeded').length;
  return {
    count: deliveries.length,
    failed: deliveries.filter((delivery) => delivery.status === 'failed').length,
    successRate: tried.length ? succeeded / tried.length : null,
    last: tried[0] ?? null,
  };
}
