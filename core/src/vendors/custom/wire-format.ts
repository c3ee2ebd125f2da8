import { createHmac } from 'node:crypto';
import { JSON_TYPE, stringOf, uuidFrom, type WireFormat } from '../../sandbox/wire-request.ts';

/**
 * What the sandbox sends as an LMS no adapter knows: a batched body in the style of LMS
 * Collaborator-like systems ({portal, sent_at, notifications: [{id, kind, occurred, employee,
 * training, result}]}), signed as the connection's verify settings describe, so the mapping and
 * its preview are tried on a foreign shape.
 */
export const customWireFormat: WireFormat = (event, subject, inbound) => {
  const { user, course, enrollment, sequence, at } = subject;
  const body = JSON.stringify({
    portal: 'training.acme-sandbox.example',
    sent_at: Math.floor(at.getTime() / 1000),
    notifications: [
      {
        id: uuidFrom(`custom-${sequence}`),
        kind: event,
        occurred: at.toISOString().replace('T', ' ').slice(0, 19),
        employee: { code: `EMP-${user.id}`, mail: user.email, full_name: `${user.first_name} ${user.last_name}` },
        training: { uid: `TR-${course.id}`, caption: course.title },
        result: enrollment ? { state: enrollment.status === 'completed' ? 'Passed' : 'In progress', points: enrollment.progress } : null,
      },
    ],
  });
  const verify = typeof inbound.verify === 'object' && inbound.verify !== null ? Object.fromEntries(Object.entries(inbound.verify)) : {};
  const header = stringOf(verify.header);
  const secret = stringOf(verify.secret);
  const headers: Record<string, string> = { ...JSON_TYPE };
  if (verify.method === 'header' && header) headers[header] = secret;
  if (verify.method === 'hmac' && header) {
    const algorithm = stringOf(verify.algorithm) || 'sha256';
    const encoding = verify.encoding === 'base64' ? 'base64' : 'hex';
    const timestamp = String(Math.floor(at.getTime() / 1000));
    const timestampHeader = stringOf(verify.timestamp_header);
    const signed = verify.signed === 'timestamp.body' ? `${timestamp}.${body}` : body;
    if (verify.signed === 'timestamp.body' && timestampHeader) headers[timestampHeader] = timestamp;
    headers[header] = `${stringOf(verify.prefix)}${createHmac(algorithm, secret).update(signed).digest(encoding)}`;
  }
  return { path: '', headers, body };
};
