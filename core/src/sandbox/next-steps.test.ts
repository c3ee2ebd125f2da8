import { describe, expect, it } from 'vitest';
import { DEFAULT_SANDBOX_URL, nextSteps, type SandboxSession } from './session.ts';

/** Only what nextSteps reads of a running session. */
const session = (lmsUrl: string, setupLink: string | null) =>
  ({ hub: { url: 'http://localhost:8080', setupLink }, lms: { url: lmsUrl }, apiKey: 'lh_key' }) as unknown as SandboxSession;

describe('the sandbox next steps', () => {
  it('print emit lines that reach the sandbox where it runs', () => {
    const elsewhere = nextSteps(session('http://127.0.0.1:9101', null));
    const emits = elsewhere.split('\n').filter((line) => line.includes('npx learnhook emit'));
    expect(emits).toHaveLength(4);
    for (const line of emits) expect(line).toMatch(/ --sandbox http:\/\/127\.0\.0\.1:9101$/);
    expect(nextSteps(session(DEFAULT_SANDBOX_URL, null))).not.toContain('--sandbox');
  });

  it('point to the console, with the setup link while nobody has an account', () => {
    expect(nextSteps(session(DEFAULT_SANDBOX_URL, 'http://localhost:8080/setup/abc'))).toMatch(
      /Console {4}http:\/\/localhost:8080\/ .*open http:\/\/localhost:8080\/setup\/abc to create your account/,
    );
    expect(nextSteps(session(DEFAULT_SANDBOX_URL, null))).toMatch(/Console {4}http:\/\/localhost:8080\/\n/);
  });
});
