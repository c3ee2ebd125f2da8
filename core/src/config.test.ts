import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from './config.ts';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('the settings', () => {
  it('default the PostgreSQL pool and the claim lease', () => {
    expect(readConfig({})).toMatchObject({
      LEARNHOOK_PG_POOL_MAX: 10,
      LEARNHOOK_PG_CONNECT_TIMEOUT_MS: 5_000,
      LEARNHOOK_PG_STATEMENT_TIMEOUT_MS: 30_000,
      LEARNHOOK_PG_IDLE_TIMEOUT_MS: 10_000,
      LEARNHOOK_LEASE_MS: 60_000,
    });
    expect(readConfig({ DATABASE_URL: 'postgres://u@db:5432/app?schema=tenant', LEARNHOOK_SECRET_KEY: KEY, LEARNHOOK_PG_POOL_MAX: '25' })).toMatchObject({
      DATABASE_URL: 'postgres://u@db:5432/app?schema=tenant',
      LEARNHOOK_PG_POOL_MAX: 25,
    });
  });

  it('refuse a lease no longer than a delivery attempt or a hydration wait, naming the variable', () => {
    expect(() => readConfig({ LEARNHOOK_LEASE_MS: '10000' })).toThrow(/LEARNHOOK_LEASE_MS: must be above .*\(30000\)/);
    expect(() => readConfig({ LEARNHOOK_LEASE_MS: '10000', LEARNHOOK_HYDRATION_MAX_WAIT_MS: '5000', LEARNHOOK_DELIVERY_TIMEOUT_MS: '12000' })).toThrow(
      ConfigError,
    );
    expect(readConfig({ LEARNHOOK_LEASE_MS: '5000', LEARNHOOK_HYDRATION_MAX_WAIT_MS: '1000', LEARNHOOK_DELIVERY_TIMEOUT_MS: '2000' }).LEARNHOOK_LEASE_MS).toBe(
      5_000,
    );
  });

  it('keep events 30 days and the audit log a year by default, and refuse an audit log that would go before the events it audits', () => {
    expect(readConfig({})).toMatchObject({ LEARNHOOK_RETENTION_DAYS: 30, LEARNHOOK_AUDIT_RETENTION_DAYS: 365 });
    expect(() => readConfig({ LEARNHOOK_RETENTION_DAYS: '90', LEARNHOOK_AUDIT_RETENTION_DAYS: '60' })).toThrow(
      /LEARNHOOK_AUDIT_RETENTION_DAYS: must be 0 .*\(90\)/,
    );
    expect(() => readConfig({ LEARNHOOK_RETENTION_DAYS: '-1' })).toThrow(/LEARNHOOK_RETENTION_DAYS/);
    expect(readConfig({ LEARNHOOK_RETENTION_DAYS: '0', LEARNHOOK_AUDIT_RETENTION_DAYS: '0' })).toMatchObject({ LEARNHOOK_RETENTION_DAYS: 0 });
  });

  it('refuse a schema name that is not a plain lower-case identifier', () => {
    expect(() => readConfig({ LEARNHOOK_PG_SCHEMA: 'Tenant-A' })).toThrow(/LEARNHOOK_PG_SCHEMA/);
    expect(readConfig({ LEARNHOOK_PG_SCHEMA: 'tenant_a' }).LEARNHOOK_PG_SCHEMA).toBe('tenant_a');
  });

  it('refuse DATABASE_URL without LEARNHOOK_SECRET_KEY, since every hub sharing the database must open the same secrets', () => {
    expect(() => readConfig({ DATABASE_URL: 'postgres://u@db:5432/app' })).toThrow(ConfigError);
    expect(() => readConfig({ DATABASE_URL: 'postgres://u@db:5432/app' })).toThrow(/LEARNHOOK_SECRET_KEY: must be set when DATABASE_URL is set/);
    expect(readConfig({}).LEARNHOOK_SECRET_KEY).toBeUndefined();
  });

  it('read LEARNHOOK_ALLOWED_TARGETS into entries, and refuse a bad entry naming the variable and the entry', () => {
    expect(readConfig({}).LEARNHOOK_ALLOWED_TARGETS).toEqual([]);
    expect(readConfig({ LEARNHOOK_ALLOWED_TARGETS: 'n8n:5678' }).LEARNHOOK_ALLOWED_TARGETS).toEqual([{ kind: 'host', host: 'n8n', port: 5678 }]);
    expect(() => readConfig({ LEARNHOOK_ALLOWED_TARGETS: 'n8n:5678,http://n8n' })).toThrow(
      /LEARNHOOK_ALLOWED_TARGETS: "http:\/\/n8n": .*without a scheme or path/,
    );
  });

  it('trust only a loopback proxy unless LEARNHOOK_TRUST_PROXY names others, and refuse what express could not read', () => {
    expect(readConfig({}).LEARNHOOK_TRUST_PROXY).toBe('loopback');
    expect(readConfig({ LEARNHOOK_TRUST_PROXY: 'loopback, 172.16.0.0/12' }).LEARNHOOK_TRUST_PROXY).toBe('loopback, 172.16.0.0/12');
    expect(() => readConfig({ LEARNHOOK_TRUST_PROXY: 'caddy' })).toThrow(/LEARNHOOK_TRUST_PROXY/);
  });
});
