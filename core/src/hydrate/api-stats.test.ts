import { describe, expect, it } from 'vitest';
import { createApiStats } from './api-stats.ts';
import { LmsApiError, type LmsHttp } from './client.ts';

const answering = (outcomes: (unknown | Error)[]): LmsHttp => ({
  json: async () => {
    const next = outcomes.shift();
    if (next instanceof Error) throw next;
    return next;
  },
});

describe('LMS API stats', () => {
  it('counts the calls of each connection apart and remembers when one last succeeded', async () => {
    const book = createApiStats(() => 1_000);
    const http = book.counting('con_a', answering([{ ok: 1 }, { ok: 2 }]));
    await http.json({ url: 'https://lms.example/users/1' });
    await http.json({ url: 'https://lms.example/users/2' });
    expect(book.of('con_a')).toEqual({ calls: 2, rateLimited: 0, lastError: null, lastSuccessAt: 1_000 });
    expect(book.of('con_b').calls).toBe(0);
  });

  it('counts 429s and keeps the last error the LMS gave, while passing the error on', async () => {
    const book = createApiStats(() => 2_000);
    const http = book.counting(
      'con_a',
      answering([new LmsApiError('Too many requests', { status: 429 }), new LmsApiError('401 Unauthorized: bad key', { status: 401 })]),
    );
    await expect(http.json({ url: 'https://lms.example/a' })).rejects.toThrow('Too many requests');
    await expect(http.json({ url: 'https://lms.example/b' })).rejects.toThrow('bad key');
    expect(book.of('con_a')).toMatchObject({ calls: 2, rateLimited: 1, lastError: { at: 2_000, message: '401 Unauthorized: bad key' } });
  });
});
