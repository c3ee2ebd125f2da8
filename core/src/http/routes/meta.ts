import express, { type Router } from 'express';
import { CATALOG, CATALOG_VERSION } from '../../catalog/index.ts';
import { NotFoundError } from '../../errors.ts';
import type { Lookup } from '../../hydrate/lookup.ts';
import { isoTime, LookupParams, PageParams } from '../../operations/schemas.ts';
import { callerOf } from '../auth.ts';
import type { HubContext } from '../context.ts';
import { pathParam, queryOf } from '../request.ts';
import type { RequireScope } from './types.ts';

/** /v1/me, /v1/catalog, /v1/lookup/* and /v1/audit: what integrations and admins read. */
export function metaRouter(ctx: HubContext, requireScope: RequireScope, lookup: Lookup): Router {
  const router = express.Router();

  // The credential test of the Zapier app and the n8n node: any valid key may ask who it is.
  router.get('/me', requireScope(), (req, res) => {
    const key = callerOf(res);
    res.json({ key_id: key.id, label: key.label, scopes: key.scopes, hub: { version: ctx.version, url: ctx.publicUrl(req) } });
  });

  router.get('/catalog', requireScope(), (_req, res) => {
    res.json({ version: CATALOG_VERSION, data: CATALOG });
  });

  router.get('/lookup/:kind', requireScope('events', 'hooks'), async (req, res) => {
    const kind = pathParam(req, 'kind');
    if (kind !== 'courses' && kind !== 'users') throw new NotFoundError(`No lookup "${kind}"; use courses or users.`);
    const query = queryOf(req, LookupParams);
    const connection = query.connection ? ((await ctx.connections.get(query.connection))?.record.id ?? query.connection) : undefined;
    const data = await lookup[kind]({ ...query, connection });
    res.json({ data, next_cursor: null });
  });

  router.get('/audit', requireScope('admin'), async (req, res) => {
    const page = await ctx.store.listAudit(queryOf(req, PageParams));
    res.json({ data: page.data.map(({ seq: _seq, ...entry }) => ({ ...entry, at: isoTime(entry.at) })), next_cursor: page.next_cursor });
  });

  return router;
}
