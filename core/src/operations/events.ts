import { hookWants } from '../delivery/match.ts';
import { NotFoundError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { HookRecord, StoredEvent } from '../store/store.ts';
import type { OperationsContext } from './context.ts';

export async function storedEvent(ctx: OperationsContext, id: string): Promise<StoredEvent> {
  const stored = await ctx.store.getEvent(id);
  if (!stored) throw new NotFoundError(`No event ${id}.`);
  return stored;
}

export interface ReplayResult {
  deliveries: { id: string; hook_id: string }[];
  /** Said when nothing was sent, and why. */
  note?: string;
}

/** The hooks a replay sends to: the one named, else every hook that wants the event now. */
export async function replayTargets(ctx: OperationsContext, stored: StoredEvent, hookId?: string): Promise<HookRecord[]> {
  if (!hookId) return (await ctx.store.matchableHooks()).filter((hook) => hookWants(hook, stored.event));
  const hook = await ctx.store.getHook(hookId);
  if (!hook) throw new NotFoundError(`No hook ${hookId}.`);
  return [hook];
}

/** Sends a stored event again, to every matching hook or to the one named (POST /v1/events/:id/replay). */
export async function replayEvent(ctx: OperationsContext, actor: string, id: string, input: { hook_id?: string | undefined }): Promise<ReplayResult> {
  const stored = await storedEvent(ctx, id);
  if (stored.state !== 'processed') return { deliveries: [], note: 'The event is still being processed; it will be delivered without a replay.' };
  const targets = await replayTargets(ctx, stored, input.hook_id);
  const now = ctx.now();
  const deliveries = targets.map((hook) => ({ id: newId('dlv'), event_id: stored.id, hook_id: hook.id, next_attempt_at: now, reason: 'replay' as const }));
  // Retention may have removed the event since it was read: then nothing is sent, and the caller hears so.
  if ((await ctx.store.insertDeliveries(deliveries)) < deliveries.length)
    throw new NotFoundError(`No event ${stored.id}: its retention window ended as it was replayed.`);
  ctx.wakeDispatcher();
  await ctx.audit(actor, 'event.replayed', stored.id, { hooks: deliveries.map((delivery) => delivery.hook_id) });
  return { deliveries: deliveries.map((delivery) => ({ id: delivery.id, hook_id: delivery.hook_id })) };
}
