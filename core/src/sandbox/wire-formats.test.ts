import { describe, expect, it } from 'vitest';
import { VENDORS } from '../catalog/index.ts';
import { ingestRequest } from '../testing/ingest-request.ts';
import { canvasSandboxJwks } from '../vendors/canvas/sandbox-signing.ts';
import { VENDOR_REGISTRY } from '../vendors/registry.ts';
import { demoData } from './demo-data.ts';
import { courseKindFor, wireRequest } from './wire-formats.ts';
import type { Subject } from './wire-request.ts';

const data = demoData();

function subjectFor(event: string, sequence: number): Subject {
  const kind = courseKindFor(event);
  const course = data.courses.find((candidate) => candidate.kind === kind) ?? data.courses[0]!;
  const user = data.users[0]!;
  return { user, course, enrollment: data.enrollments.find((e) => e.user_id === user.id) ?? null, data, sequence, at: new Date('2026-11-20T14:03:11Z') };
}

const cases = VENDORS.flatMap((vendor) => Object.entries(VENDOR_REGISTRY[vendor].inbound.events).map(([event, type]) => [vendor, event, type] as const));

describe('the sandbox wire formats', () => {
  it.each(cases)('send %s "%s" so the hub verifies it and maps it to %s', (vendor, event, type) => {
    const { inbound: adapter, inboundDefaults } = VENDOR_REGISTRY[vendor];
    const inbound = adapter.inboundSchema.parse(inboundDefaults());
    const wire = wireRequest(vendor, event, subjectFor(event, 1), inbound as Record<string, unknown>);
    const request = ingestRequest({
      body: wire.body,
      headers: wire.headers,
      route: wire.path ? 'xapi-statements' : 'webhook',
      receivedAt: new Date('2026-11-20T14:03:12Z'),
    });
    expect(() => adapter.verify(request, inbound)).not.toThrow();
    const mapped = adapter.parse(request).flatMap((vendorEvent) => adapter.toCatalog(vendorEvent, { connection: 'sandbox', receivedAt: request.receivedAt }));
    expect(mapped.map(({ event: catalogEvent }) => catalogEvent.type)).toEqual([type]);
  });

  it('sign Adobe Learning Manager requests with Basic auth when the connection asks for it', () => {
    const inbound = { auth: 'basic', username: 'alm', password: 'pw' };
    const wire = wireRequest('adobe-alm', 'COURSE_COMPLETED', subjectFor('COURSE_COMPLETED', 2), inbound);
    expect(() => VENDOR_REGISTRY['adobe-alm'].inbound.verify(ingestRequest({ body: wire.body, headers: wire.headers }), inbound)).not.toThrow();
  });

  it('sign Canvas Live Events RS256 with a key the sandbox publishes when the connection requires signed ones', () => {
    const { inbound: adapter } = VENDOR_REGISTRY.canvas;
    const api = VENDOR_REGISTRY.canvas.sandbox.api;
    const inbound = adapter.inboundSchema.parse(api?.sandboxInbound?.('http://127.0.0.1:8081/canvas'));
    expect(inbound).toEqual({ signed_payloads: 'required', jwks_url: 'http://127.0.0.1:8081/canvas/live-events/jwks' });
    const wire = wireRequest('canvas', 'course_completed', subjectFor('course_completed', 3), inbound as Record<string, unknown>);
    expect(wire.headers['content-type']).toBe('application/jwt');
    const request = ingestRequest({ body: wire.body, headers: wire.headers });
    const need = adapter.keySet?.(request, inbound);
    const keys = canvasSandboxJwks();
    expect(keys.keys.map(({ kid }) => kid)).toContain(need?.kid);
    expect(() => adapter.verify(request, inbound, keys)).not.toThrow();
    const mapped = adapter.parse(request).flatMap((vendorEvent) => adapter.toCatalog(vendorEvent, { connection: 'sandbox', receivedAt: request.receivedAt }));
    expect(mapped.map(({ event }) => event.type)).toEqual(['enrollment.completed']);
  });

  it('give each emit its own vendor event id, so the hub stores each once', () => {
    const { inbound: adapter, inboundDefaults } = VENDOR_REGISTRY['adobe-alm'];
    const inbound = adapter.inboundSchema.parse(inboundDefaults());
    const ids = [1, 2].map((sequence) => {
      const wire = wireRequest('adobe-alm', 'COURSE_COMPLETED', subjectFor('COURSE_COMPLETED', sequence), inbound as Record<string, unknown>);
      const request = ingestRequest({ body: wire.body });
      return adapter.toCatalog(adapter.parse(request)[0], {
        connection: 'c',
        receivedAt: new Date(),
      })[0]?.event.id;
    });
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('pick a course of the kind the event names', () => {
    expect(courseKindFor('Learning Path Completed')).toBe('learning_path');
    expect(courseKindFor('CERTIFICATION_COMPLETED')).toBe('certification');
    expect(courseKindFor('Course Bundle Added')).toBe('bundle');
    expect(courseKindFor('Session Enrollment Completed')).toBe('instructor_led');
    expect(courseKindFor('COURSE_COMPLETED')).toBe('online_course');
  });
});
