import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuthenticationError } from '../../errors.ts';
import { ingestRequest } from '../../testing/ingest-request.ts';
import { XAPI_MAPPING_CONTEXT, XAPI_VERSION_HEADER, xapiStatement } from '../../testing/xapi-statements.ts';
import type { VendorAdapter } from '../adapter.ts';
import { withXapiRoute } from './route.ts';

describe('withXapiRoute', () => {
  const credentials = { username: 'acme-lrs', password: 'Vd3k9QzW2mTx7bNp' };
  const LRS_AUTH = `Basic ${Buffer.from('acme-lrs:Vd3k9QzW2mTx7bNp').toString('base64')}`;
  const seen: string[] = [];
  /** A webhook adapter that records which of its parts ran. */
  const webhook: VendorAdapter<{ kind: 'ping' }, { xapi?: typeof credentials }> = {
    vendor: 'standard',
    title: 'Test',
    inboundSchema: z.object({}),
    routes: ['webhook'],
    events: { ping: 'lms.event' },
    verify: () => void seen.push('verify'),
    parse: () => [{ kind: 'ping' }],
    toCatalog: () => [],
    acknowledge: () => ({ status: 200, contentType: 'text/plain', body: 'pong' }),
  };
  const adapter = withXapiRoute(webhook);

  it('adds the xAPI route and the verbs to the webhook adapter', () => {
    expect(adapter.routes).toEqual(['webhook', 'xapi-statements']);
    expect(adapter.events).toMatchObject({ ping: 'lms.event', 'http://adlnet.gov/expapi/verbs/completed': 'enrollment.completed' });
    expect(adapter.vendor).toBe('standard');
  });

  it('leaves the webhook route to the webhook adapter', () => {
    seen.length = 0;
    const request = ingestRequest({ body: {} });
    adapter.verify(request, { xapi: credentials });
    const events = adapter.parse(request);
    expect(events).toEqual([{ kind: 'ping' }]);
    expect(adapter.toCatalog({ kind: 'ping' }, XAPI_MAPPING_CONTEXT)).toEqual([]);
    expect(adapter.acknowledge?.(events, request)?.body).toBe('pong');
    expect(seen).toEqual(['verify']);
  });

  it("reads the xAPI route as an LRS behind the connection's Basic credentials", () => {
    seen.length = 0;
    const request = ingestRequest({
      route: 'xapi-statements',
      body: xapiStatement('http://adlnet.gov/expapi/verbs/completed'),
      headers: { ...XAPI_VERSION_HEADER, Authorization: LRS_AUTH },
    });
    adapter.verify(request, { xapi: credentials });
    expect(() => adapter.verify(request, {})).toThrow(AuthenticationError);
    const events = adapter.parse(request);
    const [mapped] = events.flatMap((event) => adapter.toCatalog(event, XAPI_MAPPING_CONTEXT));
    expect(mapped?.event.type).toBe('enrollment.completed');
    expect(mapped?.event.source.vendor).toBe('standard');
    expect(adapter.acknowledge?.(events, request)?.body).toBe('["9c7b5a3e-1f2d-4c6b-8a9e-0d1f2e3c4b5a"]');
    expect(seen).toEqual([]);
  });
});
