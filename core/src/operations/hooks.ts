import type { z } from 'zod';
import { type EventType, isEventType, SAMPLES } from '../catalog/index.ts';
import type { TestSendResult } from '../delivery/dispatcher.ts';
import { checkTargetUrl } from '../delivery/target-policy.ts';
import { NotFoundError } from '../errors.ts';
import { newId } from '../ids.ts';
import { generateSecret } from '../signatures/standard-webhooks.ts';
import type { HookRecord } from '../store/store.ts';
import { parseWith } from '../vendors/parse-body.ts';
import type { OperationsContext } from './context.ts';
import { type Hook, HookCreate, HookPatch, HookRotateRequest, HookTestRequest, isoTime } from './schemas.ts';

/**
 * REST-hook subscriptions (the Zapier/n8n convention), created by an API key or a console user:
 * the rules live here once, and the API (http/routes/hooks.ts) and the console
 * (console/pages/subscriptions.ts) both call them. A hook signs with its own secret and sees only
 * events after it was created, plus replays.
 */

/** A hook as the API answers it; the secret only when it was just made. */
export function presentHook(record: HookRecord, secret?: string): z.infer<typeof Hook> {
  return {
    id: record.id,
    url: record.url,
    events: record.events,
    filter: record.filter,
    description: record.description,
    status: record.status,
    status_reason: record.status_reason,
    previous_secret_expires_at: record.previous_secret_enc !== null && record.previous_secret_until !== null ? isoTime(record.previous_secret_until) : null,
    created_at: isoTime(record.created_at),
    updated_at: isoTime(record.updated_at),
    ...(secret ? { secret } : {}),
  };
}

export async function openHook(ctx: OperationsContext, id: string): Promise<HookRecord> {
  const hook = await ctx.store.getHook(id);
  if (!hook) throw new NotFoundError(`No hook ${id}; it may have been deleted.`);
  return hook;
}

/** POST /v1/hooks: `input` is the request body. Answers the stored hook and its signing secret, shown this once. */
export async function createHook(ctx: OperationsContext, actor: string, input: unknown): Promise<{ record: HookRecord; secret: string }> {
  const given = parseWith(HookCreate, input, 'hook');
  // Refused at once with a clear message; the transport checks the resolved address again on every send.
  checkTargetUrl(given.url, ctx.targetPolicy);
  const now = ctx.now();
  const secret = generateSecret();
  const record: HookRecord = {
    id: newId('hook'),
    url: given.url,
    events: [...new Set(given.events)],
    filter: given.filter ?? {},
    description: given.description ?? null,
    secret_enc: ctx.box.seal(secret),
    previous_secret_enc: null,
    previous_secret_until: null,
    status: 'active',
    status_reason: null,
    failing_since: null,
    created_by: actor,
    created_at: now,
    updated_at: now,
  };
  await ctx.store.insertHook(record);
  ctx.fanOut.hooksChanged();
  await ctx.audit(actor, 'hook.created', record.id, { url: record.url, events: record.events });
  return { record, secret };
}

/** PATCH /v1/hooks/:id: target, events, filter, description, or pausing and resuming (status). */
export async function changeHook(ctx: OperationsContext, actor: string, id: string, input: unknown): Promise<HookRecord> {
  const patch = parseWith(HookPatch, input, 'hook change');
  if (patch.url) checkTargetUrl(patch.url, ctx.targetPolicy);
  const current = await openHook(ctx, id);
  const resumed = patch.status === 'active' && current.status !== 'active';
  const updated = await ctx.store.updateHook(id, {
    ...patch,
    ...(patch.events ? { events: [...new Set(patch.events)] } : {}),
    // A hook set active again starts a fresh record of failures.
    ...(resumed ? { status_reason: null, failing_since: null } : {}),
    updated_at: ctx.now(),
  });
  if (!updated) throw new NotFoundError(`No hook ${id}; it may have been deleted.`);
  ctx.fanOut.hooksChanged();
  if (resumed) ctx.wakeDispatcher();
  await ctx.audit(actor, 'hook.changed', id, { changes: Object.keys(patch) });
  return updated;
}

/** Deletes the hook and its undelivered deliveries. */
export async function deleteHook(ctx: OperationsContext, actor: string, id: string): Promise<void> {
  if (!(await ctx.store.deleteHook(id))) throw new NotFoundError(`No hook ${id}; it may have been deleted already.`);
  ctx.fanOut.hooksChanged();
  await ctx.audit(actor, 'hook.deleted', id);
}

/**
 * A new signing secret, answered this once. The previous one keeps signing beside it for
 * `overlap_seconds` (`input`, default a day), so a receiver can switch without refusing a
 * delivery; a second rotation within the overlap drops the oldest.
 */
export async function rotateHookSecret(ctx: OperationsContext, actor: string, id: string, input?: unknown): Promise<{ record: HookRecord; secret: string }> {
  const { overlap_seconds: overlapSeconds } = parseWith(HookRotateRequest, input ?? {}, 'rotation');
  const current = await openHook(ctx, id);
  const secret = generateSecret();
  const now = ctx.now();
  const updated = await ctx.store.updateHook(id, {
    secret_enc: ctx.box.seal(secret),
    previous_secret_enc: overlapSeconds > 0 ? current.secret_enc : null,
    previous_secret_until: overlapSeconds > 0 ? now + overlapSeconds * 1000 : null,
    updated_at: now,
  });
  if (!updated) throw new NotFoundError(`No hook ${id}; it may have been deleted.`);
  ctx.fanOut.hooksChanged();
  await ctx.audit(actor, 'hook.secret_rotated', id, { overlap_seconds: overlapSeconds });
  return { record: updated, secret };
}

/**
 * POST /v1/hooks/:id/test: one sample event through the signed delivery path, outside the queue;
 * answers what the target said. `input` ({type}) may be left out.
 */
export async function sendTestEvent(ctx: OperationsContext, id: string, input: unknown): Promise<TestSendResult> {
  const hook = await openHook(ctx, id);
  // An unknown type is refused: a test that sent another type than asked would report a false success.
  const asked = input === undefined ? {} : parseWith(HookTestRequest, input, 'test request');
  const type: EventType = (asked.type !== undefined && isEventType(asked.type) ? asked.type : hook.events.find(isEventType)) ?? 'enrollment.completed';
  const sample = { ...SAMPLES[type], id: newId('evt_test'), received_at: new Date(ctx.now()).toISOString() };
  return ctx.sendTest(hook, sample);
}
