import { constantTimeEqual } from './constant-time.ts';

export interface BasicCredentials {
  username: string;
  password: string;
}

/** Reads an `Authorization: Basic <base64(user:pass)>` header; null when absent or malformed. */
export function parseBasicAuth(header: string | undefined): BasicCredentials | null {
  if (!header) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** True when the header carries exactly the expected credentials (compared in constant time). */
export function basicAuthMatches(header: string | undefined, expected: BasicCredentials): boolean {
  const given = parseBasicAuth(header);
  if (!given) return false;
  // Both halves are always compared, so a right user with a wrong password takes as long as a wrong user.
  const userOk = constantTimeEqual(given.username, expected.username);
  const passOk = constantTimeEqual(given.password, expected.password);
  return userOk && passOk;
}
