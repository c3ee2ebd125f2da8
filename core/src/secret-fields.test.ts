import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { mapSecrets, secret, secretKeysOf, secretShapeOf } from './secret-fields.ts';

const Settings = z.object({
  name: z.string(),
  key: secret(z.string()).optional().meta({ title: 'Key' }),
  rotation: secret(z.array(z.string())).optional(),
  verify: z.object({ header: z.string(), value: secret(z.string().min(8)) }).optional(),
  clients: z.array(z.object({ id: z.string(), token: secret(z.string()) })).default([]),
  auth: z.discriminatedUnion('kind', [z.object({ kind: z.literal('none') }), z.object({ kind: z.literal('basic'), password: secret(z.string()) })]),
});

describe('secret fields', () => {
  it('are found wherever the schema nests them, the mark kept through later optional() and meta()', () => {
    expect(secretShapeOf(Settings)).toEqual({
      key: true,
      rotation: true,
      verify: { value: true },
      clients: { token: true },
      auth: { password: true },
    });
    expect(secretKeysOf(secretShapeOf(Settings)).sort()).toEqual(['key', 'password', 'rotation', 'token', 'value']);
  });

  it('are replaced in a value, each item of an array of them, everything else left as it was', () => {
    const value = {
      name: 'acme',
      key: 'k-123456',
      rotation: ['r-1111', 'r-2222'],
      verify: { header: 'X-Sig', value: 'v-99999999' },
      clients: [{ id: 'c1', token: 't-1' }],
      auth: { kind: 'basic', password: 'p-4321' },
    };
    expect(mapSecrets(value, secretShapeOf(Settings), (credential) => `hidden:${String(credential)}`)).toEqual({
      name: 'acme',
      key: 'hidden:k-123456',
      rotation: ['hidden:r-1111', 'hidden:r-2222'],
      verify: { header: 'X-Sig', value: 'hidden:v-99999999' },
      clients: [{ id: 'c1', token: 'hidden:t-1' }],
      auth: { kind: 'basic', password: 'hidden:p-4321' },
    });
  });

  it('do not reach keys an object only inherits', () => {
    expect(mapSecrets({ constructor: 'x', toString: 'y' }, secretShapeOf(Settings), () => 'hidden')).toEqual({ constructor: 'x', toString: 'y' });
  });
});
