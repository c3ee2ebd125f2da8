import { z } from 'zod';
import { PayloadError } from '../errors.ts';
import { createRegistrationHttp, RegistrationError, type RegistrationHttp } from '../hydrate/registration.ts';
import type { OpenConnection } from '../vendors/connection-registry.ts';
import type { HubVendor, OperationsContext } from './context.ts';
import { isoTime, type Registration } from './schemas.ts';

/**
 * Auto-registration (issue 16 §5): where the vendor has a webhook registration API and the
 * connection has API settings, the hub registers the connection's ingest URL at the LMS itself,
 * for the events a person picked, and removes it when the connection is deleted. Everywhere else
 * the ingest URL is pasted by hand, as before.
 *
 * A refusal (wrong key, LMS down) leaves the connection saved without registration, as saving API
 * settings does with a failed test call: the ingest URL works either way, and the person is told
 * why in `registration.message` and can paste it by hand.
 */

/** What the store keeps in connections.registration (JSON); the API answers it as `Registration`. */
const StoredRegistration = z.object({
  state: z.enum(['registered', 'failed']),
  remote_id: z.string().nullable(),
  events: z.array(z.string()),
  message: z.string(),
  at: z.number(),
});
type StoredRegistration = z.infer<typeof StoredRegistration>;

/** The hub's registration calls: rare (a save, a delete), so one client for the process is enough. */
const defaultHttp: RegistrationHttp = createRegistrationHttp({ userAgent: 'learnhook' });

/** A connection's ingest URL: the hub's public URL, the connection's name and its token. */
export function ingestUrlOf(baseUrl: string, connection: OpenConnection): string {
  return `${baseUrl}/ingest/${connection.record.name}/${connection.token}`;
}

/** What was registered for a connection, as the API answers it; null when nothing was asked. */
export function registrationOf(connection: OpenConnection): z.infer<typeof Registration> | null {
  const stored = storedOf(connection);
  return stored && { state: stored.state, remote_id: stored.remote_id, events: stored.events, message: stored.message, at: isoTime(stored.at) };
}

function storedOf(connection: OpenConnection): StoredRegistration | null {
  const text = connection.record.registration;
  if (!text) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = StoredRegistration.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** The events a vendor offers for registration, in its own spelling. */
export function registrableEvents(vendor: HubVendor): readonly string[] {
  return vendor.registration?.events ?? [];
}

/**
 * Checks a create request's `register` and `events` before anything is saved: the vendor must
 * have a registration API, the request API settings, and each event must be one the vendor
 * offers. Answers the events to register (the vendor's spelling; all it offers when none were
 * picked), or null when registration was not asked for.
 */
export function registrationAsked(vendor: HubVendor, input: { register?: boolean | undefined; events?: string[] | undefined; api?: unknown }): string[] | null {
  const title = vendor.inbound.title;
  if (!input.register) {
    if (input.events !== undefined)
      throw new PayloadError('"events" says what to register at the LMS: send it with "register": true.', [
        { path: 'events', message: 'Goes with register: true' },
      ]);
    return null;
  }
  const registration = vendor.registration;
  if (!registration)
    throw new PayloadError(
      `${title} has no webhook registration API learnhook can use: leave out "register" and paste the ingest URL into ${vendor.setupGuide.where}.`,
      [{ path: 'register', message: `${title} has no registration API: paste the URL instead` }],
    );
  if (input.api === undefined || input.api === null)
    throw new PayloadError(`Registering the URL at ${title} goes through its API: give the API settings ("api") too.`, [
      { path: 'api', message: 'Registering the URL goes through the LMS API: give its settings too' },
    ]);
  if (input.events === undefined) return [...registration.events];
  // ASP.NET WebHooks and most registration APIs match event names case-insensitively; we send the vendor's spelling.
  const offered = new Map(registration.events.map((event) => [event.toLowerCase(), event]));
  const unknown = input.events.filter((event) => !offered.has(event.toLowerCase()));
  if (unknown.length)
    throw new PayloadError(
      `${title} offers no event ${unknown.map((event) => `"${event}"`).join(', ')} to register; pick from ${registration.events.join(', ')}.`,
      [{ path: 'events', message: `Unknown: ${unknown.join(', ')}; pick from ${registration.events.join(', ')}` }],
    );
  return [...new Set(input.events.map((event) => offered.get(event.toLowerCase()) ?? event))];
}

async function save(ctx: OperationsContext, connection: OpenConnection, stored: StoredRegistration): Promise<OpenConnection> {
  await ctx.store.updateConnection(connection.record.id, { registration: JSON.stringify(stored), updated_at: ctx.now() });
  ctx.connections.changed(connection.record.id);
  const reopened = await ctx.connections.get(connection.record.id);
  return reopened ?? connection;
}

/**
 * Registers the connection's ingest URL at its LMS for `events` and records the outcome on the
 * connection, registered or not (a refusal is recorded, never thrown: the connection stays).
 */
export async function registerConnection(
  ctx: OperationsContext,
  actor: string,
  connection: OpenConnection,
  events: readonly string[],
  baseUrl: string,
  http: RegistrationHttp = defaultHttp,
): Promise<OpenConnection> {
  const vendor = ctx.vendors[connection.record.vendor];
  const title = vendor.inbound.title;
  const failed = (message: string): StoredRegistration => ({ state: 'failed', remote_id: null, events: [...events], message, at: ctx.now() });
  let stored: StoredRegistration;
  const settings = vendor.api?.settingsSchema.safeParse(connection.api);
  if (!vendor.registration || !settings?.success) {
    stored = failed(`Nothing was registered at ${title}: the connection has no valid API settings to register with.`);
  } else {
    try {
      const remote = await vendor.registration.register(
        settings.data,
        {
          url: ingestUrlOf(baseUrl, connection),
          inbound: inboundRecord(connection.inbound),
          events,
          description: `learnhook connection ${connection.record.name}`,
        },
        http,
      );
      stored = {
        state: 'registered',
        remote_id: remote.id,
        events: [...events],
        message: `${title} sends ${events.join(', ')} to this connection's URL (its registration ${remote.id}); deleting the connection removes it.`,
        at: ctx.now(),
      };
    } catch (error) {
      if (!(error instanceof RegistrationError)) throw error;
      stored = failed(`Not registered at ${title}: ${error.message} The connection is saved: paste its URL into ${vendor.setupGuide.where} by hand instead.`);
    }
  }
  await ctx.audit(actor, stored.state === 'registered' ? 'connection.registered' : 'connection.registration_failed', connection.record.id, {
    events: stored.events,
    ...(stored.remote_id ? { remote_id: stored.remote_id } : {}),
  });
  return save(ctx, connection, stored);
}

/**
 * After a create saved the connection: registers it when the request asked (`register: true`).
 * The request was checked by registrationAsked before the save.
 */
export async function registerAfterCreate(
  ctx: OperationsContext,
  actor: string,
  connection: OpenConnection,
  input: unknown,
  baseUrl: string,
): Promise<OpenConnection> {
  const asked = RegistrationFields.safeParse(input);
  if (!asked.success) return connection;
  const events = registrationAsked(ctx.vendors[connection.record.vendor], asked.data);
  return events ? registerConnection(ctx, actor, connection, events, baseUrl) : connection;
}

const RegistrationFields = z.looseObject({ register: z.boolean().optional(), events: z.array(z.string()).optional(), api: z.unknown().optional() });

/** What became of the LMS's registration when its connection was deleted. */
export interface UnregisterResult {
  removed: boolean;
  /** In plain words; when not removed, what a person must do by hand. */
  message: string;
}

/**
 * Removes the connection's registration at the LMS, before the connection goes; null when it had
 * none. A failure is answered, not thrown: the deletion goes ahead, and the message tells the
 * person to remove the registration at the LMS by hand (until then the LMS keeps sending to a
 * URL that answers 404).
 */
export async function unregisterConnection(
  ctx: OperationsContext,
  connection: OpenConnection,
  http: RegistrationHttp = defaultHttp,
): Promise<UnregisterResult | null> {
  const stored = storedOf(connection);
  if (stored?.state !== 'registered' || stored.remote_id === null) return null;
  const vendor = ctx.vendors[connection.record.vendor];
  const title = vendor.inbound.title;
  const byHand = (why: string) => ({
    removed: false,
    message: `${why} Remove the registration ${stored.remote_id} in ${title} by hand: ${vendor.registration?.manualRemoval ?? vendor.setupGuide.where}. Until then ${title} keeps sending to a URL that no longer exists.`,
  });
  const settings = vendor.api?.settingsSchema.safeParse(connection.api);
  if (!vendor.registration || !settings?.success) return byHand(`The connection has no valid API settings to unregister with.`);
  try {
    await vendor.registration.unregister(settings.data, stored.remote_id, http);
    return { removed: true, message: `Removed the registration ${stored.remote_id} at ${title}.` };
  } catch (error) {
    if (!(error instanceof RegistrationError)) throw error;
    return byHand(`Could not remove it at ${title}: ${error.message}`);
  }
}

function inboundRecord(inbound: unknown): Record<string, unknown> {
  return typeof inbound === 'object' && inbound !== null && !Array.isArray(inbound) ? Object.fromEntries(Object.entries(inbound)) : {};
}
