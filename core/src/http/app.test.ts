import { afterEach, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../testing/index.ts';

/** createApp's "trust proxy" (LEARNHOOK_TRUST_PROXY): whose X-Forwarded-For names the client, seen through the failed-key limit per address. */

const LIMIT = 2;
// Not in the form the hub issues: its failures count against the client address.
const wrongKey = 'Bearer not-a-key';
let hub: TestHub | undefined;
afterEach(() => hub?.close());

async function statusesFrom(forwardedFor: readonly string[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const client of forwardedFor) {
    const answer = await fetch(`${hub?.url}/v1/me`, { headers: { authorization: wrongKey, 'x-forwarded-for': client } });
    statuses.push(answer.status);
  }
  return statuses;
}

describe('the client address behind a proxy', () => {
  it('comes from X-Forwarded-For sent by a loopback proxy by default, so one client locked out leaves the next one served', async () => {
    hub = await startTestHub({ LEARNHOOK_AUTH_FAILURE_LIMIT: String(LIMIT) });
    expect(await statusesFrom(['203.0.113.1', '203.0.113.1', '203.0.113.1', '203.0.113.2'])).toEqual([401, 401, 429, 401]);
  });

  it('ignores X-Forwarded-For from a peer outside LEARNHOOK_TRUST_PROXY, so a client cannot pick its own address', async () => {
    hub = await startTestHub({ LEARNHOOK_AUTH_FAILURE_LIMIT: String(LIMIT), LEARNHOOK_TRUST_PROXY: '10.0.0.0/8' });
    expect(await statusesFrom(['203.0.113.1', '203.0.113.1', '203.0.113.2', '203.0.113.3'])).toEqual([401, 401, 429, 429]);
  });
});
