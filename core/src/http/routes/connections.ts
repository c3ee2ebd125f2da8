import express, { type Request, type Router } from 'express';
import type { z } from 'zod';
import type { Vendor } from '../../catalog/index.ts';
import { NotFoundError, PayloadError } from '../../errors.ts';
import { VENDOR_APIS } from '../../hydrate/vendors/index.ts';
import { newId, newToken } from '../../ids.ts';
import type { OpenConnection } from '../../vendors/connection-registry.ts';
import { INBOUND_DEFAULTS } from '../../vendors/inbound-defaults.ts';
import { ADAPTERS } from '../../vendors/index.ts';
import { parseWith, toPayloadIssues } from '../../vendors/parse-body.ts';
import { callerOf } from '../auth.ts';
import type { HubContext } from '../context.ts';
import { bodyOf, isoTime, pathParam, queryOf } from '../request.ts';
import { Connection, ConnectionCreateBase, ConnectionPatchBase, PageParams } from '../schemas.ts';
import type { RequireScope } from './types.ts';

/** Keys whose values are credentials: shown in full once, at creation, then only their last characters. */
const SECRET_KEYS = new Set(['secret', 'secrets', 'password', 'authorization']);

function masked(value: unknown, key = ''): unknown {
  if (SECRET_KEYS.has(key)) {
    if (Array.isArray(value)) return value.map((item) => masked(item, key));
    return typeof value === 'string' ? `…${value.slice(-4)}` : value;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([child, inner]) => [child, masked(inner, child)]));
  }
  return value;
}

/**
 * The LMS API settings, checked against the vendor's hydration client: a typo in a base URL or a
 * missing credential is a 400 now, not silently unhydrated events later. Defaults are filled in.
 */
function apiSettingsFor(vendor: Vendor, given: Record<string, unknown>): Record<string, unknown> {
  const vendorApi = VENDOR_APIS[vendor];
  if (!vendorApi) throw new PayloadError(`${ADAPTERS[vendor].title} connections have no LMS API to configure; leave out "api".`, [{ path: 'api', message: 'Not supported' }]);
  const result = vendorApi.settingsSchema.safeParse(given);
  if (!result.success) {
    const issues = toPayloadIssues(result.error).map((issue) => ({ ...issue, path: issue.path ? `api.${issue.path}` : 'api' }));
    throw new PayloadError(`The ${ADAPTERS[vendor].title} API settings are not valid at ${issues[0]?.path}: ${issues[0]?.message}.`, issues);
  }
  const settings: unknown = result.data;
  return typeof settings === 'object' && settings !== null ? Object.fromEntries(Object.entries(settings)) : {};
}

function inboundFor(vendor: Vendor, given: Record<string, unknown>): unknown {
  const adapter = ADAPTERS[vendor];
  return parseWith(adapter.inboundSchema, { ...INBOUND_DEFAULTS[vendor](), ...given }, `${adapter.title} connection`);
}

/** The LMS sources: each gets an ingest URL whose path carries an unguessable token. */
export function connectionsRouter(ctx: HubContext, requireScope: RequireScope): Router {
  const router = express.Router();
  const admin = requireScope('admin');

  function present(req: Request, connection: OpenConnection, showSecrets: boolean): z.infer<typeof Connection> {
    const { record } = connection;
    const ingestUrl = `${ctx.publicUrl(req)}/ingest/${record.name}/${connection.token}`;
    return {
      id: record.id,
      name: record.name,
      vendor: record.vendor,
      description: record.description,
      ingest_url: ingestUrl,
      xapi_url: ADAPTERS[record.vendor].routes.includes('xapi-statements') ? `${ingestUrl}/xapi/statements` : null,
      inbound: (showSecrets ? connection.inbound : masked(connection.inbound)) as Record<string, unknown>,
      api_configured: connection.api !== null,
      created_at: isoTime(record.created_at),
      updated_at: isoTime(record.updated_at),
    };
  }

  async function openOr404(id: string): Promise<OpenConnection> {
    const connection = await ctx.connections.get(id);
    if (!connection) throw new NotFoundError(`No connection ${id}.`);
    return connection;
  }

  router.post('/', admin, async (req, res) => {
    const base = bodyOf(req, ConnectionCreateBase, 'connection');
    const { name: _name, vendor: _vendor, description: _description, api: _api, ...given } = bodyOf(req, ConnectionCreateBase.loose(), 'connection');
    const taken = () => new PayloadError(`A connection named "${base.name}" already exists; choose another name.`, [{ path: 'name', message: 'Already taken' }]);
    if (await ctx.store.getConnection(base.name)) throw taken();
    const inbound = inboundFor(base.vendor, given);
    const now = ctx.now();
    const id = newId('con');
    try {
      await ctx.store.insertConnection({
        id,
        name: base.name,
        vendor: base.vendor,
        description: base.description ?? null,
        token_enc: ctx.box.seal(newToken()),
        inbound_enc: ctx.box.seal(JSON.stringify(inbound)),
        api_enc: base.api ? ctx.box.seal(JSON.stringify(apiSettingsFor(base.vendor, base.api))) : null,
        created_at: now,
        updated_at: now,
      });
    } catch (error) {
      // A concurrent request took the name after the check above; the store's unique name refused this one.
      if (await ctx.store.getConnection(base.name)) throw taken();
      throw error;
    }
    ctx.connections.changed(base.name);
    await ctx.audit(callerOf(res).id, 'connection.created', id, { name: base.name, vendor: base.vendor });
    res.status(201).json(present(req, await openOr404(id), true));
  });

  router.get('/', admin, async (req, res) => {
    const query = queryOf(req, PageParams);
    const page = await ctx.store.listConnections(query);
    const data = await Promise.all(page.data.map(async (record) => present(req, await openOr404(record.id), false)));
    res.json({ data, next_cursor: page.next_cursor });
  });

  router.get('/:id', admin, async (req, res) => {
    res.json(present(req, await openOr404(pathParam(req, 'id')), false));
  });

  router.patch('/:id', admin, async (req, res) => {
    const current = await openOr404(pathParam(req, 'id'));
    const base = bodyOf(req, ConnectionPatchBase, 'connection change');
    const { description: _d, api: _a, rotate_token: _r, ...given } = bodyOf(req, ConnectionPatchBase.loose(), 'connection change');
    for (const fixed of ['name', 'vendor'] as const) {
      if (fixed in given) throw new PayloadError(`A connection's ${fixed} cannot change; create a new connection instead.`, [{ path: fixed, message: 'Cannot change' }]);
    }
    const changesInbound = Object.keys(given).length > 0;
    const inbound = changesInbound ? inboundFor(current.record.vendor, { ...(current.inbound as Record<string, unknown>), ...given }) : current.inbound;
    const id = current.record.id;
    await ctx.store.updateConnection(id, {
      ...(base.description !== undefined ? { description: base.description } : {}),
      ...(base.api !== undefined ? { api_enc: base.api === null ? null : ctx.box.seal(JSON.stringify(apiSettingsFor(current.record.vendor, base.api))) } : {}),
      ...(base.rotate_token ? { token_enc: ctx.box.seal(newToken()) } : {}),
      ...(changesInbound ? { inbound_enc: ctx.box.seal(JSON.stringify(inbound)) } : {}),
      updated_at: ctx.now(),
    });
    ctx.connections.changed(id);
    await ctx.audit(callerOf(res).id, 'connection.changed', id, { changes: [...Object.keys(base), ...Object.keys(given)] });
    // Secrets are shown once, at creation: a change can only set values its caller already holds.
    res.json(present(req, await openOr404(id), false));
  });

  router.delete('/:id', admin, async (req, res) => {
    const current = await openOr404(pathParam(req, 'id'));
    await ctx.store.deleteConnection(current.record.id);
    ctx.connections.changed(current.record.id);
    await ctx.audit(callerOf(res).id, 'connection.deleted', current.record.id, { name: current.record.name });
    res.status(204).end();
  });

  return router;
}
