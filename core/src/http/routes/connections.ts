import express, { type Router } from 'express';
import { apiCheckAfterSave, changeConnection, createConnection, deleteConnection, openConnection, presentConnection } from '../../operations/connections.ts';
import { previewMapping } from '../../operations/custom-preview.ts';
import { registerAfterCreate } from '../../operations/registration.ts';
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
    const body = jsonBodyOf(req, 'connection');
    const created = await createConnection(ctx, callerOf(res).id, body);
    const apiCheck = await apiCheckAfterSave(ctx, created, body);
    // After the save, since the LMS checks the URL it is given (Learn365 GETs it with ?echo=).
    const connection = await registerAfterCreate(ctx, callerOf(res).id, created, body, ctx.publicUrl(req));
    res.status(201).json(presentConnection(ctx, connection, ctx.publicUrl(req), { showSecrets: true, apiCheck }));
  });

  router.get('/', admin, async (req, res) => {
    const page = await ctx.store.listConnections(queryOf(req, PageParams));
    const data = await Promise.all(
      page.data.map(async (record) => presentConnection(ctx, await openConnection(ctx, record.id), ctx.publicUrl(req), { showSecrets: false })),
    );
    res.json({ data, next_cursor: page.next_cursor });
  });

  router.get('/:id', admin, async (req, res) => {
    res.json(presentConnection(ctx, await openConnection(ctx, pathParam(req, 'id')), ctx.publicUrl(req), { showSecrets: false }));
  });

  // Secrets are shown once, at creation: a change can only set values its caller already holds.
  router.patch('/:id', admin, async (req, res) => {
    const body = jsonBodyOf(req, 'connection change');
    const connection = await changeConnection(ctx, callerOf(res).id, pathParam(req, 'id'), body);
    const apiCheck = await apiCheckAfterSave(ctx, connection, body);
    res.json(presentConnection(ctx, connection, ctx.publicUrl(req), { showSecrets: false, apiCheck }));
  });

  // A custom connection's draft mapping over its latest requests or a sample: reads only (operations/custom-preview.ts).
  router.post('/:id/preview', admin, async (req, res) => {
    res.json(await previewMapping(ctx, pathParam(req, 'id'), req.body === undefined ? {} : jsonBodyOf(req, 'mapping preview')));
  });

  router.delete('/:id', admin, async (req, res) => {
    const { unregistered } = await deleteConnection(ctx, callerOf(res).id, pathParam(req, 'id'));
    // Deleted either way; a registration the LMS kept is worth a body saying what to remove by hand.
    if (unregistered && !unregistered.removed) res.status(200).json({ deleted: true, registration: unregistered });
    else res.status(204).end();
  });

  return router;
}
