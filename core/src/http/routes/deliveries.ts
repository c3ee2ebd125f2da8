import express, { type Router } from 'express';
import { NotFoundError } from '../../errors.ts';
import { presentAttempt, presentDelivery, retryDelivery } from '../../operations/deliveries.ts';
import { DeliveryListParams } from '../../operations/schemas.ts';
import { callerOf } from '../auth.ts';
import type { HubContext } from '../context.ts';
import { pathParam, queryOf } from '../request.ts';
import type { RequireScope } from './types.ts';

/** Every delivery and each of its attempts, so a user can see why a Zap did not fire. */
export function deliveriesRouter(ctx: HubContext, requireScope: RequireScope): Router {
  const router = express.Router();
  const scope = requireScope('hooks');

  router.get('/', scope, async (req, res) => {
    const query = queryOf(req, DeliveryListParams);
    const page = await ctx.store.listDeliveries(query);
    res.json({ data: page.data.map(presentDelivery), next_cursor: page.next_cursor });
  });

  router.get('/:id', scope, async (req, res) => {
    const id = pathParam(req, 'id');
    const delivery = await ctx.store.getDelivery(id);
    if (!delivery) throw new NotFoundError(`No delivery ${id}.`);
    res.json({ ...presentDelivery(delivery), attempts: (await ctx.store.listAttempts(id)).map(presentAttempt) });
  });

  router.post('/:id/retry', scope, async (req, res) => {
    res.status(202).json(presentDelivery(await retryDelivery(ctx, callerOf(res).id, pathParam(req, 'id'))));
  });

  return router;
}
