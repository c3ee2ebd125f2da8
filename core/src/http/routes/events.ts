import express, { type Router } from 'express';
import { replayEvent, storedEvent } from '../../operations/events.ts';
import { EventListParams, ReplayRequest } from '../../operations/schemas.ts';
import { callerOf } from '../auth.ts';
import type { HubContext } from '../context.ts';
import { bodyOf, pathParam, queryOf } from '../request.ts';
import type { RequireScope } from './types.ts';

/** Events as subscribers receive them: the envelope, hydrated once processing is done. */
export function eventsRouter(ctx: HubContext, requireScope: RequireScope): Router {
  const router = express.Router();
  const scope = requireScope('events');

  // Newest first: Zapier's performList and n8n's test data show the latest real events.
  router.get('/', scope, async (req, res) => {
    const query = queryOf(req, EventListParams);
    const connection = query.connection ? ((await ctx.connections.get(query.connection))?.record.id ?? query.connection) : undefined;
    const page = await ctx.store.listEvents({ ...query, connection });
    res.json({ data: page.data.map((stored) => stored.event), next_cursor: page.next_cursor });
  });

  router.get('/:id', scope, async (req, res) => {
    res.json((await storedEvent(ctx, pathParam(req, 'id'))).event);
  });

  // Replay sends a stored event again, to every matching hook or to the one named.
  router.post('/:id/replay', scope, async (req, res) => {
    const input = req.body === undefined ? {} : bodyOf(req, ReplayRequest, 'replay request');
    res.status(202).json(await replayEvent(ctx, callerOf(res).id, pathParam(req, 'id'), input));
  });

  return router;
}
