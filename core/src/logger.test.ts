import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

/** The log lines a logger writes, parsed. */
function capture(credentialKeys?: readonly string[]) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line)) }, ...(credentialKeys ? { credentialKeys } : {}) });
  return { logger, lines };
}

describe('the logger', () => {
  it('blanks the credential keys it is given at any depth, leaving everything else and the logged object as they were', () => {
    const { logger, lines } = capture(['signing_key']);
    const connection = {
      record: { id: 'con_1', name: 'school' },
      inbound: { signing_key: 'thinkific-key-0b5e', xapi: { username: 'lrs_1', password: 'lrs-password' } },
      hooks: [{ id: 'hk_1', secret: 'whsec_abc' }],
    };
    logger.info({ connection, signing_key: 'top-level' }, 'connection logged whole');
    expect(lines[0]).toMatchObject({
      msg: 'connection logged whole',
      signing_key: '[redacted]',
      connection: {
        record: { id: 'con_1', name: 'school' },
        inbound: { signing_key: '[redacted]', xapi: { username: 'lrs_1', password: '[redacted]' } },
        hooks: [{ id: 'hk_1', secret: '[redacted]' }],
      },
    });
    expect(connection.inbound.signing_key).toBe('thinkific-key-0b5e');
  });

  it("blanks the hub's own credential keys and request headers without being given any", () => {
    const { logger, lines } = capture();
    logger.warn({ req: { headers: { authorization: 'Bearer lh_x', 'x-api-key': 'k', accept: 'json' } }, session: { token: 't' } }, 'request');
    expect(lines[0]).toMatchObject({
      req: { headers: { authorization: '[redacted]', 'x-api-key': '[redacted]', accept: 'json' } },
      session: { token: '[redacted]' },
    });
  });

  it('still serialises an error it is given', () => {
    const { logger, lines } = capture();
    logger.error({ err: new Error('boom') }, 'failed');
    expect(lines[0]).toMatchObject({ err: { type: 'Error', message: 'boom' } });
  });
});
