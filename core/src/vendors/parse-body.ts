import type { z } from 'zod';
import { PayloadError, type PayloadIssue } from '../errors.ts';

/**
 * No LMS nests its webhooks this deep. A body that does is refused at ingest: kept, it would reach
 * the stores' JSON functions (SQLite's stop at 1000 levels) and fail every event search that reads it.
 */
export const MAX_JSON_DEPTH = 64;

/** How deep a JSON value nests, walked without recursion so a hostile body cannot exhaust the stack; stops counting past `limit`. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [next, depth] = stack.pop() ?? [null, 0];
    if (typeof next !== 'object' || next === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(next)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** JSON.parse that fails as a 400 the sender can act on, for a body that is not JSON or nests deeper than MAX_JSON_DEPTH. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new PayloadError('The request body is empty; send a JSON document.');
  let parsed: unknown;
  try {
    // .NET senders may start the body with a UTF-8 byte-order mark, which JSON.parse refuses.
    parsed = JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new PayloadError(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (jsonDepth(parsed) > MAX_JSON_DEPTH) {
    throw new PayloadError(`The body nests objects and lists deeper than ${MAX_JSON_DEPTH} levels; no webhook needs that many.`);
  }
  return parsed;
}

/** Turns zod issues into issues whose path a person can find in the body ("events.0.eventName"). */
export function toPayloadIssues(error: z.ZodError): PayloadIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** Validates outside data against a vendor schema; a mismatch is a 400 naming the failing path. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  moreIssues: (issues: PayloadIssue[]) => PayloadIssue[] = (issues) => issues,
): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = moreIssues(toPayloadIssues(result.error));
  const first = issues[0];
  const where = first ? ` at ${first.path || '(root)'}: ${first.message}` : '';
  throw new PayloadError(`The body is not a valid ${what}${where}.`, issues);
}
