import { describe, expect, it } from 'vitest';
import { hubBaseUrl, hubErrorMessage } from './hub-client.ts';

describe('the Hub URL a user types', () => {
  it('is used as typed when it is a plain base URL', () => {
    expect(hubBaseUrl('https://learnhook.acme.example')).toBe('https://learnhook.acme.example');
    expect(hubBaseUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
  });

  it('loses a trailing slash or /v1 copied from the API docs, and keeps a path prefix', () => {
    expect(hubBaseUrl(' https://learnhook.acme.example/v1/ ')).toBe('https://learnhook.acme.example');
    expect(hubBaseUrl('https://acme.example/learnhook/')).toBe('https://acme.example/learnhook');
  });

  it('means https when it has no scheme', () => {
    expect(hubBaseUrl('learnhook.acme.example')).toBe('https://learnhook.acme.example');
  });

  it('is refused when it is not a web address', () => {
    expect(hubBaseUrl('')).toBeNull();
    expect(hubBaseUrl(undefined)).toBeNull();
    expect(hubBaseUrl('ftp://acme.example')).toBeNull();
    expect(hubBaseUrl('https://')).toBeNull();
  });
});

describe("the hub's error answers", () => {
  it("become the hub's own message", () => {
    expect(hubErrorMessage(404, { error: { code: 'not_found', message: 'No hook h1; it may have been deleted.', details: null } }, 'https://h')).toEqual({
      code: 'not_found',
      message: 'No hook h1; it may have been deleted.',
    });
  });

  it('name the field a 400 is about', () => {
    const body = { error: { code: 'invalid_payload', message: 'The hook is not valid.', details: { issues: [{ path: 'url', message: 'Invalid URL' }] } } };
    expect(hubErrorMessage(400, body, 'https://h').message).toBe('The hook is not valid. (url: Invalid URL)');
  });

  it('say the URL may not be a learnhook hub when the answer is not one', () => {
    expect(hubErrorMessage(502, undefined, 'https://h').message).toBe(
      'https://h answered HTTP 502 without a learnhook error. Check that the Hub URL in this connection points at your learnhook hub.',
    );
  });
});
