import { basicFrom, type Inbound, JSON_TYPE, type Subject, uuidFrom, type WireRequest } from '../../sandbox/wire-request.ts';

function xapiStatement(verb: string, subject: Subject): Record<string, unknown> {
  const { user, course, sequence, at } = subject;
  const activity = `https://acme.lessonly.example/lessons/${course.id}`;
  const result: Record<string, Record<string, unknown>> = {
    'http://adlnet.gov/expapi/verbs/completed': { completion: true, success: true, score: { scaled: 0.92 } },
    'http://adlnet.gov/expapi/verbs/answered': { success: true, response: 'Acknowledge, then ask an open question' },
    'http://id.tincanapi.com/verb/searched': { response: 'pricing objections' },
  };
  return {
    id: uuidFrom(`xapi-${sequence}`),
    actor: { objectType: 'Agent', name: `${user.first_name} ${user.last_name}`, mbox: `mailto:${user.email}` },
    verb: { id: verb, display: { 'en-US': verb.split('/').pop() ?? verb } },
    object: { objectType: 'Activity', id: activity, definition: { name: { 'en-US': course.title }, type: 'http://adlnet.gov/expapi/activities/lesson' } },
    ...(result[verb] ? { result: result[verb] } : {}),
    timestamp: at.toISOString(),
  };
}

/** A statement batch as an LRS client posts it, with the connection's LRS credentials. */
export function xapiRequest(verb: string, subject: Subject, inbound: Inbound): WireRequest {
  const authorization = basicFrom(inbound.xapi);
  return {
    path: '/xapi/statements',
    headers: { ...JSON_TYPE, 'x-experience-api-version': '1.0.3', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify([xapiStatement(verb, subject)]),
  };
}
