import { startTestHub } from '@learnhook/core/testing';
import { describe, expect, it } from 'vitest';

/** The API's per-key rate limit (LEARNHOOK_RATE_LIMIT), against a real hub. */

describe('rate limit', () => {
  it('answers 429 with an integer Retry-After once a key exceeds its burst, while another key is still served', async () => {
    const limited = await startTestHub({ LEARNHOOK_RATE_LIMIT: '5' });
    try {
      const other = await limited.createKey('--label', 'other', '--scope', 'events');
      // Sent at once: the bucket holds a burst of 10 and refills at 5 per second while they arrive.
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 30 }, () => limited.api('GET', '/v1/me')));
      const refilled = Math.ceil(((Date.now() - started) / 1000) * 5);
      const served = answers.filter((answer) => answer.status === 200).length;
      const refused = answers.filter((answer) => answer.status === 429);
      expect(served).toBeGreaterThanOrEqual(10);
      expect(served).toBeLessThanOrEqual(10 + refilled);
      expect(refused.length).toBe(30 - served);
      const first = refused[0]!;
      expect(first.body.error.code).toBe('rate_limited');
      const retryAfter = first.headers.get('retry-after') ?? '';
      expect(retryAfter).toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);

      expect((await limited.api('GET', '/v1/me', undefined, other)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, Number(retryAfter) * 1000));
      expect((await limited.api('GET', '/v1/me')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
