import type { IngestRequest } from '../vendors/adapter.ts';
import { ingestRequest } from './ingest-request.ts';

/**
 * xAPI 1.0.3 statements for the LRS route's tests, built from the specification (ADL,
 * github.com/adlnet/xAPI-Spec, xAPI-Data.md §2.4 "Statement Properties").
 */

export const XAPI_VERSION_HEADER = { 'X-Experience-API-Version': '1.0.3' };

export const XAPI_MAPPING_CONTEXT = { connection: 'acme', receivedAt: new Date('2026-11-20T14:03:11.482Z') };

/** The Activity every sample statement is about, unless a test gives another object. */
export const XAPI_LESSON = {
  objectType: 'Activity',
  id: 'https://acme.lessonly.com/lessons/4821-handling-objections',
  definition: { name: { 'en-US': 'Handling Objections' }, type: 'http://adlnet.gov/expapi/activities/lesson' },
};

/** A statement by Maya Chen with `verb` about the lesson; `extra` replaces or adds properties. */
export function xapiStatement(verb: string, extra: Record<string, unknown> = {}) {
  return {
    id: '9c7b5a3e-1f2d-4c6b-8a9e-0d1f2e3c4b5a',
    actor: { objectType: 'Agent', name: 'Maya Chen', mbox: 'mailto:maya.chen@acme-training.example' },
    verb: { id: verb, display: { 'en-US': verb.split('/').pop() ?? verb } },
    object: XAPI_LESSON,
    timestamp: '2026-11-20T14:03:11.000Z',
    ...extra,
  };
}

/** A `POST /statements` of `body` on the xapi-statements route, with the version header unless `headers` replaces it. */
export function postStatements(body: unknown, headers: Record<string, string> = XAPI_VERSION_HEADER): IngestRequest {
  return ingestRequest({ route: 'xapi-statements', body, headers });
}
