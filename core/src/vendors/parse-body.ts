import type { z } from 'zod';
import { PayloadError, type PayloadIssue } from '../errors.ts';

/** JSON.parse that fails as a 400 the sender can act on. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new PayloadError('The request body is empty; send a JSON document.');
  try {
    // .NET senders may start the body with a UTF-8 byte-order mark, which JSON.parse refuses.
    return JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new PayloadError(`The request body is not valid JSON: ${(error as Error).message}`);
  }
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
