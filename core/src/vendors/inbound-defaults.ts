import { randomBytes } from 'node:crypto';

/**
 * What a new connection gets when its creator does not say (each vendor's inboundDefaults): every
 * secret a vendor lets us choose is generated, so no connection starts unprotected and nobody has
 * to invent a secret. The creator's own values win over these, key by key.
 */

/** `bytes` random bytes as URL-safe text. */
export const randomText = (bytes: number): string => randomBytes(bytes).toString('base64url');

/** HTTP Basic credentials for the xAPI LRS endpoint. */
export const lrsCredentials = (): { username: string; password: string } => ({ username: `lrs_${randomText(6)}`, password: randomText(24) });
