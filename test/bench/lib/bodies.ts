import { createHmac } from 'node:crypto';
import { completionRequest } from '@learnhook/core/testing';
import type { WireRequest } from './load.ts';

/**
 * The load rows' request: a Learn365 "CourseCompleted" notification (ASP.NET WebHooks body, about
 * 0.9 KB, `ms-signature: sha256=<HMAC-SHA256 hex>`), as core's completionRequest builds it, unique
 * per `n` (its notification Id), so every request is a NEW event for the hub, not a duplicate.
 *
 * completionRequest costs about 12 µs (pretty-printing, CRLFs, HMAC): at 30k req/s that is a
 * third of the load generator's core, which would understate the bare-HTTP ceiling. So the body is
 * rendered once around a sentinel notification Id, each request only substitutes its own Id and
 * signs (about 2 µs). The fast path is checked against completionRequest itself at start-up; if
 * the two ever differ (the helper changed), every request is built by completionRequest instead.
 */

const SENTINEL = 7_777_777_777;

export interface RequestFactory {
  next(): WireRequest;
  /** 'template' (fast path) or 'completionRequest' (fallback). */
  mode: 'template' | 'completionRequest';
  bodyBytes: number;
}

export function learn365Requests(inbound: Record<string, unknown>, pathPrefix: string, start = 1): RequestFactory {
  const secret = String(inbound.secret);
  const reference = completionRequest('learn365', inbound, SENTINEL);
  const parts = reference.body.split(`notif-${SENTINEL}`);
  const sign = (body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex').toUpperCase()}`;
  const render = (n: number): WireRequest => {
    const body = parts.join(`notif-${n}`);
    return { path: pathPrefix + reference.path, headers: { ...reference.headers, 'ms-signature': sign(body) }, body };
  };
  const sameAsHelper = (n: number) => {
    const expected = completionRequest('learn365', inbound, n);
    const got = render(n);
    return (
      parts.length === 2 &&
      got.body.replace(/"EnrollmentId": "\d+"/, '') === expected.body.replace(/"EnrollmentId": "\d+"/, '') &&
      got.headers['ms-signature'] !== undefined &&
      JSON.stringify(Object.keys(got.headers).sort()) === JSON.stringify(Object.keys(expected.headers).sort()) &&
      sign(expected.body) === expected.headers['ms-signature']
    );
  };
  let n = start;
  if ([1, 42, 123_456].every(sameAsHelper)) {
    return { mode: 'template', bodyBytes: Buffer.byteLength(render(1).body), next: () => render(n++) };
  }
  return {
    mode: 'completionRequest',
    bodyBytes: Buffer.byteLength(reference.body),
    next: () => {
      const wire = completionRequest('learn365', inbound, n++);
      return { path: pathPrefix + wire.path, headers: wire.headers, body: wire.body };
    },
  };
}
