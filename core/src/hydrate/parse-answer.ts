import type { z } from 'zod';
import { LmsApiError } from './client.ts';

/**
 * Reads an LMS's answers with the schemas its client expects. An answer that does not fit says
 * which LMS answered what, and the first issue's path; zod's whole report stays in `cause`.
 */
export function answerParser(lms: string) {
  return function parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    throw new LmsApiError(`${lms} answered ${what} with an unexpected body${issue ? ` (${issue.path.join('.') || 'body'}: ${issue.message})` : ''}.`, {
      cause: result.error,
    });
  };
}
