import { createHmac } from 'node:crypto';
import type { WireRequest } from './vendor-requests.ts';

/**
 * An LMS no adapter knows, for the custom connection's tests: "Skillforge", whose webhooks batch
 * notifications under `data.items`, name the event in `topic`, nest the person under `person` and
 * the course under `module`, send the result as text ("Passed", "87.5"), times as epoch seconds,
 * and sign the raw body with HMAC-SHA256 in base64 after a "v1=" prefix (X-Skillforge-Signature).
 */

export interface SkillforgeItem {
  uid: string;
  topic: string;
  at: number;
  person: { ref: string; contact: { mail: string }; display_name: string };
  module?: { code: string; label: string };
  outcome?: { state: string; percent: string; finished: number };
}

export const skillforgeItem = (n: number, topic = 'module.passed', extra: Partial<SkillforgeItem> = {}): SkillforgeItem => ({
  uid: `sf-evt-${n}`,
  topic,
  at: 1_795_183_391 + n,
  person: { ref: `P-${1000 + n}`, contact: { mail: `learner${n}@northwind.example` }, display_name: `Learner ${n}` },
  module: { code: 'MOD-SAFETY-2', label: 'Warehouse Safety, part 2' },
  outcome: { state: 'Passed', percent: '87.5', finished: 1_795_183_391 + n },
  ...extra,
});

/** The body Skillforge sends: always a batch, even of one. */
export const skillforgeBody = (items: SkillforgeItem[]): string =>
  JSON.stringify({ tenant: 'northwind', delivery: { attempt: 1 }, data: { count: items.length, items } });

/** The mapping a person would enter for Skillforge (PATCH { mapping }). */
export const SKILLFORGE_MAPPING = {
  events: 'data.items',
  event_name: { path: 'topic' },
  types: { 'module.passed': 'enrollment.completed', 'module.started': 'enrollment.started', 'person.joined': 'user.created' },
  fields: {
    learner_id: { path: 'person.ref' },
    learner_email: { path: 'person.contact.mail' },
    learner_name: { path: 'person.display_name' },
    course_id: { path: 'module.code' },
    course_title: { path: 'module.label' },
    enrollment_status: { path: 'outcome.state', value: 'completed' },
    enrollment_score: { path: 'outcome.percent' },
    enrollment_completed_at: { path: 'outcome.finished' },
    occurred_at: { path: 'at' },
    event_id: { path: 'uid' },
  },
} as const;

/** Skillforge's signing, as the connection's verify settings describe it. */
export const SKILLFORGE_VERIFY = {
  method: 'hmac',
  header: 'X-Skillforge-Signature',
  secret: 'sf_whk_4Qm9vT2xLp8RzN6c',
  algorithm: 'sha256',
  encoding: 'base64',
  prefix: 'v1=',
} as const;

export const skillforgeSignature = (body: string, secret: string = SKILLFORGE_VERIFY.secret): string =>
  `v1=${createHmac('sha256', secret).update(body).digest('base64')}`;

/** A signed Skillforge request carrying `items`. */
export function skillforgeRequest(items: SkillforgeItem[], secret?: string): WireRequest {
  const body = skillforgeBody(items);
  return { path: '', headers: { 'content-type': 'application/json', 'x-skillforge-signature': skillforgeSignature(body, secret) }, body };
}
