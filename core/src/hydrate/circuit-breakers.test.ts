import { describe, expect, it } from 'vitest';
import { type BreakerState, CircuitOpenError, createCircuitBreakers } from './circuit-breakers.ts';
import { LmsApiError, type LmsHttp } from './client.ts';
import { isRetryable } from './http-json.ts';

/** An LMS whose next answers the test sets; counts the calls that reached it. */
function lms(): { calls: number; answer: () => unknown; http: LmsHttp } {
  const server = {
    calls: 0,
    answer: (): unknown => ({ ok: true }),
    http: {
      json: async (): Promise<unknown> => {
        server.calls++;
        return server.answer();
      },
    },
  };
  return server;
}

const down = () => {
  throw new LmsApiError('connect ECONNREFUSED');
};

function setup() {
  let clock = 1_000_000;
  const breakers = createCircuitBreakers({ threshold: 3, cooldownMs: 1_000, maxCooldownMs: 4_000, now: () => clock });
  const changes: Array<{ id: string; state: BreakerState['state'] }> = [];
  breakers.onChange((id, state) => changes.push({ id, state: state.state }));
  const server = lms();
  const http = breakers.guarding('con_1', server.http);
  const call = () =>
    http.json({ url: 'http://lms.test/api/users/1' }).then(
      () => 'answered',
      (error: unknown) => (error instanceof CircuitOpenError ? 'refused at once' : 'failed'),
    );
  return { breakers, server, call, changes, tick: (ms: number) => (clock += ms), now: () => clock };
}

describe('a connection circuit breaker', () => {
  it('opens after the set number of outage failures in a row, then fails calls at once without reaching the LMS', async () => {
    const { breakers, server, call, changes } = setup();
    server.answer = down;
    expect([await call(), await call(), await call()]).toEqual(['failed', 'failed', 'failed']);
    expect(breakers.stateOf('con_1')).toMatchObject({ state: 'open', lastError: 'connect ECONNREFUSED' });
    expect(await call()).toBe('refused at once');
    expect(server.calls).toBe(3);
    expect(changes).toEqual([{ id: 'con_1', state: 'open' }]);
    expect(breakers.stateOf('con_other').state).toBe('closed');
  });

  it('counts neither a refusal nor a 429 as an outage: the LMS answered', async () => {
    const { breakers, server, call } = setup();
    let n = 0;
    server.answer = () => {
      n++;
      if (n % 3 === 0) throw new LmsApiError(n % 2 ? 'Unauthorized' : 'Too many requests', { status: n % 2 ? 401 : 429, retryAfterMs: n % 2 ? null : 1_000 });
      return down();
    };
    for (let i = 0; i < 9; i++) await call();
    expect(breakers.stateOf('con_1').state).toBe('closed');
  });

  it('lets calls through again after the cool-down: the first answer closes it and says so', async () => {
    const { breakers, server, call, changes, tick } = setup();
    server.answer = down;
    for (let i = 0; i < 3; i++) await call();
    tick(999);
    expect(await call()).toBe('refused at once');
    tick(1);
    server.answer = () => ({ ok: true });
    expect(await call()).toBe('answered');
    expect(breakers.stateOf('con_1').state).toBe('closed');
    expect(changes.map((change) => change.state)).toEqual(['open', 'closed']);
  });

  it('opens again at the first failed probe, for twice as long each time up to the longest cool-down', async () => {
    const { breakers, server, call, tick, now } = setup();
    server.answer = down;
    for (let i = 0; i < 3; i++) await call();
    const coolDowns: number[] = [];
    for (let round = 0; round < 4; round++) {
      const state = breakers.stateOf('con_1');
      if (state.state !== 'open') throw new Error(`expected open, was ${state.state}`);
      coolDowns.push(state.retryAt - now());
      tick(state.retryAt - now());
      expect(await call()).toBe('failed');
    }
    expect(coolDowns).toEqual([1_000, 2_000, 4_000, 4_000]);
    expect(server.calls).toBe(3 + 4);
  });

  it("lets a person's probe through while open, and its answer closes the breaker", async () => {
    const { breakers, server, call } = setup();
    server.answer = down;
    for (let i = 0; i < 3; i++) await call();
    server.answer = () => ({ users: [] });
    await expect(breakers.probing('con_1', call)).resolves.toBe('answered');
    expect(breakers.stateOf('con_1').state).toBe('closed');
    expect(await call()).toBe('answered');
  });

  it("lets only the probe's own calls through an open breaker, though they share one client with the calls made meanwhile", async () => {
    const { breakers, server, call } = setup();
    server.answer = down;
    for (let i = 0; i < 3; i++) await call();
    const probe = breakers.probing('con_1', async () => {
      await Promise.resolve();
      return call();
    });
    // The probe reaches the LMS (still down); the hydration call beside it is refused at once.
    expect(await Promise.all([probe, call()])).toEqual(['failed', 'refused at once']);
    expect(server.calls).toBe(3 + 1);
  });

  it('refuses with an error the hydrator does not retry, naming the last failure', () => {
    const error = new CircuitOpenError('HTTP 503');
    expect(error).toBeInstanceOf(LmsApiError);
    expect(isRetryable(error)).toBe(false);
    expect(error.message).toMatch(/kept failing \(HTTP 503\).*partial/);
  });
});
