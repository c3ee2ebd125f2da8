import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { fieldsOf } from '../console/forms.ts';
import { createLogger } from '../logger.ts';
import { type SecretShape, secretShapeOf, secretUnder } from '../secret-fields.ts';
import { credentialKeys, VENDOR_REGISTRY } from './registry.ts';

/**
 * Every vendor's credentials are marked `secret(...)` in its settings schemas, since the mark alone
 * decides what the API masks, a change keeps and the console shows as a password input. A field
 * whose name, title or description sounds like a credential must carry the mark or be listed below
 * with the reason it is not one.
 */

const CREDENTIAL_WORDS = /key|secret|token|password|authori[sz]ation|signing|signature/i;

/** Fields that sound like credentials and are not, each with why (vendor, part, field path). */
const NOT_CREDENTIALS: Readonly<Record<string, string>> = {
  'absorb api username': 'the admin login name; its description only mentions the token Absorb issues for it',
  'kajabi api client_id': 'an OAuth client id, public by design; its description names Kajabi\'s "User API Keys" screen',
  'kajabi api site_id': 'which Kajabi site the webhooks belong to',
  'custom inbound verify.header': 'the name of the header that carries the signature, not its value',
  'custom inbound verify.prefix': 'fixed text before the signature, the same for every sender',
  'canvas inbound jwks_url': "the public address of Instructure's published signing keys, not a key",
};

const schemasOf = (vendor: (typeof VENDOR_REGISTRY)[keyof typeof VENDOR_REGISTRY]): Array<['inbound' | 'api', z.ZodType]> => [
  ['inbound', vendor.inbound.inboundSchema],
  ...(vendor.api ? [['api', vendor.api.settingsSchema] as ['api', z.ZodType]] : []),
];

/** What the shape marks at a form field's dotted path. */
const markAt = (shape: SecretShape | true, path: string): SecretShape | true | undefined =>
  path.split('.').reduce<SecretShape | true | undefined>((inner, key) => (inner === undefined ? undefined : secretUnder(inner, key)), shape);

describe('vendor settings schemas', () => {
  for (const [id, vendor] of Object.entries(VENDOR_REGISTRY)) {
    for (const [part, schema] of schemasOf(vendor)) {
      it(`mark every ${id} ${part} setting that looks like a credential as secret, and show it as a password input`, () => {
        const shape = secretShapeOf(schema);
        for (const field of fieldsOf(schema)) {
          const where = `${id} ${part} ${field.name}`;
          const key = field.name.split('.').at(-1) ?? '';
          const looksSecret = [key, field.label, field.hint ?? ''].some((text) => CREDENTIAL_WORDS.test(text));
          // A choice among fixed values (custom verify's method: token, header, hmac) holds no credential.
          if (!looksSecret || field.kind === 'choice' || where in NOT_CREDENTIALS) continue;
          expect(markAt(shape, field.name), `${where} is not marked secret(...)`).toBe(true);
          // Several values (a rotation's secrets) are a text area, which the form never fills in either.
          expect(['secret', 'lines'], where).toContain(field.kind);
        }
      });
    }
  }

  it('list only reviewed fields that exist and carry no mark', () => {
    for (const where of Object.keys(NOT_CREDENTIALS)) {
      const [id = '', part = '', path = ''] = where.split(' ');
      const vendor = Object.entries(VENDOR_REGISTRY).find(([name]) => name === id)?.[1];
      const schema = vendor && schemasOf(vendor).find(([name]) => name === part)?.[1];
      expect(schema, where).toBeDefined();
      if (!schema) continue;
      expect(
        fieldsOf(schema).map((field) => field.name),
        where,
      ).toContain(path);
      expect(markAt(secretShapeOf(schema), path), where).toBeUndefined();
    }
  });

  it('read the marks through nesting: optional groups, arrays and union variants', () => {
    expect(secretShapeOf(VENDOR_REGISTRY.custom.inbound.inboundSchema)).toEqual({ verify: { secret: true } });
    expect(secretShapeOf(VENDOR_REGISTRY.standard.inbound.inboundSchema)).toEqual({ secret: true, secrets: true, xapi: { password: true } });
    expect(secretShapeOf(VENDOR_REGISTRY['adobe-alm'].inbound.inboundSchema)).toEqual({ password: true });
    expect(secretShapeOf(VENDOR_REGISTRY.thinkific.inbound.inboundSchema)).toEqual({ signing_key: true });
  });
});

describe('credentialKeys', () => {
  it('names every key a vendor marks, so a connection logged whole shows none of its credentials', () => {
    const keys = credentialKeys();
    for (const key of ['signing_key', 'signature', 'previous_secrets', 'client_secret', 'private_key', 'refresh_token', 'access_token', 'api_key'])
      expect(keys).toContain(key);
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) }, credentialKeys: keys });
    const credentials = ['thinkific-key-0b5e', 'lw-signature-77aa', 'custom-hmac-secret', 'app-access-token-19'];
    logger.info(
      {
        connections: [
          { vendor: 'thinkific', inbound: { signing_key: credentials[0] }, api: { subdomain: 'acme', access_token: credentials[3] } },
          { vendor: 'learnworlds', inbound: { signature: credentials[1] } },
          { vendor: 'custom', inbound: { verify: { method: 'hmac', header: 'X-Sig', secret: credentials[2] } } },
        ],
      },
      'connections logged whole',
    );
    for (const credential of credentials) expect(lines[0]).not.toContain(credential);
    expect(lines[0]).toContain('"subdomain":"acme"');
  });
});
