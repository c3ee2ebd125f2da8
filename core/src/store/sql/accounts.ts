import { num, numOrNull, str, strOrNull, type Row } from '../rows.ts';
import type { SqlRunner, SqlValue } from './runner.ts';

/**
 * Console accounts (DESIGN §8): people who sign in to the console, their sessions and the one-time
 * links that create an account (the owner's setup link, invitations). Written once for both stores:
 * the SQL uses `?` placeholders and portable types, and each store hands it a runner.
 */

export type ConsoleRole = 'owner' | 'admin' | 'viewer';

export interface ConsoleUser {
  id: string;
  email: string;
  role: ConsoleRole;
  /** scrypt$N$r$p$salt$hash (console/passwords.ts). */
  password_hash: string;
  created_at: number;
  updated_at: number;
  last_sign_in_at: number | null;
}

export interface ConsoleSession {
  /** sha256 of the cookie's token: a leaked table does not sign anyone in. */
  id_hash: string;
  user_id: string;
  csrf: string;
  created_at: number;
  expires_at: number;
}

export interface ConsoleInvite {
  token_hash: string;
  /** owner for the first-run setup link; admin or viewer for an invitation. */
  role: ConsoleRole;
  email: string | null;
  created_by: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface AccountStore {
  countUsers(): Promise<number>;
  insertUser(user: ConsoleUser): Promise<void>;
  getUser(id: string): Promise<ConsoleUser | null>;
  getUserByEmail(email: string): Promise<ConsoleUser | null>;
  listUsers(): Promise<ConsoleUser[]>;
  updateUser(id: string, patch: Partial<Pick<ConsoleUser, 'password_hash' | 'role' | 'updated_at' | 'last_sign_in_at'>>): Promise<void>;
  /** Deletes the user and every session of theirs. */
  deleteUser(id: string): Promise<boolean>;

  insertSession(session: ConsoleSession): Promise<void>;
  /** The session if it exists and has not expired at `now`. */
  getSession(idHash: string, now: number): Promise<ConsoleSession | null>;
  deleteSession(idHash: string): Promise<void>;
  /** Signs a user out everywhere but `keep` (after a password change). */
  deleteSessionsOf(userId: string, keep?: string): Promise<void>;

  insertInvite(invite: ConsoleInvite): Promise<void>;
  /** Marks an unused, unexpired invite used and answers it; null when it is unknown, used or expired. Once only, even under a race. */
  takeInvite(tokenHash: string, now: number): Promise<ConsoleInvite | null>;
  /** An unused, unexpired invite, without using it (to show its form). */
  peekInvite(tokenHash: string, now: number): Promise<ConsoleInvite | null>;
  listInvites(now: number): Promise<ConsoleInvite[]>;
  /** Drops unused setup links (role owner): a new start prints a fresh one. */
  deleteOwnerInvites(): Promise<void>;
}

/** The account tables, for each store's next migration (BIGINT is an alias SQLite accepts). */
export const ACCOUNT_TABLES = `
  CREATE TABLE console_users (
    id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, role TEXT NOT NULL, password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, last_sign_in_at BIGINT
  );
  CREATE TABLE console_sessions (
    id_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, csrf TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL
  );
  CREATE INDEX console_sessions_by_user ON console_sessions (user_id);
  CREATE TABLE console_invites (
    token_hash TEXT PRIMARY KEY, role TEXT NOT NULL, email TEXT, created_by TEXT,
    created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT
  );
`;

const ROLES: readonly ConsoleRole[] = ['owner', 'admin', 'viewer'];
const role = (value: unknown): ConsoleRole => ROLES.find((known) => known === value) ?? 'viewer';

const toUser = (row: Row): ConsoleUser => ({
  id: str(row.id),
  email: str(row.email),
  role: role(row.role),
  password_hash: str(row.password_hash),
  created_at: num(row.created_at),
  updated_at: num(row.updated_at),
  last_sign_in_at: numOrNull(row.last_sign_in_at),
});

const toSession = (row: Row): ConsoleSession => ({
  id_hash: str(row.id_hash),
  user_id: str(row.user_id),
  csrf: str(row.csrf),
  created_at: num(row.created_at),
  expires_at: num(row.expires_at),
});

const toInvite = (row: Row): ConsoleInvite => ({
  token_hash: str(row.token_hash),
  role: role(row.role),
  email: strOrNull(row.email),
  created_by: strOrNull(row.created_by),
  created_at: num(row.created_at),
  expires_at: num(row.expires_at),
  used_at: numOrNull(row.used_at),
});

const USER_COLUMNS = ['password_hash', 'role', 'updated_at', 'last_sign_in_at'] as const;

export function createAccountStore(db: SqlRunner): AccountStore {
  const first = async <T>(sql: string, params: readonly SqlValue[], map: (row: Row) => T): Promise<T | null> => {
    const [row] = await db.rows(sql, params);
    return row ? map(row) : null;
  };
  return {
    async countUsers() {
      const [row] = await db.rows('SELECT COUNT(*) AS n FROM console_users', []);
      return num(row?.n ?? 0);
    },
    async insertUser(user) {
      await db.change('INSERT INTO console_users (id, email, role, password_hash, created_at, updated_at, last_sign_in_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        user.id,
        user.email,
        user.role,
        user.password_hash,
        user.created_at,
        user.updated_at,
        user.last_sign_in_at,
      ]);
    },
    getUser: (id) => first('SELECT * FROM console_users WHERE id = ?', [id], toUser),
    getUserByEmail: (email) => first('SELECT * FROM console_users WHERE email = ?', [email], toUser),
    async listUsers() {
      return (await db.rows('SELECT * FROM console_users ORDER BY created_at, id', [])).map(toUser);
    },
    async updateUser(id, patch) {
      const entries = USER_COLUMNS.filter((column) => patch[column] !== undefined).map((column) => [column, patch[column]] as const);
      if (entries.length === 0) return;
      await db.change(`UPDATE console_users SET ${entries.map(([column]) => `${column} = ?`).join(', ')} WHERE id = ?`, [
        ...entries.map(([, value]) => value ?? null),
        id,
      ]);
    },
    async deleteUser(id) {
      await db.change('DELETE FROM console_sessions WHERE user_id = ?', [id]);
      return (await db.change('DELETE FROM console_users WHERE id = ?', [id])) > 0;
    },
    async insertSession(session) {
      await db.change('INSERT INTO console_sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)', [
        session.id_hash,
        session.user_id,
        session.csrf,
        session.created_at,
        session.expires_at,
      ]);
    },
    getSession: (idHash, now) => first('SELECT * FROM console_sessions WHERE id_hash = ? AND expires_at > ?', [idHash, now], toSession),
    async deleteSession(idHash) {
      await db.change('DELETE FROM console_sessions WHERE id_hash = ?', [idHash]);
    },
    async deleteSessionsOf(userId, keep) {
      await db.change('DELETE FROM console_sessions WHERE user_id = ? AND id_hash != ?', [userId, keep ?? '']);
    },
    async insertInvite(invite) {
      await db.change('INSERT INTO console_invites (token_hash, role, email, created_by, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        invite.token_hash,
        invite.role,
        invite.email,
        invite.created_by,
        invite.created_at,
        invite.expires_at,
        invite.used_at,
      ]);
    },
    async takeInvite(tokenHash, now) {
      // The UPDATE is the once-only gate: of two requests racing with one link, one changes the row.
      const changed = await db.change('UPDATE console_invites SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?', [
        now,
        tokenHash,
        now,
      ]);
      return changed > 0 ? first('SELECT * FROM console_invites WHERE token_hash = ?', [tokenHash], toInvite) : null;
    },
    peekInvite: (tokenHash, now) =>
      first('SELECT * FROM console_invites WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?', [tokenHash, now], toInvite),
    async listInvites(now) {
      return (await db.rows('SELECT * FROM console_invites WHERE used_at IS NULL AND expires_at > ? ORDER BY created_at', [now])).map(toInvite);
    },
    async deleteOwnerInvites() {
      await db.change(`DELETE FROM console_invites WHERE role = 'owner' AND used_at IS NULL`, []);
    },
  };
}
