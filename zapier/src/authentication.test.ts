import { describe, expect, it } from 'vitest';
import { connectionLabel, missingScopes } from './authentication.ts';

describe('API key scopes', () => {
  it('are enough with hooks and events, or admin', () => {
    expect(missingScopes(['hooks', 'events'])).toEqual([]);
    expect(missingScopes(['admin'])).toEqual([]);
  });

  it('name what an events-only key lacks', () => {
    expect(missingScopes(['events'])).toEqual(['hooks']);
    expect(missingScopes([])).toEqual(['hooks', 'events']);
  });
});

describe('the connection label', () => {
  it('names the key and the hub', () => {
    const me = { key_id: 'key_1', label: 'zapier', scopes: ['hooks', 'events'], hub: { version: '0.1.0', url: 'http://internal:8080' } };
    expect(connectionLabel(me, 'https://learnhook.acme.example/v1')).toBe('zapier @ learnhook.acme.example');
  });

  it("falls back to the key's id when it has no label", () => {
    expect(connectionLabel({ key_id: 'key_1', label: '', scopes: [] }, 'learnhook.acme.example')).toBe('key_1 @ learnhook.acme.example');
  });
});
