import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AuthenticationError, PayloadError, type PayloadIssue, UnsupportedMediaTypeError } from '../../errors.ts';
import { type BasicCredentials, basicAuthMatches } from '../../signatures/basic-auth.ts';
import type { IngestReply, IngestRequest } from '../adapter.ts';
import { bodyDigest } from '../event-id.ts';
import { parseJsonBody, parseWith } from '../parse-body.ts';
import { type XapiStatement, XapiStatementSchema } from './schema.ts';

/**
 * The Learning Record Store's side of `POST /statements`: its Basic auth, reading one statement or
 * a batch, the ids it assigns, and its answer.
 *
 * Spec: https://github.com/adlnet/xAPI-Spec (xAPI-Communication.md §2.1 Statement Resource,
 * §3.3 Versioning, §4.0 Authentication).
 */

/** The version this LRS answers with; requests may carry any 1.0.x (xAPI-Communication §3.3). */
export const XAPI_VERSION = '1.0.3';

const VERSION_HEADER = 'x-experience-api-version';

/** A statement read from a request, with the id the LRS answers for it. */
export interface ReceivedStatement {
  /** The statement's own id (lower-cased), or the one assigned here when it came without. */
  id: string;
  /** True when the statement had no id and `id` was derived from the body. */
  assigned: boolean;
  statement: XapiStatement;
  /** The statement exactly as it was in the body. */
  raw: unknown;
}

/**
 * The LRS endpoint's Basic auth (xAPI-Communication §4.0). A connection without LRS credentials
 * refuses every statement rather than taking them unauthenticated.
 */
export function verifyStatementCredentials(request: IngestRequest, credentials: BasicCredentials | undefined): void {
  if (!credentials) throw new AuthenticationError('This connection has no xAPI credentials; set an LRS username and password on it first.');
  if (!basicAuthMatches(request.headers.authorization, credentials)) {
    throw new AuthenticationError('The LRS Basic credentials are missing or wrong.');
  }
}

/**
 * Reads `POST /statements` (one statement or an array) or `PUT /statements?statementId=`.
 * Requires X-Experience-API-Version 1.0.x ("1.0" counts as 1.0.0); a missing or other version, a
 * malformed statement, or one id twice in a batch is a 400 PayloadError naming the path (`1.verb.id`).
 *
 * Statements without an id get a UUID (version 5) derived from the SHA-256 of the body bytes and the
 * statement's position, so the function stays pure and a resend of the identical id-less batch gets
 * the same ids and dedupes in the store, as a resend with ids would.
 */
export function parseStatements(request: IngestRequest): ReceivedStatement[] {
  checkVersion(request.headers[VERSION_HEADER]);
  const contentType = request.headers['content-type'] ?? '';
  // Statements with attachments come as multipart/mixed (xAPI-Communication §1.5.2), which this LRS does not store.
  if (/^multipart\//i.test(contentType)) throw new UnsupportedMediaTypeError(contentType);
  const body = parseJsonBody(request.body);
  const put = request.method.toUpperCase() === 'PUT';
  const putId = put ? statementIdParameter(request.query.statementId) : null;
  if (put && Array.isArray(body)) throw new PayloadError('PUT /statements stores one statement; POST an array instead.');
  const items: unknown[] = Array.isArray(body) ? body : [body];
  const statements = Array.isArray(body)
    ? parseWith(z.array(XapiStatementSchema), body, 'xAPI statement batch')
    : [parseWith(XapiStatementSchema, body, 'xAPI statement')];
  const digest = bodyDigest(request.body);
  const received = statements.map((statement, index): ReceivedStatement => {
    const own = statement.id?.toLowerCase();
    if (putId && own && own !== putId) {
      throw new PayloadError('The statement id differs from the statementId parameter.', [{ path: 'id', message: `must equal statementId ${putId}` }]);
    }
    const id = own ?? putId ?? derivedStatementId(digest, index);
    return { id, assigned: !own && !putId, statement, raw: items[index] };
  });
  rejectDuplicateIds(received, Array.isArray(body));
  return received;
}

function checkVersion(header: string | undefined): void {
  if (!header) {
    throw new PayloadError(`The X-Experience-API-Version header is missing; send "X-Experience-API-Version: ${XAPI_VERSION}".`, [
      { path: '', message: 'X-Experience-API-Version header required' },
    ]);
  }
  const version = header.trim();
  if (version !== '1.0' && !/^1\.0\.\d+$/.test(version)) {
    throw new PayloadError(`X-Experience-API-Version ${JSON.stringify(version)} is not supported; this LRS accepts 1.0.x (answers ${XAPI_VERSION}).`, [
      { path: '', message: 'X-Experience-API-Version must be 1.0 or 1.0.x' },
    ]);
  }
}

function statementIdParameter(value: string | undefined): string {
  if (!value) throw new PayloadError('PUT /statements needs the statementId query parameter.', [{ path: 'statementId', message: 'required' }]);
  if (!z.guid().safeParse(value).success) {
    throw new PayloadError('The statementId parameter is not a UUID.', [{ path: 'statementId', message: 'must be a UUID' }]);
  }
  return value.toLowerCase();
}

/** xAPI-Communication §2.1.2: a batch naming one id twice is rejected whole. */
function rejectDuplicateIds(statements: readonly ReceivedStatement[], batch: boolean): void {
  const firstAt = new Map<string, number>();
  const issues: PayloadIssue[] = [];
  statements.forEach((statement, index) => {
    const earlier = firstAt.get(statement.id);
    if (earlier === undefined) firstAt.set(statement.id, index);
    else issues.push({ path: batch ? `${index}.id` : 'id', message: `repeats the id of statement ${earlier} (${statement.id})` });
  });
  const first = issues[0];
  if (first) throw new PayloadError(`The batch holds the statement id ${first.path} twice: ${first.message}.`, issues);
}

/** A fixed namespace for the ids this hub assigns, so they never collide with another generator's v5 ids. */
const ASSIGNED_ID_NAMESPACE = Buffer.from('37837dd6e11b47559aad959bbcf0afb6', 'hex');

/** RFC 4122 §4.3 name-based UUID (version 5): SHA-1 of namespace + name, version and variant bits set. */
function derivedStatementId(digest: string, index: number): string {
  const hash = createHash('sha1').update(ASSIGNED_ID_NAMESPACE).update(`${digest}#${index}`).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The LRS's answer: 200 with the ids in request order (xAPI-Communication §2.1.2), or 204 for a PUT
 * (§2.1.1); always with the version header (§3.3).
 */
export function acknowledgeStatements(statements: readonly ReceivedStatement[], options: { method?: string } = {}): IngestReply {
  const headers = { 'X-Experience-API-Version': XAPI_VERSION };
  if (options.method?.toUpperCase() === 'PUT') return { status: 204, contentType: 'text/plain', body: '', headers };
  return { status: 200, contentType: 'application/json', body: JSON.stringify(statements.map((statement) => statement.id)), headers };
}
