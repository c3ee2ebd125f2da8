import type { Request } from 'express';
import type { z } from 'zod';
import { PayloadError } from '../errors.ts';
import { parseWith, toPayloadIssues } from '../vendors/parse-body.ts';

/** A named path segment; express types it loosely. */
export function pathParam(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}

/** The JSON body, still unchecked, for operations that validate it themselves. */
export function jsonBodyOf(req: Request, what: string): unknown {
  if (req.body === undefined) throw new PayloadError(`Send the ${what} as a JSON body with Content-Type: application/json.`);
  return req.body;
}

/** The JSON body, validated: a mismatch is a 400 naming the failing path. */
export function bodyOf<S extends z.ZodType>(req: Request, schema: S, what: string): z.infer<S> {
  return parseWith(schema, jsonBodyOf(req, what), what);
}

/** The query string, validated the same way: a mismatch is a 400 naming the parameter. */
export function queryOf<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const result = schema.safeParse(req.query);
  if (result.success) return result.data;
  const issues = toPayloadIssues(result.error);
  const first = issues[0];
  throw new PayloadError(`The query string is not valid${first ? ` at ${first.path}: ${first.message}` : ''}.`, issues);
}
