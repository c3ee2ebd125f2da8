import { randomBytes } from 'node:crypto';
import type { AccountStore } from '../store/sql/accounts.ts';
import { hashToken } from './session.ts';

/** A setup link works once, for a day: long enough to open it after lunch, short enough not to linger. */
export const SETUP_LINK_TTL_MS = 24 * 3600_000;

/**
 * The first-run link (DESIGN §8): while the console has no user, each start replaces any unused
 * setup link with a new one and answers it, to be printed (never logged); null once someone signed up.
 */
export async function issueSetupLink(accounts: AccountStore, baseUrl: string, now: number): Promise<string | null> {
  if ((await accounts.countUsers()) > 0) return null;
  await accounts.deleteOwnerInvites();
  const token = randomBytes(32).toString('base64url');
  await accounts.insertInvite({
    token_hash: hashToken(token),
    role: 'owner',
    email: null,
    created_by: null,
    created_at: now,
    expires_at: now + SETUP_LINK_TTL_MS,
    used_at: null,
  });
  return `${baseUrl.replace(/\/$/, '')}/setup/${token}`;
}
