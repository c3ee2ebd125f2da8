import express, { type Router } from 'express';
import type { z } from 'zod';
import { type EventType, isEventType, SAMPLES } from '../../catalog/index.ts';
import { checkTargetUrl } from '../../delivery/target-policy.ts';
import { NotFoundError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { type Hook, HookCreate, HookListParams, HookPatch, HookTestRequest, isoTime } from '../../operations/schemas.ts';
import { generateSecret } from '../../signatures/standard-webhooks.ts';
import type { HookRecord } from '../../store/store.ts';
import { callerOf } from '../auth.ts';
import type { HubContext } from '../context.ts';
import { bodyOf, pathParam, queryOf } from '../request.ts';
import type { RequireScope } from './types.ts';

export function toHook(record: HookRecord, secret?: string): z.infer<typeof Hook> {
  return {
    id: record.id,
    url: record.url,
    events: record.events,
    filter: record.filter,
    description: record.description,
    status: record.status,
    status_reason: record.status_reason,
    created_at: isoTime(record.created_at),
    updated_at: isoTime(record.updated_at),
    ...(secret ? { secret } : {}),
  };
}

/**
 * REST-hook subscriptions (the Zapier/n8n convention): subscribe answers the hook with its own
 * signing secret; a hook sees only events after it was created, plus replays.
 */
export function hooksRouter(ctx: HubContext, requireScope: RequireScope, options: { allowPrivateTargets: boolean }): Router {
  const router = express.Router();
  const scope = requireScope('hooks');

  async function hookOr404(id: string): Promise<HookRecord> {
    const hook = await ctx.store.getHook(id);
    if (!hook) throw new NotFoundError(`No hook ${id}; it may have been deleted.`);
    return hook;
  }

  router.post('/', scope, async (req, res) => {
    const input = bodyOf(req, HookCreate, 'hook');
    // Refused at once with a clear message; the transport checks the resolved address again on every send.
    checkTargetUrl(input.url, { allowPrivate: options.allowPrivateTargets });
    const now = ctx.now();
    const secret = generateSecret();
    const caller = callerOf(res);
    const record: HookRecord = {
      id: newId('hook'),
      url: input.url,
      events: [...new Set(input.events)],
      filter: input.filter ?? {},
      description: input.description ?? null,
      secret_enc: ctx.box.seal(secret),
      status: 'active',
      status_reason: null,
      failing_since: null,
      created_by: caller.id,
      created_at: now,
      updated_at: now,
    };
    await ctx.store.insertHook(record);
    ctx.fanOut.hooksChanged();
    await ctx.audit(caller.id, 'hook.created', record.id, { url: record.url, events: record.events });
    res.status(201).json(toHook(record, secret));
  });

  router.get('/', scope, async (req, res) => {
    const query = queryOf(req, HookListParams);
    const page = await ctx.store.listHooks({ limit: query.limit, cursor: query.cursor, created_by: query.mine ? callerOf(res).id : undefined });
    res.json({ data: page.data.map((hook) => toHook(hook)), next_cursor: page.next_cursor });
  });

  router.get('/:id', scope, async (req, res) => {
    res.json(toHook(await hookOr404(pathParam(req, 'id'))));
  });

  router.patch('/:id', scope, async (req, res) => {
    const id = pathParam(req, 'id');
    const patch = bodyOf(req, HookPatch, 'hook change');
    if (patch.url) checkTargetUrl(patch.url, { allowPrivate: options.allowPrivateTargets });
    const current = await hookOr404(id);
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
    await ctx.audit(callerOf(res).id, 'hook.changed', id, { changes: Object.keys(patch) });
    res.json(toHook(updated));
  });

  router.delete('/:id', scope, async (req, res) => {
    const id = pathParam(req, 'id');
    if (!(await ctx.store.deleteHook(id))) throw new NotFoundError(`No hook ${id}; it may have been deleted already.`);
    ctx.fanOut.hooksChanged();
    await ctx.audit(callerOf(res).id, 'hook.deleted', id);
    res.status(204).end();
  });

  router.post('/:id/test', scope, async (req, res) => {
    const hook = await hookOr404(pathParam(req, 'id'));
    // An unknown type is refused: a test that sent another type than asked would report a false success.
    const body = req.body === undefined ? {} : bodyOf(req, HookTestRequest, 'test request');
    const type: EventType = (body.type !== undefined && isEventType(body.type) ? body.type : hook.events.find(isEventType)) ?? 'enrollment.completed';
    const sample = { ...SAMPLES[type], id: newId('evt_test'), received_at: new Date(ctx.now()).toISOString() };
    res.json(await ctx.sendTest(hook, sample));
  });

  return router;
}
