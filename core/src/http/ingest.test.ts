import { describe, expect, it } from 'vitest';
import { storableHeaders } from './ingest.ts';

describe('storableHeaders', () => {
  it('blanks the credentials a vendor sends in headers and keeps every other header as received', () => {
    const stored = storableHeaders({
      authorization: 'Basic bHJzX3VzZXI6czNjcjN0',
      'proxy-authorization': 'Bearer proxy',
      cookie: 'session=abc',
      'x-api-key': 'key',
      'ms-signature': 'sha256=ABCDEF',
      'content-type': 'application/json',
      'x-experience-api-version': '1.0.3',
      'user-agent': undefined,
    });
    expect(stored).toEqual({
      authorization: '[redacted]',
      'proxy-authorization': '[redacted]',
      cookie: '[redacted]',
      'x-api-key': '[redacted]',
      'ms-signature': 'sha256=ABCDEF',
      'content-type': 'application/json',
      'x-experience-api-version': '1.0.3',
      'user-agent': undefined,
    });
  });
});
