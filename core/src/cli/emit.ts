import { parseArgs } from 'node:util';
import { VENDORS } from '../catalog/index.ts';
import { CliError } from '../errors.ts';
import { DEFAULT_SANDBOX_URL } from '../sandbox/session.ts';
import { VENDOR_REGISTRY } from '../vendors/registry.ts';

export const EMIT_USAGE = `Usage: learnhook emit <vendor> <event> [--user ID|EMAIL] [--course ID|TITLE] [--count N] [--sandbox URL]

Asks a running \`learnhook sandbox\` to send one LMS event in the vendor's own format to the hub.

  vendor      ${VENDORS.join(', ')}
  event       the vendor's own event name, e.g. "Enrollment Completed by Learner" (absorb),
              CourseCompleted (learn365), COURSE_COMPLETED (adobe-alm), lesson-completed
              (seismic-learning), enrollment.completed (standard); \`learnhook emit <vendor> --list\`
              shows them all
  --user      a sandbox user id, email or username (default: the first user)
  --course    a sandbox course id or part of its title (default: one of the kind the event names)
  --count     send it N times (default 1)
  --sandbox   the sandbox LMS URL (default SANDBOX_URL or http://localhost:8081)
`;

export async function runEmit(args: string[], env: NodeJS.ProcessEnv, out: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      user: { type: 'string' },
      course: { type: 'string' },
      count: { type: 'string' },
      sandbox: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [vendor, event] = positionals;
  if (values.help || !vendor) {
    out(EMIT_USAGE);
    return values.help ? 0 : 2;
  }
  if (!(VENDORS as readonly string[]).includes(vendor)) throw new CliError(`Unknown vendor "${vendor}"; use one of ${VENDORS.join(', ')}.`);
  const adapter = VENDOR_REGISTRY[vendor as (typeof VENDORS)[number]].inbound;
  // A custom connection knows no names of its own: its mapping, set per connection, names them.
  const named = Object.keys(adapter.events).length > 0;
  if (values.list || !event) {
    out(
      named
        ? Object.entries(adapter.events)
            .map(([name, type]) => `${name.padEnd(48)} -> ${type}\n`)
            .join('')
        : `${adapter.title} sends whatever event names its LMS uses: the connection's mapping (the console's "Map fields" page) says which catalog type each becomes, and an unmapped one arrives as lms.event. The sandbox sends the name you give, e.g. \`learnhook emit ${vendor} course_passed\`.\n`,
    );
    return values.list ? 0 : 2;
  }
  if (named && !Object.hasOwn(adapter.events, event)) {
    // Still sent: an LMS may send names we do not know, and the hub keeps them as lms.event.
    out(
      `Warning: ${adapter.title} does not send "${event}" as far as learnhook knows; the hub will store it as lms.event. Its names: ${Object.keys(adapter.events).join(', ')}.\n`,
    );
  }
  const sandbox = (values.sandbox ?? env.SANDBOX_URL ?? DEFAULT_SANDBOX_URL).replace(/\/$/, '');
  const count = values.count === undefined ? 1 : Number(values.count);
  let response: Response;
  try {
    response = await fetch(`${sandbox}/sandbox/emit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor, event, user: values.user, course: values.course, count }),
    });
  } catch {
    throw new CliError(`No sandbox answers at ${sandbox}; start one with \`learnhook sandbox\` (or pass --sandbox URL).`);
  }
  const body: unknown = await response.json();
  if (!response.ok) {
    const message = typeof body === 'object' && body !== null && 'error' in body ? JSON.stringify(body.error) : JSON.stringify(body);
    throw new CliError(`The sandbox refused: ${message}`);
  }
  out(`${JSON.stringify(body, null, 2)}\n`);
  return 0;
}
