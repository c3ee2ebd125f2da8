import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { firstSchema } from './tables.ts';

/** Released migrations are never edited: the shared tables must keep rendering what each store shipped. */
const RELEASED = {
  sqlite: '5237d61105cf6af4d5852ace1810311ebd64f628e70b3a538009025b23fc47bf',
  postgres: 'fd5bc0ffc36c609236e3a3c7ac7d2ed46b63f65f0f58f2151e6122ba1eb0a75d',
} as const;

const fingerprint = (sql: string) => createHash('sha256').update(sql.replace(/\s+/g, ' ').trim()).digest('hex');

describe('the first schema', () => {
  it.each(['sqlite', 'postgres'] as const)('renders for %s the migration 1 that was released, white space aside', (dialect) => {
    expect(fingerprint(firstSchema(dialect))).toBe(RELEASED[dialect]);
  });
});
