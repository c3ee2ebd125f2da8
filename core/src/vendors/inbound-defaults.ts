import { randomBytes } from 'node:crypto';
import type { Vendor } from '../catalog/index.ts';
import { generateSecret } from '../signatures/standard-webhooks.ts';

const randomText = (bytes: number) => randomBytes(bytes).toString('base64url');
const lrsCredentials = () => ({ username: `lrs_${randomText(6)}`, password: randomText(24) });

/**
 * What a new connection gets when its creator does not say: every secret a vendor lets us choose
 * is generated, so no connection starts unprotected and nobody has to invent a secret. The
 * creator's own values win over these, key by key.
 */
export const INBOUND_DEFAULTS: { readonly [V in Vendor]: () => Record<string, unknown> } = {
  absorb: () => ({}),
  // ASP.NET WebHooks secrets are 32–64 characters.
  learn365: () => ({ secret: randomText(36) }),
  'adobe-alm': () => ({ auth: 'none' }),
  'seismic-learning': () => ({ authorization: `Bearer ${randomText(24)}`, xapi: lrsCredentials() }),
  standard: () => ({ secret: generateSecret(), xapi: lrsCredentials() }),
};
