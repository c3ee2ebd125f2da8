import express, { type Router } from 'express';
import { changeConnection, createConnection, deleteConnection, openConnection, presentConnection } from '../../operations/connections.ts';
import { PageParams } from '../../operations/schemas.ts';
import { callerOf } from '../auth.ts';
import type { HubContext } from '../context.ts';
import { jsonBodyOf, pathParam, queryOf } from '../request.ts';
import type { RequireScope } from './types.ts';

/** The LMS sources: each gets an ingest URL whose path carries an unguessable token. */
export function connectionsRouter(ctx: HubContext, requireScope: RequireScope): Router {
  const router = express.Router();
  const admin = requireScope('admin');

  router.post('/', admin, async (req, res) => {
    const connection = await createConnection(ctx, callerOf(res).id, jsonBodyOf(req, 'connection'));
    res.status(201).json(presentConnection(ctx, connection, ctx.publicUrl(req), true));
  });

  router.get('/', admin, async (req, res) => {
    const page = await ctx.store.listConnections(queryOf(req, PageParams));
    const data = await Promise.all(page.data.map(async (record) => presentConnection(ctx, await openConnection(ctx, record.id), ctx.publicUrl(req), false)));
    res.json({ data, next_cursor: page.next_cursor });
  });

  router.get('/:id', admin, async (req, res) => {
    res.json(presentConnection(ctx, await openConnection(ctx, pathParam(req, 'id')), ctx.publicUrl(req), false));
  });

  // Secrets are shown once, at creation: a change can only set values its caller already holds.
  router.patch('/:id', admin, async (req, res) => {
    const connection = await changeConnection(ctx, callerOf(res).id, pathParam(req, 'id'), jsonBodyOf(req, 'connection change'));
    res.json(presentConnection(ctx, connection, ctx.publicUrl(req), false));
  });

  router.delete('/:id', admin, async (req, res) => {
    await deleteConnection(ctx, callerOf(res).id, pathParam(req, 'id'));
    res.status(204).end();
  });

  return router;
}
