import { describe, expect, it, onTestFinished } from 'vitest';
import { KeySetUnavailableError, SignatureError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { listenForTest, refusedUrl } from '../testing/listen.ts';
import { createKeySets, type KeySetsOptions } from './key-sets.ts';

const key = (kid: string) => ({ kty: 'RSA', kid, n: 'sXch', e: 'AQAB' });

/** A key set server whose published keys a test changes, counting the GETs. */
async function publisher(kids: string[]) {
  const state = { kids, gets: 0, status: 200 };
  const server = await listenForTest((_req, res) => {
    state.gets += 1;
    res.writeHead(state.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: state.kids.map(key) }));
  });
  return { state, url: `${server.url}/jwks` };
}

function keySets(overrides: Partial<KeySetsOptions> = {}) {
  const clock = { now: 1_000_000 };
  const sets = createKeySets({
    policy: { allowPrivate: true },
    userAgent: 'learnhook-test/1',
    logger: createLogger({ level: 'silent' }),
    timeoutMs: 1_000,
    now: () => clock.now,
    ...overrides,
  });
  onTestFinished(() => sets.close());
  return { sets, clock };
}

describe('the signing key sets', () => {
  it('fetch a set once and answer from the copy while it lists the key', async () => {
    const { state, url } = await publisher(['previous', 'current', 'next']);
    const { sets } = keySets();
    await Promise.all([sets.keysFor({ url, kid: 'current' }), sets.keysFor({ url, kid: 'next' })]);
    const keys = await sets.keysFor({ url, kid: 'previous' });
    expect(keys.keys.map(({ kid }) => kid)).toEqual(['previous', 'current', 'next']);
    expect(state.gets).toBe(1);
  });

  it('fetch again for a key the copy lacks (a rotation), but at most once a minute', async () => {
    const { state, url } = await publisher(['current']);
    const { sets, clock } = keySets();
    await sets.keysFor({ url, kid: 'current' });
    state.kids = ['current', 'rotated'];
    clock.now += 61_000;
    expect((await sets.keysFor({ url, kid: 'rotated' })).keys).toHaveLength(2);
    expect(state.gets).toBe(2);
    clock.now += 10_000;
    await expect(sets.keysFor({ url, kid: 'made-up' })).rejects.toThrow(SignatureError);
    await expect(sets.keysFor({ url, kid: 'made-up' })).rejects.toThrow(/does not list/);
    expect(state.gets).toBe(2);
  });

  it('refuse a kid still missing after the refresh with a 401 naming it and the URL', async () => {
    const { url } = await publisher(['current']);
    const { sets } = keySets();
    const refusal = await sets.keysFor({ url, kid: 'forged' }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SignatureError);
    expect(refusal).toMatchObject({ status: 401, message: expect.stringContaining(`key "forged", which the key set at ${url} does not list`) });
  });

  it('answer 503 with Retry-After when the set cannot be read, and do not ask again within the minute', async () => {
    const url = `${await refusedUrl()}/jwks`;
    const { sets } = keySets();
    const first = await sets.keysFor({ url, kid: 'current' }).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(KeySetUnavailableError);
    expect(first).toMatchObject({ status: 503, code: 'key_set_unavailable', retryAfterSeconds: 60 });
    expect((first as Error).message).toMatch(/ECONNREFUSED/);
    const second = await sets.keysFor({ url, kid: 'current' }).catch((error: unknown) => error);
    expect(second).toMatchObject({ status: 503, message: expect.stringContaining('the last attempt failed') });
  });

  it('treat an error status or a body that is no key set as unreadable', async () => {
    const { state, url } = await publisher(['current']);
    state.status = 404;
    const { sets } = keySets();
    await expect(sets.keysFor({ url, kid: 'current' })).rejects.toThrow(/answered 404/);
    const notKeys = await listenForTest((_req, res) => res.end('{"kids": []}'));
    await expect(sets.keysFor({ url: notKeys.url, kid: 'current' })).rejects.toThrow(/not a JSON Web Key Set/);
  });

  it('keep checking with an old copy that lists the key when a refresh fails', async () => {
    const { state, url } = await publisher(['current']);
    const { sets, clock } = keySets({ maxAgeMs: 120_000 });
    await sets.keysFor({ url, kid: 'current' });
    state.status = 500;
    clock.now += 180_000;
    expect((await sets.keysFor({ url, kid: 'current' })).keys).toHaveLength(1);
    expect(state.gets).toBe(2);
  });

  it('fetch only where the delivery target policy allows', async () => {
    const { state, url } = await publisher(['current']);
    const { sets } = keySets({ policy: { allowPrivate: false } });
    await expect(sets.keysFor({ url, kid: 'current' })).rejects.toThrow(/loopback, private or unspecified address/);
    expect(state.gets).toBe(0);
  });
});
