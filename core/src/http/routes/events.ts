import express, { type Router } from 'express';
import { z } from 'zod';
import { NotFoundError } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { hookWants } from '../../delivery/match.ts';
import type { HookRecord, StoredEvent } from '../../store/store.ts';
import { callerOf } from '../auth.ts';
import type { HubContext } from '../context.ts';
import { bodyOf, pathParam, queryOf } from '../request.ts';
import { EventListParams, ReplayRequest } from '../../operations/schemas.ts';
import type { RequireScope } from './types.ts';

/** Events as subscribers receive them: the envelope, hydrated once processing is done. */
export function eventsRouter(ctx: HubContext, requireScope: RequireScope): Router {
  const router = express.Router();
  const scope = requireScope('events');

  async function eventOr404(id: string): Promise<StoredEvent> {
    const stored = await ctx.store.getEvent(id);
    if (!stored) throw new NotFoundError(`No event ${id}.`);
    return stored;
  }

  // Newest first: Zapier's performList and n8n's test data show the latest real events.
  router.get('/', scope, async (req, res) => {
    const query = queryOf(req, EventListParams);
    const connection = query.connection ? ((await ctx.connections.get(query.connection))?.record.id ?? query.connection) : undefined;
    const page = await ctx.store.listEvents({ ...query, connection });
    res.json({ data: page.data.map((stored) => stored.event), next_cursor: page.next_cursor });
  });

  router.get('/:id', scope, async (req, res) => {
    res.json((await eventOr404(pathParam(req, 'id'))).event);
  });

  // Replay sends a stored event again, to every matching hook or to the one named.
  router.post('/:id/replay', scope, async (req, res) => {
    const stored = await eventOr404(pathParam(req, 'id'));
    const input = req.body === undefined ? {} : bodyOf(req, ReplayRequest, 'replay request');
    if (stored.state !== 'processed') {
      res.status(202).json({ deliveries: [], note: 'The event is still being processed; it will be delivered without a replay.' });
      return;
    }
    let targets: HookRecord[];
    if (input.hook_id) {
      const hook = await ctx.store.getHook(input.hook_id);
      if (!hook) throw new NotFoundError(`No hook ${input.hook_id}.`);
      targets = [hook];
    } else {
      targets = (await ctx.store.matchableHooks()).filter((hook) => hookWants(hook, stored.event));
    }
    const now = ctx.now();
    const deliveries = targets.map((hook) => ({ id: newId('dlv'), event_id: stored.id, hook_id: hook.id, next_attempt_at: now, reason: 'replay' as const }));
    await ctx.store.insertDeliveries(deliveries);
    ctx.wakeDispatcher();
    await ctx.audit(callerOf(res).id, 'event.replayed', stored.id, { hooks: deliveries.map((delivery) => delivery.hook_id) });
    res.status(202).json({ deliveries: deliveries.map((delivery) => ({ id: delivery.id, hook_id: delivery.hook_id })) });
  });

  return router;
}
