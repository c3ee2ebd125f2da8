import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionAnswer } from '../../operations/schemas.ts';
import { listenForTest, startTestHub, type TestHub } from '../../testing/index.ts';

/**
 * Kajabi's hooks API as its reference describes it (token, POST/DELETE /v1/hooks, JSON:API), played by
 * a small server in this test, behind a real hub: the sandbox's Kajabi emulator (sandbox-api.ts) has
 * no hooks endpoints yet.
 */

interface Hook {
  id: string;
  event: string;
  target_url: string;
}

async function fakeKajabi(options: { refuse?: string } = {}) {
  const hooks = new Map<string, Hook>();
  let next = 100;
  const app = express();
  app.post('/v1/oauth/token', express.urlencoded({ extended: false }), (req, res) => {
    if (req.body?.client_secret !== 'secret') return res.status(401).json({ errors: [{ title: 'Unauthorized', detail: 'Invalid client credentials' }] });
    res.json({ access_token: 'token-1', expires_in: 3600 });
  });
  app.use('/v1/hooks', (req, res, nextHandler) =>
    req.get('authorization') === 'Bearer token-1' ? nextHandler() : res.status(401).json({ errors: [{ title: 'Unauthorized' }] }),
  );
  app.post('/v1/hooks', express.json({ type: 'application/vnd.api+json' }), (req, res) => {
    const { event, target_url } = req.body?.data?.attributes ?? {};
    if (event === options.refuse) return res.status(422).json({ errors: [{ detail: `Event ${event} is not available on this plan` }] });
    const hook = { id: String(next++), event, target_url };
    hooks.set(hook.id, hook);
    res.status(201).json({ data: { id: hook.id, type: 'hooks', attributes: { event, target_url } } });
  });
  app.delete('/v1/hooks/:id', (req, res) => (hooks.delete(req.params.id) ? res.status(204).end() : res.status(404).json({ errors: [{ title: 'Not found' }] })));
  const server = await listenForTest(app);
  return { url: server.url, hooks };
}

let hub: TestHub;
beforeAll(async () => {
  hub = await startTestHub();
});
afterAll(() => hub.close());

describe('Kajabi auto-registration', { timeout: 20_000 }, () => {
  it('makes one hook per event for the ingest URL and removes them all when the connection is deleted', async () => {
    const kajabi = await fakeKajabi();
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'kajabi-reg',
      vendor: 'kajabi',
      api: { base_url: kajabi.url, client_id: 'id', client_secret: 'secret' },
      register: true,
      events: ['purchase', 'form_submission'],
    });
    expect(created.status).toBe(201);
    expect(created.body.registration).toMatchObject({ state: 'registered', remote_id: '100,101', events: ['purchase', 'form_submission'] });
    expect([...kajabi.hooks.values()]).toEqual([
      { id: '100', event: 'purchase', target_url: created.body.ingest_url },
      { id: '101', event: 'form_submission', target_url: created.body.ingest_url },
    ]);
    expect((await hub.api('DELETE', '/v1/connections/kajabi-reg')).status).toBe(204);
    expect(kajabi.hooks.size).toBe(0);
  });

  it('leaves no hook behind when Kajabi refuses one of the events, and says which and why', async () => {
    const kajabi = await fakeKajabi({ refuse: 'tag_added' });
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'kajabi-half',
      vendor: 'kajabi',
      api: { base_url: kajabi.url, client_id: 'id', client_secret: 'secret' },
      register: true,
      events: ['purchase', 'tag_added'],
    });
    expect(created.body.registration?.state).toBe('failed');
    expect(created.body.registration?.message).toContain('Kajabi refused the hook for tag_added (HTTP 422): Event tag_added is not available on this plan');
    expect(kajabi.hooks.size).toBe(0);
  });

  it('says the credentials were refused', async () => {
    const kajabi = await fakeKajabi();
    const created = await hub.api<ConnectionAnswer>('POST', '/v1/connections', {
      name: 'kajabi-key',
      vendor: 'kajabi',
      api: { base_url: kajabi.url, client_id: 'id', client_secret: 'wrong' },
      register: true,
    });
    expect(created.body.registration?.message).toMatch(
      /Kajabi refused the client credentials \(HTTP 401\): Invalid client credentials\. Check the client ID and secret/,
    );
    expect(kajabi.hooks.size).toBe(0);
  });
});
