import { describe, expect, it } from 'vitest';
import { apiKeyMatches, apiKeyRecordFor, hasScope, newApiKey, parseApiKey } from './api-keys.ts';

describe('API keys', () => {
  const { key, record } = newApiKey({ label: 'zapier', scopes: ['hooks', 'events'], now: 1 });

  it('are stored as a hash only, found by their id', () => {
    expect(key).toMatch(/^lh_[A-Za-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(record)).not.toContain(key.split('_').slice(2).join('_'));
    expect(parseApiKey(key)?.id).toBe(record.id);
  });

  it('match their own secret only, and no longer once revoked', () => {
    const parsed = parseApiKey(key);
    expect(parsed && apiKeyMatches(record, parsed.secret)).toBe(true);
    expect(apiKeyMatches(record, 'x'.repeat(43))).toBe(false);
    expect(parsed && apiKeyMatches({ ...record, revoked_at: 2 }, parsed.secret)).toBe(false);
  });

  it('reject text that cannot be a key', () => {
    expect(parseApiKey('Bearer something long enough')).toBeNull();
    expect(parseApiKey('short')).toBeNull();
  });

  it('also take a key a person chose, found by its digest', () => {
    const chosen = parseApiKey('my-container-admin-key-2026');
    expect(chosen?.id).toMatch(/^ext_[0-9a-f]{16}$/);
    expect(parseApiKey('my-container-admin-key-2026')?.id).toBe(chosen?.id);
    const seeded = apiKeyRecordFor('my-container-admin-key-2026', { label: 'env', scopes: ['admin'], now: 1 });
    expect(seeded && chosen && apiKeyMatches(seeded, chosen.secret)).toBe(true);
  });

  it('can be seeded from a full key given in the environment', () => {
    const seeded = apiKeyRecordFor(key, { label: 'env', scopes: ['admin'], now: 1 });
    const parsed = parseApiKey(key);
    expect(seeded && parsed && apiKeyMatches(seeded, parsed.secret)).toBe(true);
    expect(apiKeyRecordFor('too short', { label: 'env', scopes: ['admin'], now: 1 })).toBeNull();
  });

  it('let admin do everything and others only what a scope allows', () => {
    expect(hasScope(['admin'], ['hooks'])).toBe(true);
    expect(hasScope(['hooks', 'events'], ['events'])).toBe(true);
    expect(hasScope(['events'], ['admin'])).toBe(false);
  });
});
