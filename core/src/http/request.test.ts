import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PayloadError } from '../errors.ts';
import { queryOf } from './request.ts';

const requestWith = (query: Record<string, unknown>) => ({ query }) as unknown as Request;

describe('queryOf', () => {
  it('answers the parsed query', () => {
    expect(queryOf(requestWith({ limit: '5' }), z.object({ limit: z.coerce.number() }))).toEqual({ limit: 5 });
  });

  it('refuses a bad parameter with a 400 that names it as a query parameter, not as the body', () => {
    let thrown: unknown;
    try {
      queryOf(requestWith({ limit: '1000' }), z.object({ limit: z.coerce.number().max(100) }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PayloadError);
    const error = thrown as PayloadError;
    expect(error.message).toMatch(/^The query string is not valid at limit: /);
    expect(error.issues.map((issue) => issue.path)).toEqual(['limit']);
  });
});
