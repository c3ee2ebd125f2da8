import express, { type Router } from 'express';
import { changeHook, createHook, deleteHook, openHook, presentHook, rotateHookSecret, sendTestEvent } from '../../operations/hooks.ts';
import { HookListParams } from '../../operations/schemas.ts';
import { callerOf } from '../auth.ts';
import type { HubContext } from '../context.ts';
import { jsonBodyOf, pathParam, queryOf } from '../request.ts';
import type { RequireScope } from './types.ts';

/** /v1/hooks: REST-hook subscriptions (operations/hooks.ts holds their rules). */
export function hooksRouter(ctx: HubContext, requireScope: RequireScope): Router {
  const router = express.Router();
  const scope = requireScope('hooks');

  router.post('/', scope, async (req, res) => {
    const { record, secret } = await createHook(ctx, callerOf(res).id, jsonBodyOf(req, 'hook'));
    // Location names the new hook: Power Automate and other REST-hook platforms unsubscribe by it.
    res
      .status(201)
      .location(`${ctx.publicUrl(req)}/v1/hooks/${record.id}`)
      .json(presentHook(record, secret));
  });

  router.get('/', scope, async (req, res) => {
    const query = queryOf(req, HookListParams);
    const page = await ctx.store.listHooks({ limit: query.limit, cursor: query.cursor, created_by: query.mine ? callerOf(res).id : undefined });
    res.json({ data: page.data.map((hook) => presentHook(hook)), next_cursor: page.next_cursor });
  });

  router.get('/:id', scope, async (req, res) => {
    res.json(presentHook(await openHook(ctx, pathParam(req, 'id'))));
  });

  router.patch('/:id', scope, async (req, res) => {
    res.json(presentHook(await changeHook(ctx, callerOf(res).id, pathParam(req, 'id'), jsonBodyOf(req, 'hook change'))));
  });

  router.delete('/:id', scope, async (req, res) => {
    await deleteHook(ctx, callerOf(res).id, pathParam(req, 'id'));
    res.status(204).end();
  });

  router.post('/:id/test', scope, async (req, res) => {
    res.json(await sendTestEvent(ctx, pathParam(req, 'id'), req.body));
  });

  router.post('/:id/rotate-secret', scope, async (req, res) => {
    const { record, secret } = await rotateHookSecret(ctx, callerOf(res).id, pathParam(req, 'id'), req.body);
    res.json(presentHook(record, secret));
  });

  return router;
}
