import type { CourseKind, EventType, Vendor } from '../catalog/index.ts';
import { VENDOR_REGISTRY } from '../vendors/registry.ts';
import type { Inbound, Subject, WireRequest } from './wire-request.ts';

/** The request the vendor would send for `event` about `subject`, signed with the connection's inbound settings. */
export function wireRequest(vendor: Vendor, event: string, subject: Subject, inbound: Inbound): WireRequest {
  return VENDOR_REGISTRY[vendor].sandbox.wireFormat(event, subject, inbound);
}

/** Words in vendor event names that say which kind of course the event is about. */
const KIND_HINTS: ReadonlyArray<readonly [RegExp, CourseKind]> = [
  [/learning.?path|learningprogram/i, 'learning_path'],
  [/certification/i, 'certification'],
  [/curriculum/i, 'curriculum'],
  [/bundle/i, 'bundle'],
  [/instructor|\bilc\b|session|attended/i, 'instructor_led'],
  [/lesson|xapi|^http/i, 'lesson'],
];

/** The kind of course an event name implies, so the sandbox picks a fitting course by default. */
export function courseKindFor(event: string): CourseKind {
  return KIND_HINTS.find(([pattern]) => pattern.test(event))?.[1] ?? 'online_course';
}

/** The catalog type a vendor event maps to, or null when the adapter does not know the name. */
export function catalogTypeOf(vendor: Vendor, event: string): EventType | null {
  return VENDOR_REGISTRY[vendor].inbound.events[event] ?? null;
}
