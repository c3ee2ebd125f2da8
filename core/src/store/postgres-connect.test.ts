import { describe, expect, it } from 'vitest';
import { connectPostgres, postgresTarget } from './postgres-connect.ts';

describe('the schema name', () => {
  it('comes from ?schema= in the URL, which is not passed on to the server, or from the option, which wins', () => {
    expect(postgresTarget('postgres://u@h:5432/db?schema=tenant_a&sslmode=disable')).toEqual({
      connectionString: 'postgres://u@h:5432/db?sslmode=disable',
      schema: 'tenant_a',
    });
    expect(postgresTarget('postgres://u@h/db?schema=tenant_a', 'tenant_b').schema).toBe('tenant_b');
    expect(postgresTarget('postgres://u@h/db').schema).toBe('public');
  });

  it('is refused when it is not a plain lower-case identifier', () => {
    expect(() => postgresTarget('postgres://u@h/db?schema=a";drop')).toThrow(/lower-case letters/);
    expect(() => postgresTarget('postgres://u@h/db', 'Tenant')).toThrow(/lower-case letters/);
  });
});

describe('connecting to PostgreSQL', () => {
  it('names the server it could not reach, without the password', async () => {
    const attempt = connectPostgres({ url: 'postgres://learnhook:s3cret-pw@127.0.0.1:1/app', connectTimeoutMs: 2_000 });
    await expect(attempt).rejects.toThrow(/^Could not connect to PostgreSQL at 127\.0\.0\.1:1\/app: /);
    await expect(attempt).rejects.not.toThrow(/s3cret-pw/);
  });
});
