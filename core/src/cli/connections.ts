import { parseArgs } from 'node:util';
import { z } from 'zod';
import { VENDORS } from '../catalog/index.ts';
import { CliError } from '../errors.ts';
import { Connection } from '../operations/schemas.ts';

export const CONNECTIONS_USAGE = `Usage: learnhook connections <add|list|update|rotate|delete> [options]

  learnhook connections add <name> --vendor <vendor> [--description TEXT] [--inbound JSON] [--api JSON]
                                 [--register [--events a,b]]
      Connects an LMS: prints the ingest URL to paste into the LMS's webhook settings and the
      inbound secrets (shown this once). vendor: ${VENDORS.join(', ')}.
      --inbound   the vendor's inbound auth settings (e.g. '{"secret":"..."}' for learn365);
                  what is left out is generated
      --api       the LMS API settings hydration uses (base URL and credentials), e.g.
                  '{"private_key":"...","username":"...","password":"..."}' for absorb
      --register  registers the ingest URL at the LMS itself, through its webhook registration
                  API and the --api settings, instead of pasting it (learn365, kajabi,
                  thinkific); deleting the connection removes the registration
      --events    with --register: the LMS's own event names, comma-separated (e.g.
                  CourseCompleted,CourseEnrollment); every one it offers when left out
  learnhook connections list
      Lists connections: name, vendor, ingest URL, whether the LMS API is configured.
  learnhook connections update <name> [--description TEXT] [--inbound JSON] [--api JSON]
      Changes a connection: what is given replaces what was set (--api replaces all API settings).
  learnhook connections rotate <name>
      Issues a new ingest URL and prints it; the old one stops working at once.
  learnhook connections delete <name> --yes
      Deletes the connection: its URL stops working. Events already received stay. A URL it
      registered at the LMS is removed there too.

Talks to a running hub: --hub URL (default LEARNHOOK_URL, else http://localhost:$PORT, PORT 8080)
with an admin key: --key KEY (default LEARNHOOK_API_KEY).
`;

const ConnectionPage = z.object({ data: z.array(Connection) });

/** DELETE's answer: nothing (204), or what the LMS kept when it could not remove a registration. */
const DeleteAnswer = z.union([z.null(), z.object({ deleted: z.boolean(), registration: z.object({ removed: z.boolean(), message: z.string() }) })]);

/** What the hub registered at the LMS, or why it could not: the URL then still needs pasting. */
function registrationLine(connection: z.infer<typeof Connection>): string {
  const registration = connection.registration;
  if (!registration) return '';
  return registration.state === 'registered'
    ? `\nRegistered at the LMS for ${registration.events.join(', ')} (registration ${registration.remote_id}): nothing to paste.\n`
    : `\nRegistration FAILED: ${registration.message}\n`;
}

/** The hub's test call with API settings just saved: a wrong password is said now, with what to do. */
function apiCheckLine(connection: z.infer<typeof Connection>): string {
  const check = connection.api_check;
  if (!check) return '';
  return check.ok
    ? `API access checked: ${check.message}\n`
    : `API access FAILED: ${check.message}\nThe settings are saved; fix them with: learnhook connections update ${connection.name} --api '{...}'\n`;
}

function jsonOption(name: string, text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError(`--${name} must be a JSON object, e.g. --${name} '{"key":"value"}'.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError(`--${name} must be a JSON object.`);
  return Object.fromEntries(Object.entries(value));
}

/** `learnhook connections ...` against a running hub's API: answers the exit code; writes what a person reads to `out`. */
export async function runConnections(args: string[], env: NodeJS.ProcessEnv, out: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      vendor: { type: 'string' },
      description: { type: 'string' },
      inbound: { type: 'string' },
      api: { type: 'string' },
      register: { type: 'boolean' },
      events: { type: 'string' },
      hub: { type: 'string' },
      key: { type: 'string' },
      yes: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action, name] = positionals;
  if (values.help || !action) {
    out(CONNECTIONS_USAGE);
    return values.help ? 0 : 2;
  }
  if (!['add', 'list', 'update', 'rotate', 'delete'].includes(action)) {
    out(`learnhook connections: unknown action "${action}".\n\n${CONNECTIONS_USAGE}`);
    return 2;
  }
  const hub = (values.hub ?? env.LEARNHOOK_URL ?? `http://localhost:${env.PORT ?? 8080}`).replace(/\/$/, '');
  const key = values.key ?? env.LEARNHOOK_API_KEY;
  if (!key) throw new CliError('An admin API key is needed: pass --key or set LEARNHOOK_API_KEY (learnhook keys create --scope admin makes one).');

  async function call<T>(schema: z.ZodType<T>, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(hub + path, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new CliError(`No hub answers at ${hub}; start it with \`npm start\` or pass --hub URL.`);
    }
    const answer: unknown = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      const refusal = z.object({ error: z.object({ message: z.string() }) }).safeParse(answer);
      throw new CliError(`The hub answered ${response.status}: ${refusal.success ? refusal.data.error.message : JSON.stringify(answer)}`);
    }
    const parsed = schema.safeParse(answer);
    if (!parsed.success) throw new CliError(`${hub} answered, but not as a learnhook hub does; check --hub.`);
    return parsed.data;
  }

  if (action === 'list') {
    const page = await call(ConnectionPage, 'GET', '/v1/connections?limit=100');
    if (page.data.length === 0) out('No connections yet: learnhook connections add <name> --vendor <vendor>\n');
    for (const connection of page.data) {
      out(`${connection.name.padEnd(24)} ${connection.vendor.padEnd(17)} ${connection.api_configured ? 'api  ' : 'no api'} ${connection.ingest_url}\n`);
    }
    return 0;
  }
  if (!name) throw new CliError(`Name the connection: learnhook connections ${action} <name>${action === 'add' ? ' --vendor <vendor>' : ''}.`);
  const path = `/v1/connections/${encodeURIComponent(name)}`;
  if (action === 'update') {
    const change = { description: values.description, api: jsonOption('api', values.api), ...jsonOption('inbound', values.inbound) };
    if (Object.values(change).every((value) => value === undefined)) throw new CliError('Say what to change: --description, --inbound or --api.');
    const changed = await call(Connection, 'PATCH', path, change);
    out(`Connection ${changed.name} changed${changed.api_configured ? '; LMS API configured' : ''}.\n${apiCheckLine(changed)}`);
    return 0;
  }
  if (action === 'rotate') {
    const rotated = await call(Connection, 'PATCH', path, { rotate_token: true });
    out(`New ingest URL for ${rotated.name} (the old one stopped working; paste this one into the LMS):\n  ${rotated.ingest_url}\n`);
    if (rotated.xapi_url) out(`xAPI statements endpoint (LRS):\n  ${rotated.xapi_url}\n`);
    return 0;
  }
  if (action === 'delete') {
    if (!values.yes) throw new CliError(`Deleting ${name} stops its ingest URL at once; run again with --yes to do it.`);
    const deleted = await call(DeleteAnswer, 'DELETE', path);
    out(`Connection ${name} deleted: its ingest URL no longer answers. Events already received stay.\n`);
    if (deleted && !deleted.registration.removed) out(`But its registration at the LMS is still there: ${deleted.registration.message}\n`);
    return 0;
  }
  if (!values.vendor) throw new CliError(`Say which LMS sends to it: --vendor ${VENDORS.join('|')}.`);
  if (values.events !== undefined && !values.register) throw new CliError('--events says what to register at the LMS: give --register too.');
  const events = values.events
    ?.split(',')
    .map((event) => event.trim())
    .filter(Boolean);
  const created = await call(Connection, 'POST', '/v1/connections', {
    name,
    vendor: values.vendor,
    description: values.description,
    api: jsonOption('api', values.api),
    ...jsonOption('inbound', values.inbound),
    ...(values.register ? { register: true, ...(events?.length ? { events } : {}) } : {}),
  });
  out(`Connection ${created.name} (${created.vendor}) created.\n\n`);
  out(`Ingest URL, for the LMS's webhook settings:\n  ${created.ingest_url}\n`);
  if (created.xapi_url) out(`xAPI statements endpoint (LRS):\n  ${created.xapi_url}\n`);
  out(`\nInbound settings (secrets are shown only this once):\n${JSON.stringify(created.inbound, null, 2)}\n`);
  out(
    created.api_configured
      ? `\nLMS API configured: events are filled in (hydrated) from it.\n${apiCheckLine(created)}`
      : '\nNo LMS API configured: events go out as the LMS sent them (add one with --api, or PATCH /v1/connections/:id).\n',
  );
  out(registrationLine(created));
  return 0;
}
