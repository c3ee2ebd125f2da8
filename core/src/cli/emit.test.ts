import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.ts';
import { refusedUrl } from '../testing/listen.ts';
import { recordingServer } from '../testing/recording-server.ts';
import { EMIT_USAGE, runEmit } from './emit.ts';

/** `learnhook emit ...args` in this process; answers the exit code and what it printed. */
async function emit(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runEmit(args, env, (text) => (out += text));
  return { code, out };
}

/** A stand-in for a running sandbox's POST /sandbox/emit that answers `status` and `body`. */
const sandboxAnswering = (status: number, body: unknown) =>
  recordingServer((response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });

describe('learnhook emit', () => {
  it('prints its help and exits 0 on --help, and exits 2 with the help when no vendor is given', async () => {
    expect(await emit(['--help'])).toEqual({ code: 0, out: EMIT_USAGE });
    expect(await emit([])).toEqual({ code: 2, out: EMIT_USAGE });
  });

  it("lists a vendor's own event names with the catalog type each becomes, and exits 2 when no event is named", async () => {
    const listed = await emit(['learn365', '--list']);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^CourseCompleted\s+-> enrollment\.completed$/m);
    expect(await emit(['learn365'])).toEqual({ code: 2, out: listed.out });
  });

  it('refuses an unknown vendor, naming the ones it knows', async () => {
    await expect(emit(['moodle', 'x'])).rejects.toThrow(/^Unknown vendor "moodle"; use one of absorb, /);
  });

  it('asks the sandbox to send the event with the user, course and count given, and prints its answer', async () => {
    const answer = { vendor: 'absorb', catalog_type: 'enrollment.completed', sent: 2, responses: [] };
    const sandbox = await sandboxAnswering(200, answer);
    const sent = await emit([
      'absorb',
      'Enrollment Completed by Learner',
      '--user',
      'maya',
      '--course',
      'Compliance 101',
      '--count',
      '2',
      '--sandbox',
      `${sandbox.url}/`,
    ]);
    expect(sent).toEqual({ code: 0, out: `${JSON.stringify(answer, null, 2)}\n` });
    expect(sandbox.received.map((request) => [request.method, request.url, JSON.parse(request.body)])).toEqual([
      ['POST', '/sandbox/emit', { vendor: 'absorb', event: 'Enrollment Completed by Learner', user: 'maya', course: 'Compliance 101', count: 2 }],
    ]);
  });

  it('warns, listing the names it knows, when the vendor does not send the event named, and sends it anyway', async () => {
    const sandbox = await sandboxAnswering(200, { vendor: 'learn365', catalog_type: null, sent: 1, responses: [] });
    const sent = await emit(['learn365', 'CourseFinished', '--sandbox', sandbox.url]);
    expect(sent.code).toBe(0);
    expect(sent.out).toMatch(
      /^Warning: Learn365 \(Zensai\) does not send "CourseFinished" as far as learnhook knows; the hub will store it as lms\.event\. Its names: CourseEnrollment, /,
    );
    expect(sandbox.received).toHaveLength(1);
    expect((await emit(['learn365', 'CourseCompleted', '--sandbox', sandbox.url])).out).not.toContain('Warning');
  });

  it("says where a custom connection's event names come from instead of an empty list, and sends any name without a warning", async () => {
    const listed = await emit(['custom', '--list']);
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/^Any other LMS \(custom mapping\) sends whatever event names its LMS uses: the connection's mapping/);
    const sandbox = await sandboxAnswering(200, { vendor: 'custom', catalog_type: null, sent: 1, responses: [] });
    const sent = await emit(['custom', 'course_passed', '--sandbox', sandbox.url]);
    expect(sent).toMatchObject({ code: 0 });
    expect(sent.out).not.toContain('Warning');
    expect(sandbox.received).toHaveLength(1);
  });

  it('finds the sandbox through SANDBOX_URL when --sandbox is not given', async () => {
    const sandbox = await sandboxAnswering(200, { sent: 1 });
    expect((await emit(['learn365', 'CourseCompleted'], { SANDBOX_URL: sandbox.url })).code).toBe(0);
    expect(JSON.parse(sandbox.received[0]?.body ?? '{}')).toMatchObject({ vendor: 'learn365', event: 'CourseCompleted', count: 1 });
  });

  it("says what the sandbox refused, in the sandbox's words", async () => {
    const sandbox = await sandboxAnswering(404, { error: { code: 'not_found', message: 'No sandbox user "nobody".' } });
    await expect(emit(['absorb', 'User Created', '--user', 'nobody', '--sandbox', sandbox.url])).rejects.toThrow(
      new CliError('The sandbox refused: {"code":"not_found","message":"No sandbox user \\"nobody\\"."}'),
    );
  });

  it('names the sandbox it could not reach and how to start one', async () => {
    const away = await refusedUrl();
    await expect(emit(['absorb', 'User Created', '--sandbox', away])).rejects.toThrow(
      `No sandbox answers at ${away}; start one with \`learnhook sandbox\` (or pass --sandbox URL).`,
    );
  });
});
