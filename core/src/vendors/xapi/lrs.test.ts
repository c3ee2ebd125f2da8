/**
 * Samples are built from the xAPI 1.0.3 specification (ADL, github.com/adlnet/xAPI-Spec):
 * - xAPI-Data.md §2.4 "Statement Properties" (id, actor, verb, object, result, timestamp, stored),
 *   §2.4.2 "Actor" (Agent, Group, inverse functional identifiers, Account Object), §2.4.5.1 "Score".
 * - xAPI-Communication.md §2.1.1 "PUT Statements", §2.1.2 "POST Statements" (ids in order, duplicate
 *   ids in a batch -> 400), §3.3 "Versioning" (X-Experience-API-Version; "1.0" means 1.0.0).
 */
import { describe, expect, it } from 'vitest';
import { PayloadError, UnsupportedMediaTypeError } from '../../errors.ts';
import { thrownBy } from '../../testing/errors.ts';
import { ingestRequest } from '../../testing/ingest-request.ts';
import { postStatements, XAPI_VERSION_HEADER, xapiStatement } from '../../testing/xapi-statements.ts';
import { acknowledgeStatements, parseStatements, type ReceivedStatement, XAPI_VERSION } from './lrs.ts';

const payloadError = (run: () => unknown) => thrownBy(PayloadError, run);

describe('parseStatements', () => {
  it('reads a single statement and answers its id', () => {
    const statements = parseStatements(postStatements(xapiStatement('http://adlnet.gov/expapi/verbs/completed')));
    expect(statements.map((s) => s.id)).toEqual(['9c7b5a3e-1f2d-4c6b-8a9e-0d1f2e3c4b5a']);
    expect(statements[0]?.assigned).toBe(false);
  });

  it('reads an array and keeps the request order', () => {
    const ids = ['0f6a3f8e-7c1b-4d2a-9e5f-1a2b3c4d5e6f', '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e'];
    const body = ids.map((id) => xapiStatement('http://id.tincanapi.com/verb/viewed', { id }));
    expect(parseStatements(postStatements(body)).map((s) => s.id)).toEqual(ids);
  });

  it('accepts an empty batch and answers an empty list', () => {
    expect(parseStatements(postStatements([]))).toEqual([]);
  });

  it.each(['1.0', '1.0.0', '1.0.1', '1.0.3'])('accepts X-Experience-API-Version %s', (version) => {
    const request = postStatements(xapiStatement('http://adlnet.gov/expapi/verbs/answered'), { 'X-Experience-API-Version': version });
    expect(parseStatements(request)).toHaveLength(1);
  });

  it('rejects a request without X-Experience-API-Version with a 400 that says which header to send', () => {
    const error = payloadError(() => parseStatements(postStatements(xapiStatement('http://adlnet.gov/expapi/verbs/answered'), {})));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/X-Experience-API-Version header is missing/);
    expect(error.message).toContain('1.0.3');
  });

  it.each(['0.95', '1.1.0', '2.0.0', 'latest'])('rejects X-Experience-API-Version %s with a 400', (version) => {
    const error = payloadError(() =>
      parseStatements(postStatements(xapiStatement('http://adlnet.gov/expapi/verbs/answered'), { 'X-Experience-API-Version': version })),
    );
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/not supported; this LRS accepts 1\.0\.x/);
  });

  it('rejects a batch that names one id twice, pointing at the repeat', () => {
    const body = [
      xapiStatement('http://id.tincanapi.com/verb/viewed'),
      xapiStatement('http://activitystrea.ms/schema/1.0/like', { id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' }),
      xapiStatement('http://id.tincanapi.com/verb/viewed', { id: '9C7B5A3E-1F2D-4C6B-8A9E-0D1F2E3C4B5A' }),
    ];
    const error = payloadError(() => parseStatements(postStatements(body)));
    expect(error.status).toBe(400);
    expect(error.issues).toEqual([{ path: '2.id', message: expect.stringContaining('statement 0') }]);
  });

  it('names the failing path of a malformed statement in a batch', () => {
    const body = [xapiStatement('http://id.tincanapi.com/verb/viewed'), xapiStatement('viewed', { id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' })];
    const error = payloadError(() => parseStatements(postStatements(body)));
    expect(error.status).toBe(400);
    expect(error.issues.map((issue) => issue.path)).toEqual(['1.verb.id']);
    expect(error.message).toContain('1.verb.id');
  });

  it.each([
    ['an actor without an identifier', { actor: { name: 'Maya Chen' } }, 'actor'],
    ['an actor with two identifiers', { actor: { mbox: 'mailto:maya@acme.example', account: { homePage: 'https://acme.lessonly.com', name: '42' } } }, 'actor'],
    ['an mbox that is not a mailto IRI', { actor: { mbox: 'maya@acme.example' } }, 'actor.mbox'],
    ['an account without a name', { actor: { account: { homePage: 'https://acme.lessonly.com' } } }, 'actor.account.name'],
    ['a missing verb', { verb: undefined }, 'verb'],
    ['an activity without an id', { object: { definition: { name: { 'en-US': 'Handling Objections' } } } }, 'object.id'],
    ['a statement id that is not a UUID', { id: 'statement-1' }, 'id'],
    ['a scaled score above 1', { result: { score: { scaled: 1.5 } } }, 'result.score.scaled'],
    ['an unreadable timestamp', { timestamp: 'yesterday' }, 'timestamp'],
  ])('rejects %s naming the path', (_name, change, path) => {
    const error = payloadError(() => parseStatements(postStatements(xapiStatement('http://adlnet.gov/expapi/verbs/answered', change))));
    expect(error.status).toBe(400);
    expect(error.issues.map((issue) => issue.path)).toContain(path);
  });

  it('accepts an anonymous group actor, which lists members instead of an identifier', () => {
    const group = { objectType: 'Group', name: 'Team Ada', member: [{ mbox: 'mailto:maya.chen@acme-training.example' }] };
    expect(parseStatements(postStatements(xapiStatement('http://adlnet.gov/expapi/verbs/attended', { actor: group })))).toHaveLength(1);
  });

  it('rejects a body that is not JSON', () => {
    expect(payloadError(() => parseStatements(postStatements('{"actor":'))).status).toBe(400);
  });

  it('refuses statements with attachments (multipart/mixed) as an unsupported media type', () => {
    const request = postStatements('--boundary\r\n', { ...XAPI_VERSION_HEADER, 'Content-Type': 'multipart/mixed; boundary=boundary' });
    expect(() => parseStatements(request)).toThrow(UnsupportedMediaTypeError);
  });

  describe('statements without an id', () => {
    const idless = [
      { ...xapiStatement('http://id.tincanapi.com/verb/viewed'), id: undefined },
      { ...xapiStatement('http://id.tincanapi.com/verb/viewed'), id: undefined },
    ];

    it('get a UUID derived from the body and their position, the same on every resend', () => {
      const first = parseStatements(postStatements(idless));
      const resent = parseStatements(postStatements(idless));
      expect(first.map((s) => s.id)).toEqual(resent.map((s) => s.id));
      expect(first[0]?.id).not.toBe(first[1]?.id);
      expect(first[0]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(first.every((s) => s.assigned)).toBe(true);
    });

    it('get other ids when the body differs', () => {
      const other = parseStatements(postStatements([idless[0], { ...idless[1], timestamp: '2026-11-20T14:03:12Z' }]));
      expect(other[0]?.id).not.toBe(parseStatements(postStatements(idless))[0]?.id);
    });
  });

  describe('PUT ?statementId=', () => {
    const id = '5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c';

    it('stores the statement under the statementId parameter and answers 204', () => {
      const request = ingestRequest({
        method: 'PUT',
        route: 'xapi-statements',
        query: { statementId: id },
        headers: XAPI_VERSION_HEADER,
        body: { ...xapiStatement('http://adlnet.gov/expapi/verbs/answered'), id: undefined },
      });
      const statements = parseStatements(request);
      expect(statements.map((s) => s.id)).toEqual([id]);
      expect(acknowledgeStatements(statements, { method: 'PUT' })).toMatchObject({
        status: 204,
        body: '',
        headers: { 'X-Experience-API-Version': XAPI_VERSION },
      });
    });

    it('rejects a statement whose id differs from statementId', () => {
      const request = ingestRequest({
        method: 'PUT',
        route: 'xapi-statements',
        query: { statementId: id },
        headers: XAPI_VERSION_HEADER,
        body: xapiStatement('http://adlnet.gov/expapi/verbs/answered'),
      });
      expect(payloadError(() => parseStatements(request)).issues).toEqual([{ path: 'id', message: expect.stringContaining(id) }]);
    });

    it('rejects a PUT without statementId', () => {
      const request = ingestRequest({
        method: 'PUT',
        route: 'xapi-statements',
        headers: XAPI_VERSION_HEADER,
        body: xapiStatement('http://adlnet.gov/expapi/verbs/answered'),
      });
      expect(payloadError(() => parseStatements(request)).issues).toEqual([{ path: 'statementId', message: 'required' }]);
    });
  });
});

describe('acknowledgeStatements', () => {
  it('answers 200 with the ids in request order and the xAPI version header', () => {
    const statements: ReceivedStatement[] = parseStatements(
      postStatements([
        xapiStatement('http://id.tincanapi.com/verb/viewed', { id: 'b0000000-0000-4000-8000-000000000002' }),
        xapiStatement('http://id.tincanapi.com/verb/viewed', { id: 'a0000000-0000-4000-8000-000000000001' }),
      ]),
    );
    const reply = acknowledgeStatements(statements);
    expect(reply).toEqual({
      status: 200,
      contentType: 'application/json',
      body: '["b0000000-0000-4000-8000-000000000002","a0000000-0000-4000-8000-000000000001"]',
      headers: { 'X-Experience-API-Version': '1.0.3' },
    });
  });
});
