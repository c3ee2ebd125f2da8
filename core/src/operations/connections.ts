import type { z } from 'zod';
import { VENDORS } from '../catalog/index.ts';
import { NotFoundError, PayloadError, type PayloadIssue } from '../errors.ts';
import { LmsApiError } from '../hydrate/client.ts';
import { newId, newToken } from '../ids.ts';
import { mapSecrets, type SecretShape, secretShapeOf, secretUnder } from '../secret-fields.ts';
import type { OpenConnection } from '../vendors/connection-registry.ts';
import { parseWith, toPayloadIssues } from '../vendors/parse-body.ts';
import type { HubVendor, HubVendors, OperationsContext } from './context.ts';
import { ingestUrlOf, registrationAsked, registrationOf, type UnregisterResult, unregisterConnection } from './registration.ts';
import { type Connection, ConnectionCreateBase, ConnectionPatchBase, isoTime } from './schemas.ts';

/**
 * Creating, changing and removing LMS connections: the rules live here once, and the API
 * (http/routes/connections.ts) and the console (console/pages/connections.ts) both call them.
 */

/** A credential as later answers show it: its last characters, enough to tell which one is saved. */
const masked = (credential: unknown): unknown => (typeof credential === 'string' ? `…${credential.slice(-4)}` : credential);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const asRecord = (value: unknown): Record<string, unknown> => (isRecord(value) ? Object.fromEntries(Object.entries(value)) : {});

/**
 * The LMS API settings, checked against the vendor's hydration client: a typo in a base URL or a
 * missing credential is a 400 now, not silently unhydrated events later. Defaults are filled in.
 */
function apiSettingsFor(vendor: HubVendor, given: Record<string, unknown>): Record<string, unknown> {
  const vendorApi = vendor.api;
  if (!vendorApi)
    throw new PayloadError(`${vendor.inbound.title} connections have no LMS API to configure; leave out "api".`, [{ path: 'api', message: 'Not supported' }]);
  const result = vendorApi.settingsSchema.safeParse(given);
  if (!result.success) {
    const issues = toPayloadIssues(result.error).map((issue) => ({ ...issue, path: issue.path ? `api.${issue.path}` : 'api' }));
    throw new PayloadError(`The ${vendor.inbound.title} API settings are not valid at ${issues[0]?.path}: ${issues[0]?.message}.`, issues);
  }
  return asRecord(result.data);
}

function inboundFor(vendor: HubVendor, given: Record<string, unknown>): unknown {
  const adapter = vendor.inbound;
  return parseWith(adapter.inboundSchema, { ...vendor.inboundDefaults(), ...given }, `${adapter.title} connection`);
}

/**
 * The inbound and API settings' issues too, when the base fields already fail: a form shows every
 * field that needs a change at once, not one per try. Empty when the vendor itself is unknown.
 */
function laterIssues(vendors: HubVendors, input: unknown): PayloadIssue[] {
  const { vendor, api, ...given } = asRecord(input);
  const known = VENDORS.find((name) => name === vendor);
  if (!known) return [];
  const collect = (check: () => unknown): PayloadIssue[] => {
    try {
      check();
      return [];
    } catch (error) {
      return error instanceof PayloadError ? [...error.issues] : [];
    }
  };
  const { name: _name, description: _description, retention_days: _retention, register: _register, events: _events, ...inbound } = given;
  return [...collect(() => inboundFor(vendors[known], inbound)), ...(api !== undefined ? collect(() => apiSettingsFor(vendors[known], asRecord(api))) : [])];
}

export interface PresentOptions {
  /** Inbound secrets in full: only in the answer that created them. */
  showSecrets: boolean;
  /** The test call made with API settings this request saved (apiCheckAfterSave). */
  apiCheck?: ApiAccessResult | null;
}

/** A connection as the API answers it; `baseUrl` is the hub's public URL the ingest URL starts with. */
export function presentConnection(
  ctx: Pick<OperationsContext, 'apiStats' | 'breakers' | 'vendors'>,
  connection: OpenConnection,
  baseUrl: string,
  options: PresentOptions,
): z.infer<typeof Connection> {
  const { record } = connection;
  const health = ctx.apiStats.of(record.id);
  const breaker = ctx.breakers.stateOf(record.id);
  const ingestUrl = ingestUrlOf(baseUrl, connection);
  return {
    id: record.id,
    name: record.name,
    vendor: record.vendor,
    description: record.description,
    ingest_url: ingestUrl,
    xapi_url: ctx.vendors[record.vendor].inbound.routes.includes('xapi-statements') ? `${ingestUrl}/xapi/statements` : null,
    inbound: asRecord(
      options.showSecrets ? connection.inbound : mapSecrets(connection.inbound, secretShapeOf(ctx.vendors[record.vendor].inbound.inboundSchema), masked),
    ),
    api_configured: connection.api !== null,
    retention_days: record.retention_days ?? null,
    api_check: options.apiCheck ?? null,
    api_health:
      connection.api === null
        ? null
        : {
            calls: health.calls,
            rate_limited: health.rateLimited,
            last_error: health.lastError && { at: isoTime(health.lastError.at), message: health.lastError.message },
            last_success_at: health.lastSuccessAt === null ? null : isoTime(health.lastSuccessAt),
            circuit: breaker.state,
            circuit_retry_at: breaker.state === 'open' ? isoTime(breaker.retryAt) : null,
          },
    registration: registrationOf(connection),
    created_at: isoTime(record.created_at),
    updated_at: isoTime(record.updated_at),
  };
}

export async function openConnection(ctx: OperationsContext, idOrName: string): Promise<OpenConnection> {
  const connection = await ctx.connections.get(idOrName);
  if (!connection) throw new NotFoundError(`No connection ${idOrName}.`);
  return connection;
}

/** POST /v1/connections: `input` is the request body, the vendor's inbound settings beside name and vendor. */
export async function createConnection(ctx: OperationsContext, actor: string, input: unknown): Promise<OpenConnection> {
  const base = parseWith(ConnectionCreateBase, input, 'connection', (issues) => [...issues, ...laterIssues(ctx.vendors, input)]);
  const {
    name: _name,
    vendor: _vendor,
    description: _description,
    retention_days: _retention,
    api: _api,
    register: _register,
    events: _events,
    ...given
  } = parseWith(ConnectionCreateBase.loose(), input, 'connection');
  const taken = () => new PayloadError(`A connection named "${base.name}" already exists; choose another name.`, [{ path: 'name', message: 'Already taken' }]);
  if (await ctx.store.getConnection(base.name)) throw taken();
  const inbound = inboundFor(ctx.vendors[base.vendor], given);
  const api = base.api ? apiSettingsFor(ctx.vendors[base.vendor], base.api) : null;
  // Refused before the save: a request that cannot register (no registration API, no API settings, an unknown event) saves nothing.
  registrationAsked(ctx.vendors[base.vendor], base);
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
      api_enc: api ? ctx.box.seal(JSON.stringify(api)) : null,
      retention_days: base.retention_days ?? null,
      created_at: now,
      updated_at: now,
    });
  } catch (error) {
    // A concurrent request took the name after the check above; the store's unique name refused this one.
    if (await ctx.store.getConnection(base.name)) throw taken();
    throw error;
  }
  ctx.connections.changed(base.name);
  await ctx.audit(actor, 'connection.created', id, { name: base.name, vendor: base.vendor });
  return openConnection(ctx, id);
}

/** Whether `value` is exactly what the API showed of the secret `was` (masked, element by element for a list). */
function echoesMask(value: unknown, was: unknown): boolean {
  if (Array.isArray(value) && Array.isArray(was)) return value.length === was.length && value.every((item, index) => echoesMask(item, was[index]));
  return typeof value === 'string' && typeof was === 'string' && value === masked(was);
}

/**
 * A change's nested settings with the current secrets their caller left out: secrets are shown once,
 * so a form sends a group of settings (a custom connection's verify, xAPI credentials) without its
 * secret, and an absent secret means "keep it", as a left-out top-level one does. `shape` is where
 * the inbound schema marks its secrets (secret-fields.ts).
 */
function keepingSecrets(current: unknown, given: Record<string, unknown>, shape: SecretShape | true): Record<string, unknown> {
  const before = asRecord(current);
  return Object.fromEntries(
    Object.entries(given).map(([key, value]) => {
      const was = before[key];
      const inner = secretUnder(shape, key);
      // A client that read the connection and sends it back sends "…7f3a": that is the secret kept, not a new one.
      if (inner === true && echoesMask(value, was)) return [key, was];
      if (inner === undefined || inner === true || !isRecord(value) || !isRecord(was)) return [key, value];
      const kept = Object.fromEntries(Object.entries(was).filter(([name]) => secretUnder(inner, name) === true && !(name in value)));
      return [key, { ...kept, ...keepingSecrets(was, value, inner) }];
    }),
  );
}

/** PATCH /v1/connections/:id: description, API settings, inbound settings, or a new ingest token. */
export async function changeConnection(ctx: OperationsContext, actor: string, idOrName: string, input: unknown): Promise<OpenConnection> {
  const current = await openConnection(ctx, idOrName);
  const base = parseWith(ConnectionPatchBase, input, 'connection change');
  const { description: _d, retention_days: _k, api: _a, rotate_token: _r, ...given } = parseWith(ConnectionPatchBase.loose(), input, 'connection change');
  for (const fixed of ['name', 'vendor'] as const) {
    if (fixed in given)
      throw new PayloadError(`A connection's ${fixed} cannot change; create a new connection instead.`, [{ path: fixed, message: 'Cannot change' }]);
  }
  const changesInbound = Object.keys(given).length > 0;
  const vendor = ctx.vendors[current.record.vendor];
  const inbound = changesInbound
    ? inboundFor(vendor, { ...asRecord(current.inbound), ...keepingSecrets(current.inbound, given, secretShapeOf(vendor.inbound.inboundSchema)) })
    : current.inbound;
  const id = current.record.id;
  await ctx.store.updateConnection(id, {
    ...(base.description !== undefined ? { description: base.description } : {}),
    ...(base.retention_days !== undefined ? { retention_days: base.retention_days } : {}),
    ...(base.api !== undefined
      ? { api_enc: base.api === null ? null : ctx.box.seal(JSON.stringify(apiSettingsFor(ctx.vendors[current.record.vendor], base.api))) }
      : {}),
    ...(base.rotate_token ? { token_enc: ctx.box.seal(newToken()) } : {}),
    ...(changesInbound ? { inbound_enc: ctx.box.seal(JSON.stringify(inbound)) } : {}),
    updated_at: ctx.now(),
  });
  ctx.connections.changed(id);
  await ctx.audit(actor, 'connection.changed', id, { changes: [...Object.keys(base), ...Object.keys(given)] });
  return openConnection(ctx, id);
}

/**
 * Deletes a connection, first removing what the hub registered for it at the LMS. Answers what
 * became of that registration (null when there was none); when the LMS could not remove it the
 * connection is deleted all the same, and the answer says what a person must remove by hand.
 */
export async function deleteConnection(ctx: OperationsContext, actor: string, idOrName: string): Promise<{ unregistered: UnregisterResult | null }> {
  const current = await openConnection(ctx, idOrName);
  const unregistered = await unregisterConnection(ctx, current);
  await ctx.store.deleteConnection(current.record.id);
  ctx.connections.changed(current.record.id);
  await ctx.audit(actor, 'connection.deleted', current.record.id, {
    name: current.record.name,
    ...(unregistered ? { registration_removed: unregistered.removed } : {}),
  });
  return { unregistered };
}

export interface ApiAccessResult {
  ok: boolean;
  /** In plain words: what the LMS answered. */
  message: string;
}

/**
 * "Test API access": one real call to the LMS with the connection's saved settings (a search for
 * one learner), so wrong credentials show now and not as partial events later. It goes through
 * the client hydration uses (ctx.clientFor), which a save has just replaced when it changed them.
 */
export async function testApiAccess(ctx: OperationsContext, connection: OpenConnection): Promise<ApiAccessResult> {
  const title = ctx.vendors[connection.record.vendor].inbound.title;
  const vendorApi = ctx.vendors[connection.record.vendor].api;
  if (!vendorApi) return { ok: false, message: `${title} sends whole events; there is no LMS API to test.` };
  if (!connection.api) return { ok: false, message: 'No LMS API settings are saved yet: add them to fill events in with names, emails and course titles.' };
  const settings = vendorApi.settingsSchema.safeParse(connection.api);
  if (!settings.success)
    return { ok: false, message: `The saved settings are not valid at ${settings.error.issues[0]?.path.join('.')}: ${settings.error.issues[0]?.message}` };
  const found = await ctx.clientFor(connection.record.id);
  if (!found) return { ok: false, message: 'The connection has no LMS API settings any more: it was changed or deleted meanwhile.' };
  try {
    // A person asking is a probe: it goes through an open circuit breaker, and an answer closes it.
    const learners = await ctx.breakers.probing(connection.record.id, () => found.client.searchUsers(undefined, 1));
    const first = learners[0];
    return {
      ok: true,
      message: first
        ? `The ${title} API answered: it lists learners, e.g. ${first.name ?? first.email ?? first.id}.`
        : `The ${title} API answered; it lists no learners yet.`,
    };
  } catch (error) {
    if (error instanceof LmsApiError)
      return { ok: false, message: `The ${title} API refused or failed${error.status ? ` (HTTP ${error.status})` : ''}: ${error.message}` };
    throw error;
  }
}

/**
 * The test call a save makes when it brings API settings (create, or a change of them), so wrong
 * credentials are reported when they are typed, not later as partial events. Null otherwise. The
 * settings stay saved either way: an LMS down for a moment is no reason to refuse them.
 */
export async function apiCheckAfterSave(ctx: OperationsContext, connection: OpenConnection, input: unknown): Promise<ApiAccessResult | null> {
  const given = asRecord(input).api;
  if (connection.api === null || typeof given !== 'object' || given === null) return null;
  return testApiAccess(ctx, connection);
}
