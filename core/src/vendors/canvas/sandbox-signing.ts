import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { JsonWebKeySet } from '../../signatures/jwks.ts';

/**
 * The sandbox Canvas's Live Events signing keys, published as Instructure publishes its own
 * (data_service_setup.md: the previous, current and next key, rotated monthly; the guide: "the
 * most current kid is the one in the middle"), and the RS256 signing with the current one. The
 * keys are made when the sandbox first needs them and live as long as the process: a sandbox
 * started again publishes new ones, as a rotation would.
 */

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

let made: readonly SigningKey[] | null = null;

function keys(): readonly SigningKey[] {
  made ??= ['previous', 'current', 'next'].map((role) => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { kid: `sandbox-${role}-${Date.now().toString(36)}`, privateKey, publicKey };
  });
  return made;
}

const current = (): SigningKey => {
  const key = keys()[1];
  if (!key) throw new Error('the sandbox has no current Canvas signing key');
  return key;
};

/** The sandbox's key set, as GET <canvas API>/live-events/jwks answers it. */
export function canvasSandboxJwks(): JsonWebKeySet {
  return { keys: keys().map(({ kid, publicKey }) => ({ ...publicKey.export({ format: 'jwk' }), kty: 'RSA', kid, alg: 'RS256', use: 'sig' })) };
}

/** `claims` as a compact JWT signed RS256 with the current key, its kid in the header. */
export function signCanvasLiveEvent(claims: Record<string, unknown>): string {
  const { kid, privateKey } = current();
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part({ alg: 'RS256', typ: 'JWT', kid })}.${part(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}
