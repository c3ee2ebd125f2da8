import express, { type Router } from 'express';
import type { z } from 'zod';
import { NotFoundError } from '../../errors.ts';
import { type Attempt, type Delivery, DeliveryListParams, isoTime } from '../../operations/schemas.ts';
import type { AttemptRecord, DeliveryRecord } from '../../store/store.ts';
import { callerOf } from '../auth.ts';
import type { HubContext } from '../context.ts';
import { pathParam, queryOf } from '../request.ts';
import type { RequireScope } from './types.ts';

function toDelivery(record: DeliveryRecord): z.infer<typeof Delivery> {
  return {
    ...record,
    next_attempt_at: isoTime(record.next_attempt_at),
    created_at: isoTime(record.created_at),
    updated_at: isoTime(record.updated_at),
  };
}

function toAttempt(record: AttemptRecord): z.infer<typeof Attempt> {
  const { delivery_id: _deliveryId, ...rest } = record;
  return { ...rest, started_at: isoTime(record.started_at) };
}

/** Every delivery and each of its attempts, so a user can see why a Zap did not fire. */
export function deliveriesRouter(ctx: HubContext, requireScope: RequireScope): Router {
  const router = express.Router();
  const scope = requireScope('hooks');

  router.get('/', scope, async (req, res) => {
    const query = queryOf(req, DeliveryListParams);
    const page = await ctx.store.listDeliveries(query);
    res.json({ data: page.data.map(toDelivery), next_cursor: page.next_cursor });
  });

  router.get('/:id', scope, async (req, res) => {
    const id = pathParam(req, 'id');
    const delivery = await ctx.store.getDelivery(id);
    if (!delivery) throw new NotFoundError(`No delivery ${id}.`);
    res.json({ ...toDelivery(delivery), attempts: (await ctx.store.listAttempts(id)).map(toAttempt) });
  });

  router.post('/:id/retry', scope, async (req, res) => {
    const id = pathParam(req, 'id');
    const delivery = await ctx.store.retryDelivery(id, ctx.now());
    if (!delivery) throw new NotFoundError(`No delivery ${id}.`);
    ctx.wakeDispatcher();
    await ctx.audit(callerOf(res).id, 'delivery.retried', id);
    res.status(202).json(toDelivery(delivery));
  });

  return router;
}
